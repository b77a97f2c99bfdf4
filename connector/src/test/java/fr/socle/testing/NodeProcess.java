package fr.socle.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real Socle node in its own JVM, started with {@code socle node run --config}, on ports the
 * node chose itself (port 0) and reported in {@code <dataDir>/node.json}.
 */
public final class NodeProcess implements AutoCloseable {

  public static final String API_KEY = "test-api-key-0123456789";
  public static final String AUDITOR_KEY = "test-auditor-key-0123456789";

  private final Path config;
  private final Path dataDir;
  private final Path log;
  private Process process;
  private JsonObject run;

  private NodeProcess(Path config, Path dataDir, Path log) {
    this.config = config;
    this.dataDir = dataDir;
    this.log = log;
  }

  /**
   * Writes a configuration for the development federation's node {@code slug} and starts it, with
   * {@code overrides} added to or replacing its top-level entries.
   *
   * @param opaUrl the OPA sidecar the node asks
   */
  public static NodeProcess start(Path workDir, String slug, String opaUrl, JsonObject overrides)
      throws IOException, InterruptedException {
    return start(workDir, Paths.certs(), slug, opaUrl, new JsonObject(), overrides);
  }

  /**
   * Starts node {@code slug} of the federation in {@code federationDir} (laid out as {@code socle certs}
   * writes it); {@code tls} adds keys to the configuration's {@code tls} object, e.g. crlReloadMillis.
   */
  public static NodeProcess start(Path workDir, Path federationDir, String slug, String opaUrl, JsonObject tls)
      throws IOException, InterruptedException {
    return start(workDir, federationDir, slug, opaUrl, tls, new JsonObject());
  }

  private static NodeProcess start(Path workDir, Path federationDir, String slug, String opaUrl, JsonObject tls,
      JsonObject overrides)
      throws IOException, InterruptedException {
    Path dir = workDir.resolve(slug);
    Path dataDir = dir.resolve("data");
    Files.createDirectories(dataDir);
    JsonObject json = new JsonObject()
        .put("name", slug)
        .put("dataDir", dataDir.toString())
        .put("dsp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("management", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("apiKey", API_KEY)
            .put("auditorKey", AUDITOR_KEY))
        .put("tls", new JsonObject().put("nodeDir", federationDir.resolve("nodes/" + slug).toString())
            .put("federationDir", federationDir.toString()).mergeIn(tls))
        .put("opa", new JsonObject().put("url", opaUrl).put("timeoutMillis", 2000)
            .put("expectedRevisionFile", PolicyBundles.canonical().revisionFile().toString()))
        .put("limits", new JsonObject().put("dspTimeoutMillis", 15000));
    Path directory = federationDir.resolve("federation.json");
    if (Files.exists(directory)) {
      json.put("federation", new JsonObject().put("directory", directory.toString()));
    }
    overrides.forEach(e -> json.put(e.getKey(), e.getValue()));
    Path config = dir.resolve("config.json");
    Files.writeString(config, json.encodePrettily());
    NodeProcess node = new NodeProcess(config, dataDir, dir.resolve("node.log"));
    node.launch();
    return node;
  }

  /**
   * Starts the node process again on the same configuration and data, and on the ports it had, as an
   * operator's restart would: partners keep the address they know.
   */
  public void launch() throws IOException, InterruptedException {
    if (run != null) {
      JsonObject json = new JsonObject(Files.readString(config));
      json.getJsonObject("dsp").put("port", run.getInteger("dspPort"));
      json.getJsonObject("management").put("port", run.getInteger("managementPort"));
      Files.writeString(config, json.encodePrettily());
    }
    Files.deleteIfExists(dataDir.resolve("node.json"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    // The node's own logging configuration, not the quieter one of the tests: its log is part of
    // what tests check (one line per policy decision).
    String logback = NodeProcess.class.getClassLoader().getResource("logback.xml").toString();
    process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-Dlogback.configurationFile="
        + logback, "-cp", classpath, "fr.socle.cli.Socle", "node", "run", "--config", config.toString()))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    awaitReady(Duration.ofSeconds(60));
  }

  private void awaitReady(Duration limit) throws IOException, InterruptedException {
    Path runFile = dataDir.resolve("node.json");
    try {
      run = Await.until(limit, "the node to write " + runFile, () -> {
        if (!process.isAlive()) {
          throw new IOException("node exited with " + process.exitValue() + "; log:\n" + Files.readString(log));
        }
        return readRun(runFile);
      }, Objects::nonNull);
    } catch (AssertionError late) {
      kill();
      throw new IOException("node did not start within " + limit + "; log:\n" + Files.readString(log));
    }
  }

  /** What the node reported in {@code runFile}, or null while it has not written it whole. */
  private static JsonObject readRun(Path runFile) throws IOException {
    if (!Files.exists(runFile)) {
      return null;
    }
    try {
      return new JsonObject(Files.readString(runFile));
    } catch (RuntimeException partial) {
      // the node is still writing the file
      return null;
    }
  }

  public String participantId() {
    return run.getString("participantId");
  }

  public String dspAddress() {
    return run.getString("dspAddress");
  }

  public int dspPort() {
    return run.getInteger("dspPort");
  }

  public String managementUrl() {
    return "http://127.0.0.1:" + run.getInteger("managementPort");
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: the node gets no chance to clean up. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  /** A small client for the node's management API. */
  public Api api() {
    return new Api(managementUrl(), API_KEY);
  }

  /** A client for the node's auditor API, with the auditor's own key. */
  public Api auditor() {
    return new Api(managementUrl(), AUDITOR_KEY);
  }

  /** Calls to the management API with a given key. */
  public record Api(String base, String key) {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
      return send(method, path, body, new String[0]);
    }

    /** {@link #send(String, String, String)} with extra headers, given as name, value, name, value... */
    public HttpResponse<String> send(String method, String path, String body, String... headers)
        throws IOException, InterruptedException {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json");
      if (headers.length > 0) {
        b.headers(headers);
      }
      if (key != null) {
        b.header("X-Api-Key", key);
      }
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public JsonObject post(String path, JsonObject body) throws IOException, InterruptedException {
      return expect(send("POST", path, body.encode()), 200, 201);
    }

    public JsonObject get(String path) throws IOException, InterruptedException {
      return expect(send("GET", path, null), 200);
    }

    public HttpResponse<byte[]> download(String path) throws IOException, InterruptedException {
      return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).header("X-Api-Key", key)
          .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Polls a resource until {@code field} reaches one of {@code values}; readiness, not a fixed delay. */
    public JsonObject awaitField(String path, String field, Duration limit, String... values)
        throws IOException, InterruptedException {
      return Await.until(limit, path + ": " + field + " in " + List.of(values), () -> get(path),
          last -> List.of(values).contains(last.getString(field)));
    }

    private static JsonObject expect(HttpResponse<String> r, int... statuses) {
      for (int s : statuses) {
        if (r.statusCode() == s) {
          return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body().startsWith("[")
              ? "{\"items\":" + r.body() + "}" : r.body());
        }
      }
      throw new AssertionError("HTTP " + r.statusCode() + " from " + r.uri() + ": " + r.body());
    }
  }
}
