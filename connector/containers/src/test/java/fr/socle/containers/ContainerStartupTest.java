package fr.socle.containers;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.Paths;
import fr.socle.trust.FederationPki;
import fr.socle.trust.NodeRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;

/**
 * The node image refuses to start, at once and with a message that says what is missing, when the
 * territory team forgot to mount its configuration, its certificate, or gave it a data volume it
 * cannot write: the container exits, it does not stay up half-configured.
 */
@Timeout(300)
class ContainerStartupTest {

  private static final String SLUG = "region-exemple";

  @TempDir
  static Path work;

  private static Path federation;

  @BeforeAll
  static void issueFederation() {
    Images.requireBuilt();
    federation = work.resolve("federation");
    FederationPki pki = new FederationPki();
    pki.initFederation(federation, "Fédération Socle (conteneurs, test)", Duration.ofDays(30), Duration.ofDays(30));
    pki.issueNode(federation, NodeRequest.of("239900038", "Région Exemple (test)").withSlug(SLUG).withValidity(Duration.ofDays(7))
        .withSubjectAltNames(java.util.List.of(SLUG), java.util.List.of()));
  }

  /** What the node printed and how it exited. */
  private record Exit(long code, String output) {
  }

  @Test
  void refusesToStartWithoutItsConfiguration() throws Exception {
    Exit exit = run(null, writableData("no-config"));
    assertThat(exit.output()).contains("socle: invalid configuration: the configuration file /config/node.json "
        + "does not exist");
    assertThat(exit.code()).isEqualTo(2);
  }

  @Test
  void refusesToStartWithoutItsCertificate() throws Exception {
    Path config = config("no-cert");
    Files.delete(config.resolve("certs/nodes").resolve(SLUG).resolve("node.crt"));
    Exit exit = run(config, writableData("no-cert"));
    assertThat(exit.output()).contains("socle: the node could not start: tls: missing file: /config/certs/nodes/"
        + SLUG + "/node.crt");
    assertThat(exit.code()).isEqualTo(1);
  }

  @Test
  void refusesToStartWithoutItsCertificateDirectory() throws Exception {
    Path config = config("no-node-dir");
    try (var files = Files.walk(config.resolve("certs/nodes"))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    Exit exit = run(config, writableData("no-node-dir"));
    assertThat(exit.output()).contains("socle: invalid configuration: tls.nodeDir: directory /config/certs/nodes/"
        + SLUG + " does not exist");
    assertThat(exit.code()).isEqualTo(2);
  }

  @Test
  void refusesToStartOnADataVolumeItCannotWrite() throws Exception {
    Path data = work.resolve("root-data");
    Files.createDirectories(data); // owned by root, mode 755: not the node's
    Exit exit = run(config("root-data"), data);
    assertThat(exit.output()).contains("socle: invalid configuration: dataDir /data is not writable by the "
        + "node's user (uid " + ContainerFederation.NODE_UID + ")");
    assertThat(exit.code()).isEqualTo(2);
  }

  /** A complete configuration, as ContainerFederation writes it; the tests then take a piece away. */
  private static Path config(String name) throws IOException {
    Path config = work.resolve(name).resolve("config");
    Path nodeDir = config.resolve("certs/nodes").resolve(SLUG);
    Files.createDirectories(nodeDir);
    for (String file : new String[] {"root-ca.crt", "issuing-ca.crt", "federation.crl"}) {
      Files.copy(federation.resolve(file), config.resolve("certs").resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    for (String file : new String[] {"node.crt", "node.key"}) {
      Path copy = nodeDir.resolve(file);
      Files.copy(federation.resolve("nodes").resolve(SLUG).resolve(file), copy, StandardCopyOption.REPLACE_EXISTING);
      Files.setAttribute(copy, "unix:uid", ContainerFederation.NODE_UID);
    }
    String revision = Files.readString(Paths.root().resolve(".run/bundles/socle-policies.revision")).strip();
    Files.writeString(config.resolve("node.json"), new JsonObject()
        .put("name", SLUG).put("dataDir", "/data")
        .put("dsp", new JsonObject().put("host", "0.0.0.0").put("port", 8443).put("publicUrl", "https://" + SLUG + ":8443"))
        .put("management", new JsonObject().put("host", "0.0.0.0").put("port", 8080).put("apiKey", NodeProcess.API_KEY))
        .put("tls", new JsonObject().put("nodeDir", "certs/nodes/" + SLUG).put("federationDir", "certs"))
        .put("opa", new JsonObject().put("url", "http://" + SLUG + "-opa:8181").put("expectedRevision", revision))
        .encodePrettily());
    return config;
  }

  private static Path writableData(String name) throws IOException {
    Path data = work.resolve(name).resolve("data");
    Files.createDirectories(data);
    Files.setAttribute(data, "unix:uid", ContainerFederation.NODE_UID);
    return data;
  }

  /** Runs the node image until it exits; fails if it is still running after the start-up limit. */
  private static Exit run(Path config, Path data) {
    try (GenericContainer<?> node = new GenericContainer<>(Images.NODE)) {
      if (config != null) {
        node.withFileSystemBind(config.toString(), "/config", BindMode.READ_ONLY);
      }
      node.withFileSystemBind(data.toString(), "/data", BindMode.READ_WRITE)
          .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
          .withStartupCheckStrategy(new ExitedStrategy().withTimeout(Duration.ofMinutes(2)));
      node.start();
      InspectContainerResponse.ContainerState state = node.getCurrentContainerInfo().getState();
      return new Exit(state.getExitCodeLong(), node.getLogs());
    }
  }

  /** Start-up is over once the container has exited, whatever its exit code: the tests read it. */
  private static final class ExitedStrategy extends StartupCheckStrategy {
    @Override
    public StartupStatus checkStartupState(DockerClient client, String containerId) {
      InspectContainerResponse.ContainerState state = getCurrentState(client, containerId);
      return Boolean.TRUE.equals(state.getRunning()) || state.getFinishedAt() == null
          || state.getFinishedAt().startsWith("0001") ? StartupStatus.NOT_YET_KNOWN : StartupStatus.SUCCESSFUL;
    }
  }
}
