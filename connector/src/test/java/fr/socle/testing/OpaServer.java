package fr.socle.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real OPA server process on a free loopback port, serving {@code policies/}. */
public final class OpaServer implements AutoCloseable {

  private final Process process;
  private final int port;

  private OpaServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static OpaServer start(Path logFile) throws IOException, InterruptedException {
    return start(Paths.policies(), logFile);
  }

  public static OpaServer start(Path policies, Path logFile) throws IOException, InterruptedException {
    return start(policies, logFile, freePort());
  }

  /** Starts a new OPA on the port a stopped one used, as an operator restarting a sidecar would. */
  public static OpaServer restart(OpaServer stopped, Path logFile) throws IOException, InterruptedException {
    stopped.close();
    return start(Paths.policies(), logFile, stopped.port);
  }

  private static OpaServer start(Path policies, Path logFile, int port) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Paths.opa().toString(), "run", "--server", "--addr",
        "127.0.0.1:" + port, "--log-level", "error", "--disable-telemetry", "--ignore", "*_test.rego", "--ignore", "templates", "--bundle",
        policies.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    OpaServer server = new OpaServer(process, port);
    server.awaitHealthy(Duration.ofSeconds(30));
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

  private void awaitHealthy(Duration limit) throws InterruptedException, IOException {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("OPA exited with " + process.exitValue() + " before becoming healthy");
      }
      try {
        HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url() + "/health")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    close();
    throw new IOException("OPA did not become healthy within " + limit);
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

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
