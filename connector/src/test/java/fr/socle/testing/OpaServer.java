package fr.socle.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A real OPA server process on a free loopback port, configured as a node's sidecar is: bundle mode
 * with the configuration {@code launchers/build-policy-bundle.sh} writes (the federation's public key,
 * a signature required), loading a bundle file.
 */
public final class OpaServer implements AutoCloseable {

  private final Process process;
  private final int port;
  private boolean bundleActive;

  private OpaServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** OPA on the signed bundle of {@code policies/}; returns once the bundle is active. */
  public static OpaServer start(Path logFile) throws IOException, InterruptedException {
    OpaServer server = start(PolicyBundles.canonical().tarball(), logFile);
    if (!server.bundleActive()) {
      server.close();
      throw new IOException("OPA refused the canonical signed bundle; see " + logFile);
    }
    return server;
  }

  /**
   * OPA on {@code bundle}, whatever it holds; returns once OPA has activated or refused it (see
   * {@link #bundleActive()}).
   */
  public static OpaServer start(Path bundle, Path logFile) throws IOException, InterruptedException {
    return start(bundle, logFile, freePort(), null);
  }

  /** The token file the canonical configuration gives OPA for its decision-log uploads. */
  public static Path decisionLogToken() throws IOException, InterruptedException {
    return PolicyBundles.canonical().opaConfig().resolveSibling("decision-log.token");
  }

  /**
   * OPA with the node configuration, the bundle resource replaced by {@code bundle} and
   * {@code extraSettings} ({@code --set} values) applied on top.
   */
  public static OpaServer start(Path bundle, Path logFile, int port, List<String> extraSettings)
      throws IOException, InterruptedException {
    PolicyBundles.Bundle canonical = PolicyBundles.canonical();
    List<String> command = new ArrayList<>(List.of(Paths.opa().toString(), "run", "--server", "--addr",
        "127.0.0.1:" + port, "--log-level", "error", "--skip-version-check", "--config-file",
        canonical.opaConfig().toString()));
    if (bundle != null) {
      command.addAll(List.of("--set", "bundles.socle.resource=" + bundle.toAbsolutePath().toUri()));
    }
    // No node receives this OPA's decision log unless a setting below says where: port 1 refuses
    // at once, where the configuration's default port could belong to another process.
    command.addAll(List.of("--set", "services.socle-node.url=http://127.0.0.1:1"));
    if (extraSettings != null) {
      extraSettings.forEach(s -> command.addAll(List.of("--set", s)));
    }
    long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    OpaServer server = new OpaServer(process, port);
    server.awaitBundleOutcome(logFile, logStart, Duration.ofSeconds(30));
    return server;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Whether OPA activated its bundle (true) or refused it (false) when it started. */
  public boolean bundleActive() {
    return bundleActive;
  }

  /**
   * Waits until OPA's bundle plugin has either activated the bundle ({@code /health?bundles} turns 200)
   * or logged that loading it failed, whichever comes first.
   */
  private void awaitBundleOutcome(Path logFile, long logStart, Duration limit) throws InterruptedException,
      IOException {
    HttpClient client = HttpClient.newHttpClient();
    try {
      bundleActive = Await.until(limit, "OPA to activate or refuse its bundle", () -> {
        if (!process.isAlive()) {
          throw new IOException("OPA exited with " + process.exitValue() + "; log:\n" + tail(logFile, logStart));
        }
        try {
          HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url() + "/health?bundles")).build(),
              HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            return true;
          }
          if (tail(logFile, logStart).contains("Bundle load failed")) {
            return false;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        return null;
      }, Objects::nonNull);
    } catch (AssertionError late) {
      close();
      throw new IOException("OPA neither activated nor refused its bundle within " + limit);
    }
  }

  private static String tail(Path logFile, long from) throws IOException {
    byte[] all = Files.readAllBytes(logFile);
    return new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
