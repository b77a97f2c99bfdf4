package fr.socle.node;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.Federation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.Offers;
import fr.socle.testing.TlsClients;
import fr.socle.testing.TwoNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider bounds the unfinished negotiations and transfers one partner may keep open with it;
 * a Socle consumer whose request goes beyond ends it at once with the provider's reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class PartnerLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int MAX_OPEN = 2;

  @TempDir
  static Path work;

  private TwoNodes nodes;
  private NodeProcess provider;
  private NodeProcess consumer;
  /** Negotiated first: the negotiation test leaves this partner no room for another negotiation. */
  private String agreement;

  @BeforeAll
  void start() throws Exception {
    nodes = TwoNodes.start(work, new JsonObject().put("limits", new JsonObject()
        .put("maxOpenTransfersPerParticipant", MAX_OPEN).put("maxOpenNegotiationsPerParticipant", MAX_OPEN)),
        new JsonObject());
    provider = nodes.provider();
    consumer = nodes.consumer();
    Files.createDirectories(provider.dataDir().resolve("assets"));
    Files.writeString(provider.dataDir().resolve("assets/arrets.csv"), "id;nom\n1;Port\n");
    agreement = Offers.agree(provider, consumer, file(), use(), WAIT);
  }

  @AfterAll
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  private static JsonObject file() {
    return new JsonObject().put("type", "file").put("path", "assets/arrets.csv");
  }

  private static JsonObject use() {
    return new JsonObject().put("action", "use");
  }

  @Test
  void aTransferRequestBeyondThePartnersOpenTransfersIsRefusedUntilOneEnds() throws Exception {
    String first = requestTransfer(agreement);
    consumer.api().awaitField("/api/transfers/" + first, "state", WAIT, "STARTED");
    consumer.api().awaitField("/api/transfers/" + requestTransfer(agreement), "state", WAIT, "STARTED");

    JsonObject refused = consumer.api().awaitField("/api/transfers/" + requestTransfer(agreement), "state", WAIT,
        "TERMINATED");
    assertThat(refused.getString("detail")).isEqualTo("the provider refused the request (HTTP 429): "
        + consumer.participantId() + " already has " + MAX_OPEN + " unfinished transfers with this node, the most"
        + " it may have (limits.maxOpenTransfersPerParticipant); complete or terminate some first");

    consumer.api().post("/api/transfers/" + first + "/completion", new JsonObject());
    consumer.api().awaitField("/api/transfers/" + first, "state", WAIT, "COMPLETED");
    consumer.api().awaitField("/api/transfers/" + requestTransfer(agreement), "state", WAIT, "STARTED");
  }

  /**
   * Contract requests whose callback nobody answers stay unfinished on the provider (its agreement
   * cannot be delivered); beyond the bound the next one is a DSP error, and a Socle consumer's
   * negotiation ends at once with the reason.
   */
  @Test
  void contractRequestsBeyondThePartnersOpenNegotiationsAreRefused() throws Exception {
    JsonObject offer = Offers.publish(provider, consumer, file(), use());
    HttpClient member = TlsClients.member(Federation.CONSUMER);
    for (int i = 0; i < MAX_OPEN; i++) {
      assertThat(contractRequest(member, offer).statusCode()).isEqualTo(201);
    }
    HttpResponse<String> beyond = contractRequest(member, offer);
    assertThat(beyond.statusCode()).isEqualTo(429);
    JsonObject error = new JsonObject(beyond.body());
    assertThat(error.getString("@type")).isEqualTo("ContractNegotiationError");
    assertThat(error.getString("code")).isEqualTo("too_many_open_negotiations");
    assertThat(error.getJsonArray("reason").getString(0)).contains("already has " + MAX_OPEN
        + " unfinished negotiations").contains("limits.maxOpenNegotiationsPerParticipant");

    JsonObject n = consumer.api().post("/api/negotiations", new JsonObject()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress())
        .put("offer", offer));
    JsonObject ended = consumer.api().awaitField("/api/negotiations/" + n.getString("id"), "state", WAIT,
        "TERMINATED");
    assertThat(ended.getString("detail")).startsWith("the provider refused the request (HTTP 429): "
        + consumer.participantId() + " already has " + MAX_OPEN + " unfinished negotiations");
  }

  private String requestTransfer(String agreement) throws Exception {
    return consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement)).getString("id");
  }

  private HttpResponse<String> contractRequest(HttpClient member, JsonObject offer) throws Exception {
    JsonObject message = new JsonObject()
        .put("@context", new JsonArray().add("https://w3id.org/dspace/2025/1/context.jsonld"))
        .put("@type", "ContractRequestMessage").put("consumerPid", "urn:uuid:" + UUID.randomUUID())
        .put("callbackAddress", "https://127.0.0.1:9/callback").put("offer", offer);
    return member.send(HttpRequest.newBuilder(URI.create(provider.dspAddress() + "/negotiations/request"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + Federation.token(Federation.CONSUMER, provider.participantId()))
        .POST(HttpRequest.BodyPublishers.ofString(message.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }
}
