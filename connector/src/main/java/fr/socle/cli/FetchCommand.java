package fr.socle.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code socle fetch <agreement>}: through the local node's management API, starts a transfer under
 * an agreement, downloads the data with a progress line (bytes, rate, ETA), checks it against the
 * SHA-256 the provider announced, and tells the provider the transfer is complete.
 *
 * <p>The data is written to a temporary file next to the target and moved into place only once
 * its digest matches, so a failed or tampered download never leaves a plausible file behind.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
    description = "Download the dataset of an agreement through this node, verifying its checksum.")
public final class FetchCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "Agreement id (as shown by GET /api/agreements).")
  String agreement;

  @Option(names = "--node", defaultValue = "http://127.0.0.1:8080",
      description = "Management API of the consumer node (default: ${DEFAULT-VALUE}).")
  URI node;

  @Option(names = "--api-key-file", required = true, description = "File holding the node's API key.")
  Path apiKeyFile;

  @Option(names = {"-o", "--out"}, required = true, description = "Where to write the dataset.")
  Path out;

  @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait for the transfer to start.")
  long timeoutSeconds;

  @Spec
  CommandSpec spec;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Override
  public Integer call() throws IOException, InterruptedException, NoSuchAlgorithmException {
    PrintWriter err = spec.commandLine().getErr();
    String key = Files.readString(apiKeyFile).trim();
    HttpResponse<String> created = send(key, "POST", "/api/transfers",
        new JsonObject().put("agreementId", agreement).encode());
    if (created.statusCode() != 201) {
      err.println("socle fetch: the node refused the transfer: " + problem(created));
      return 1;
    }
    String transfer = new JsonObject(created.body()).getString("id");
    String state = awaitStarted(key, transfer);
    if (!"STARTED".equals(state)) {
      err.println("socle fetch: transfer " + transfer + " ended " + state);
      return 1;
    }
    HttpResponse<InputStream> data = http.send(request(key, "/api/transfers/" + transfer + "/data").GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (data.statusCode() != 200) {
      try (InputStream body = data.body()) {
        err.println("socle fetch: download refused (HTTP " + data.statusCode() + "): "
            + new String(body.readNBytes(4096)));
      }
      return 1;
    }
    long length = data.headers().firstValueAsLong("Content-Length").orElse(-1);
    String announced = data.headers().firstValue("Repr-Digest").orElse(null);
    Path partial = out.resolveSibling(out.getFileName() + ".part");
    String received = copy(data.body(), partial, length, err);
    String expected = announced == null ? null : announced.replaceFirst("^sha-256=:(.*):$", "$1");
    if (expected != null && !expected.equals(received)) {
      Files.deleteIfExists(partial);
      err.println("socle fetch: checksum mismatch (want: " + expected + ", got: " + received + "); nothing kept");
      return 1;
    }
    Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    send(key, "POST", "/api/transfers/" + transfer + "/completion", "{}");
    spec.commandLine().getOut().println(expected != null
        ? "sha-256 " + received + " verified against the provider's announcement; saved to " + out
        : "sha-256 " + received + " (the provider announced none); saved to " + out);
    return 0;
  }

  private String awaitStarted(String key, String transfer) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    String state = "REQUESTING";
    while (System.nanoTime() < deadline) {
      state = new JsonObject(send(key, "GET", "/api/transfers/" + transfer, null).body()).getString("state");
      if ("STARTED".equals(state) || "TERMINATED".equals(state) || "COMPLETED".equals(state)) {
        return state;
      }
      Thread.sleep(200);
    }
    return state + " after " + timeoutSeconds + " s";
  }

  private static String copy(InputStream in, Path target, long length, PrintWriter err)
      throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[1 << 16];
    long done = 0;
    long start = System.nanoTime();
    long shown = 0;
    try (in; OutputStream file = Files.newOutputStream(target)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        file.write(buffer, 0, n);
        digest.update(buffer, 0, n);
        done += n;
        long now = System.nanoTime();
        if (now - shown > 200_000_000L) {
          shown = now;
          err.print("\r" + progress(done, length, now - start));
          err.flush();
        }
      }
    }
    err.println("\r" + progress(done, length, System.nanoTime() - start));
    return Base64.getEncoder().encodeToString(digest.digest());
  }

  /** e.g. {@code 120.5 MiB / 200.0 MiB  48.2 MiB/s  ETA 2 s}. */
  static String progress(long done, long length, long elapsedNanos) {
    double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
    double rate = done / seconds;
    String total = length >= 0 ? " / " + mib(length) : "";
    String eta = length >= 0 && rate > 0 ? String.format(Locale.ROOT, "  ETA %d s",
        Math.round((length - done) / rate)) : "";
    return String.format(Locale.ROOT, "%s%s  %s/s%s", mib(done), total, mib((long) rate), eta);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private HttpResponse<String> send(String key, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(key, path).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String key, String path) {
    return HttpRequest.newBuilder(node.resolve(path)).header("X-Api-Key", key).timeout(Duration.ofSeconds(30));
  }

  private static String problem(HttpResponse<String> response) {
    try {
      return new JsonObject(response.body()).getString("detail", response.body());
    } catch (RuntimeException e) {
      return "HTTP " + response.statusCode();
    }
  }
}
