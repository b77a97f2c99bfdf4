package fr.socle.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.NodeProcess;
import fr.socle.testing.Offers;
import fr.socle.testing.TwoNodes;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider bounds the unfinished transfers one partner may keep open with it; the consumer's
 * request beyond the bound ends at once with the provider's reason instead of being retried.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class TransferLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int MAX_OPEN = 2;

  @TempDir
  static Path work;

  private TwoNodes nodes;

  @BeforeAll
  void start() throws Exception {
    nodes = TwoNodes.start(work, new JsonObject().put("limits", new JsonObject()
        .put("maxOpenTransfersPerParticipant", MAX_OPEN)), new JsonObject());
    Files.createDirectories(nodes.provider().dataDir().resolve("assets"));
    Files.writeString(nodes.provider().dataDir().resolve("assets/arrets.csv"), "id;nom\n1;Port\n");
  }

  @AfterAll
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void aRequestBeyondThePartnersOpenTransfersIsRefusedUntilOneEnds() throws Exception {
    NodeProcess consumer = nodes.consumer();
    String agreement = Offers.agree(nodes.provider(), consumer, new JsonObject().put("type", "file")
        .put("path", "assets/arrets.csv"), new JsonObject().put("action", "use"), WAIT);
    String first = request(agreement);
    consumer.api().awaitField("/api/transfers/" + first, "state", WAIT, "STARTED");
    consumer.api().awaitField("/api/transfers/" + request(agreement), "state", WAIT, "STARTED");

    JsonObject refused = consumer.api().awaitField("/api/transfers/" + request(agreement), "state", WAIT,
        "TERMINATED");
    assertThat(refused.getString("detail")).isEqualTo("the provider refused the request (HTTP 429): "
        + consumer.participantId() + " already has " + MAX_OPEN + " unfinished transfers with this node, the most"
        + " it may have (limits.maxOpenTransfersPerParticipant); complete or terminate some first");

    consumer.api().post("/api/transfers/" + first + "/completion", new JsonObject());
    consumer.api().awaitField("/api/transfers/" + first, "state", WAIT, "COMPLETED");
    consumer.api().awaitField("/api/transfers/" + request(agreement), "state", WAIT, "STARTED");
  }

  private String request(String agreement) throws Exception {
    return nodes.consumer().api().post("/api/transfers", new JsonObject().put("agreementId", agreement))
        .getString("id");
  }
}
