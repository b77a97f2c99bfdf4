package fr.socle.containers;

import fr.socle.testing.NodeProcess;
import fr.socle.testing.Paths;
import fr.socle.trust.FederationPki;
import fr.socle.trust.NodeRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;

/**
 * A federation of containerised nodes on one container network: per member, a socle-opa container
 * (hostname {@code <slug>-opa}) and a socle-node container (hostname {@code <slug>}, read-only root
 * file system, its configuration and certificates mounted read-only at /config, its data directory
 * bind-mounted at /data), exactly as the README tells a territory team to run them.
 *
 * <p>Partners call each other at {@code https://<slug>:8443}, so each node's certificate must name
 * its hostname. The development federation's certificates (certs-dev/) name only localhost; this
 * class issues a federation of its own with the same members (same SIRENs, hence the same
 * participant ids and the same territories in federation.json) whose node certificates also carry the
 * container hostname. certs-dev/ stays as it is.
 */
final class ContainerFederation implements AutoCloseable {

  /** The uid the node image runs as (launchers/build-images.sh). */
  static final int NODE_UID = 10001;
  static final int DSP_PORT = 8443;
  static final int MANAGEMENT_PORT = 8080;
  private static final Duration START_LIMIT = Duration.ofMinutes(4);
  static final Path LOGS = Path.of("target", "container-logs").toAbsolutePath();

  private final Path work;
  private final Path federationDir;
  private final Network network = Network.newNetwork();
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final long dspTimeoutMillis;

  /** One member: its OPA sidecar and its node, which can be replaced by a new container on the same data. */
  final class Member {
    final String slug;
    final Path configDir;
    final Path dataDir;
    final GenericContainer<?> opa;
    GenericContainer<?> node;
    String participantId;

    private Member(String slug, Path configDir, Path dataDir) {
      this.slug = slug;
      this.configDir = configDir;
      this.dataDir = dataDir;
      this.opa = new GenericContainer<>(Images.OPA).withNetwork(network).withNetworkAliases(slug + "-opa")
          .withExposedPorts(8181)
          .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
          .withLogConsumer(frame -> log(slug + "-opa", frame))
          .waitingFor(Wait.forHttp("/health?bundles").forPort(8181).forStatusCode(200)
              .withStartupTimeout(START_LIMIT));
      this.node = newNode();
    }

    private GenericContainer<?> newNode() {
      return new GenericContainer<>(Images.NODE).withNetwork(network).withNetworkAliases(slug)
          .withFileSystemBind(configDir.toString(), "/config", BindMode.READ_ONLY)
          .withFileSystemBind(dataDir.toString(), "/data", BindMode.READ_WRITE)
          .withExposedPorts(MANAGEMENT_PORT)
          .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
          .withLogConsumer(frame -> log(slug, frame))
          // Ready: the database answers and OPA runs the expected signed bundle.
          .waitingFor(Wait.forHttp("/ready").forPort(MANAGEMENT_PORT).forStatusCode(200)
              .withStartupTimeout(START_LIMIT));
    }

    /** The node's DSP address, as partners on the container network call it. */
    String dspAddress() {
      return "https://" + slug + ":" + DSP_PORT;
    }

    /** The node's management API, through the port the container engine published on this host. */
    NodeProcess.Api api() {
      return new NodeProcess.Api("http://" + node.getHost() + ":" + node.getMappedPort(MANAGEMENT_PORT),
          NodeProcess.API_KEY);
    }

    /** SIGKILL: the node's process gets no chance to shut down, as in a host or power failure. */
    void kill() {
      DockerClientFactory.instance().client().killContainerCmd(node.getContainerId()).exec();
      node.stop();
    }

    /** A new container of the same image on the same configuration and data volume, same hostname. */
    void restart() {
      node = newNode();
      node.start();
    }

    void pause() {
      DockerClientFactory.instance().client().pauseContainerCmd(node.getContainerId()).exec();
    }

    void unpause() {
      DockerClientFactory.instance().client().unpauseContainerCmd(node.getContainerId()).exec();
    }

    /** Everything the node container has written to its standard output and error so far. */
    String logs() {
      return node.getLogs();
    }
  }

  /**
   * Issues the federation, writes each member's configuration and starts every container, all
   * members in parallel.
   *
   * @param dspTimeoutMillis how long a node waits for a partner's answer ({@code limits.dspTimeoutMillis})
   */
  static ContainerFederation start(Path work, long dspTimeoutMillis, String... slugs) throws IOException {
    Images.requireBuilt();
    ContainerFederation federation = new ContainerFederation(work, dspTimeoutMillis);
    try {
      federation.issue(slugs);
      List<GenericContainer<?>> all = new ArrayList<>();
      for (Member m : federation.members.values()) {
        all.add(m.opa);
      }
      Startables.deepStart(all).join();
      all.clear();
      for (Member m : federation.members.values()) {
        all.add(m.node);
      }
      Startables.deepStart(all).join();
      return federation;
    } catch (RuntimeException | IOException e) {
      federation.close();
      throw e;
    }
  }

