package fr.socle.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import fr.socle.testing.Paths;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up checks a container deployment relies on: what is missing is named, at once. */
class NodeConfigTest {

  @TempDir
  Path dir;

  @Test
  void aMissingConfigurationFileIsNamed() {
    Path missing = dir.resolve("config/node.json");
    assertThatThrownBy(() -> NodeConfig.load(missing)).isInstanceOf(NodeConfig.ConfigException.class)
        .hasMessage("the configuration file " + missing.toAbsolutePath() + " does not exist");
  }

  @Test
  void theDataDirectoryIsCreatedWhenMissing() throws Exception {
    NodeConfig config = config(dir.resolve("data/nested"));
    config.prepareDataDir();
    assertThat(dir.resolve("data/nested")).isDirectory();
  }

  @Test
  void aDataDirectoryTheNodeCannotWriteIsNamedWithTheNodesUser() throws Exception {
    // root writes anywhere: the refusal can only be seen as another user.
    assumeFalse("root".equals(System.getProperty("user.name")), "runs as root");
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("r-xr-xr-x"));
    assertThatThrownBy(() -> config(data).prepareDataDir()).isInstanceOf(NodeConfig.ConfigException.class)
        .hasMessageStartingWith("dataDir " + data + " is not writable by the node's user (uid ");
  }

  @Test
  void theEmbeddedDatabaseIsSqliteAndAnH2FileDatabaseIsRefused() {
    assertThat(NodeConfig.defaultDatabaseUrl(java.nio.file.Path.of("/var/lib/socle")))
        .isEqualTo("jdbc:sqlite:/var/lib/socle/socle.db");
    assertThat(NodeConfig.durable("jdbc:postgresql://db/socle")).isEqualTo("jdbc:postgresql://db/socle");
    assertThat(NodeConfig.durable("jdbc:sqlite:/data/socle.db")).isEqualTo("jdbc:sqlite:/data/socle.db");
    assertThatThrownBy(() -> NodeConfig.durable("jdbc:h2:file:/data/db;WRITE_DELAY=0"))
        .isInstanceOf(NodeConfig.ConfigException.class)
        .hasMessageStartingWith("database.url names an H2 database (jdbc:h2:file:/data/db;WRITE_DELAY=0): H2 can lose")
        .hasMessageContaining("remove database.url");
  }

  @Test
  void theDefaultDatabaseIsDurable() throws Exception {
    assertThat(config(dir.resolve("data")).database().url())
        .isEqualTo("jdbc:sqlite:" + dir.resolve("data").toAbsolutePath().resolve("socle.db"));
  }

  @Test
  void theDiskForReceivedBodiesHasADefaultAndHoldsAtLeastTheLargestBody() throws Exception {
    Path data = dir.resolve("data");
    assertThat(config(data).dataPlane().maxReceivedDiskBytes()).isEqualTo(50L << 30);
    assertThat(config(data, new JsonObject().put("maxReceivedBytes", 80L << 30)).dataPlane().maxReceivedDiskBytes())
        .as("a larger largest body").isEqualTo(80L << 30);
    assertThat(config(data, new JsonObject().put("maxReceivedBytes", 1_000).put("maxReceivedDiskBytes", 1_000_000))
        .dataPlane().maxReceivedDiskBytes()).isEqualTo(1_000_000);
    assertThatThrownBy(() -> config(data, new JsonObject().put("maxReceivedBytes", 2_000)
        .put("maxReceivedDiskBytes", 1_999))).isInstanceOf(NodeConfig.ConfigException.class)
        .hasMessage("limits.maxReceivedDiskBytes must be at least limits.maxReceivedBytes (2000), the largest push"
            + " this node accepts, got 1999");
    assertThatThrownBy(() -> config(data, new JsonObject().put("maxReceivedDiskBytes", 0)))
        .isInstanceOf(NodeConfig.ConfigException.class)
        .hasMessage("limits.maxReceivedDiskBytes must be a positive number, got 0");
  }

  private NodeConfig config(Path data) throws Exception {
    return config(data, new JsonObject());
  }

  private NodeConfig config(Path data, JsonObject limits) throws Exception {
    Path certs = Paths.certs();
    Path file = dir.resolve("node.json");
    Files.writeString(file, new JsonObject().put("dataDir", data.toString())
        .put("management", new JsonObject().put("apiKey", "0123456789abcdef0123"))
        .put("tls", new JsonObject().put("nodeDir", certs.resolve("nodes/region-exemple").toString())
            .put("federationDir", certs.toString()))
        .put("opa", new JsonObject().put("expectedRevision", "sha256-0000")).put("limits", limits).encode());
    return NodeConfig.load(file);
  }
}