  private ContainerFederation(Path work, long dspTimeoutMillis) {
    this.work = work;
    this.federationDir = work.resolve("federation");
    this.dspTimeoutMillis = dspTimeoutMillis;
  }

  Member member(String slug) {
    Member m = members.get(slug);
    if (m == null) {
      throw new IllegalArgumentException("no member " + slug + " in this federation");
    }
    return m;
  }

  /** The same members as certs-dev/federation.json, with certificates naming their container hostname. */
  private void issue(String... slugs) throws IOException {
    JsonObject directory = new JsonObject(Files.readString(Paths.certs().resolve("federation.json")));
    FederationPki pki = new FederationPki();
    pki.initFederation(federationDir, "Fédération Socle (conteneurs, test)", Duration.ofDays(30), Duration.ofDays(30));
    Files.copy(Paths.certs().resolve("federation.json"), federationDir.resolve("federation.json"),
        StandardCopyOption.REPLACE_EXISTING);
    String revision = Files.readString(Paths.root().resolve(".run/bundles/socle-policies.revision")).strip();
    for (String slug : slugs) {
      JsonObject entry = directory.getJsonArray("nodes").stream().map(JsonObject.class::cast)
          .filter(n -> slug.equals(n.getString("slug"))).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no node " + slug + " in certs-dev/federation.json"));
      pki.issueNode(federationDir, NodeRequest.of(entry.getString("siren"), entry.getString("name")).withSlug(slug).withValidity(Duration.ofDays(7))
          .withSubjectAltNames(List.of(slug, "localhost"), List.of("127.0.0.1")));

      // What a territory team mounts at /config: the node's certificate and key, the federation's
      // public files, the configuration. No CA key.
      Path config = work.resolve(slug).resolve("config");
      Path certs = config.resolve("certs");
      Files.createDirectories(certs.resolve("nodes").resolve(slug));
      for (String file : new String[] {"root-ca.crt", "issuing-ca.crt", "federation.crl", "federation.json"}) {
        Files.copy(federationDir.resolve(file), certs.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
      for (String file : new String[] {"node.crt", "node.key"}) {
        Files.copy(federationDir.resolve("nodes").resolve(slug).resolve(file),
            certs.resolve("nodes").resolve(slug).resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
      Files.writeString(config.resolve("api-key.txt"), NodeProcess.API_KEY);
      Files.writeString(config.resolve("node.json"), nodeConfig(slug, revision).encodePrettily());
      readableByAll(config);
      // The key stays readable by the node's user alone, as the README asks of a deployment.
      Path key = certs.resolve("nodes").resolve(slug).resolve("node.key");
      Files.setAttribute(key, "unix:uid", NODE_UID);
      Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

      Path data = work.resolve(slug).resolve("data");
      Files.createDirectories(data);
      // The node runs as an unprivileged user: its data volume must be its own.
      Files.setAttribute(data, "unix:uid", NODE_UID);
      Files.setAttribute(data, "unix:gid", NODE_UID);
      Member member = new Member(slug, config, data);
      member.participantId = "NTRFR-" + entry.getString("siren");
      members.put(slug, member);
    }
  }

  private JsonObject nodeConfig(String slug, String revision) {
    return new JsonObject()
        .put("name", slug)
        .put("dataDir", "/data")
        .put("dsp", new JsonObject().put("host", "0.0.0.0").put("port", DSP_PORT)
            .put("publicUrl", "https://" + slug + ":" + DSP_PORT))
        // All interfaces inside the container: the engine publishes the port on the host's loopback.
        .put("management", new JsonObject().put("host", "0.0.0.0").put("port", MANAGEMENT_PORT)
            .put("apiKeyFile", "api-key.txt").put("auditorKey", NodeProcess.AUDITOR_KEY))
        .put("tls", new JsonObject().put("nodeDir", "certs/nodes/" + slug).put("federationDir", "certs"))
        .put("opa", new JsonObject().put("url", "http://" + slug + "-opa:8181").put("expectedRevision", revision))
        .put("federation", new JsonObject().put("directory", "certs/federation.json"))
        .put("limits", new JsonObject().put("dspTimeoutMillis", dspTimeoutMillis));
  }

  /** The node reads /config as uid 10001, not as the owner of the test's files. */
  private static void readableByAll(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      files.forEach(p -> {
        try {
          Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
              Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /** Each container's output goes to its own file under target/container-logs, kept after the run. */
  private static void log(String name, OutputFrame frame) {
    try {
      Files.createDirectories(LOGS);
      Files.writeString(LOGS.resolve(name + ".log"), frame.getUtf8String(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Member m : members.values()) {
      m.node.stop();
      m.opa.stop();
    }
    network.close();
  }
}
