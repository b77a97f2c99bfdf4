package fr.socle.node;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.Await;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is ever lost, between two real nodes with real OPA: a request a consumer
 * re-sends under the same consumerPid finds the process its first copy opened, however the copies
 * arrive; and a node whose record fell behind its partner's (killed between a message and its
 * acknowledgement) asks the partner when it starts again, or when its message is refused, and
 * catches up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class ResentAndResumedTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  /** A callback nobody answers: the provider's own messages do not get through, its records stay as made. */
  private static final String DEAD_CALLBACK = "https://127.0.0.1:9/callback";
  private static final String CONTEXT = "https://w3id.org/dspace/2025/1/context.jsonld";

  @TempDir
  static Path work;

  private TwoNodes nodes;
  private NodeProcess provider;
  private NodeProcess consumer;
  private HttpClient member;

  @BeforeAll
  void start() throws Exception {
    nodes = TwoNodes.start(work, new JsonObject(), new JsonObject());
    provider = nodes.provider();
    consumer = nodes.consumer();
    Files.createDirectories(provider.dataDir().resolve("assets"));
    Files.writeString(provider.dataDir().resolve("assets/horaires.csv"), "ligne;depart\n1;07:10\n");
    member = TlsClients.member(Federation.CONSUMER);
  }

  @AfterAll
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  private static JsonObject file() {
    return new JsonObject().put("type", "file").put("path", "assets/horaires.csv");
  }

  private static JsonObject use() {
    return new JsonObject().put("action", "use");
  }

  // ---- re-sent requests ----

  @Test
  void aContractRequestSentTwiceOpensOneNegotiationAndSignsOneAgreement() throws Exception {
    JsonObject offer = Offers.publish(provider, consumer, file(), use());
    String consumerPid = "urn:uuid:" + UUID.randomUUID();

    HttpResponse<String> first = dsp("/negotiations/request", contractRequest(consumerPid, offer));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    String providerPid = new JsonObject(first.body()).getString("providerPid");
    // The provider decides and signs; its agreement cannot reach the dead callback.
    awaitAgreement(providerPid);

    HttpResponse<String> again = dsp("/negotiations/request", contractRequest(consumerPid, offer));
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    JsonObject answer = new JsonObject(again.body());
    assertThat(answer.getString("@type")).isEqualTo("ContractNegotiation");
    assertThat(answer.getString("providerPid")).isEqualTo(providerPid);
    assertThat(answer.getString("consumerPid")).isEqualTo(consumerPid);
    assertThat(answer.getString("state")).isEqualTo("REQUESTED");

    assertThat(negotiationsOf(consumerPid)).extracting(n -> n.getString("id")).containsExactly(providerPid);
    assertThat(agreementsOf(providerPid)).hasSize(1);
  }

  @Test
  void copiesOfOneContractRequestArrivingTogetherOpenOneNegotiation() throws Exception {
    JsonObject offer = Offers.publish(provider, consumer, file(), use());
    String consumerPid = "urn:uuid:" + UUID.randomUUID();
    List<HttpResponse<String>> answers = together(6, "/negotiations/request", contractRequest(consumerPid, offer));

    assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(201));
    List<String> providerPids = answers.stream().map(r -> new JsonObject(r.body()).getString("providerPid"))
        .distinct().toList();
    assertThat(providerPids).hasSize(1);
    assertThat(negotiationsOf(consumerPid)).hasSize(1);
    awaitAgreement(providerPids.get(0));
    assertThat(agreementsOf(providerPids.get(0))).hasSize(1);
  }

  @Test
  void theSameConsumerPidForAnotherOfferIsAConflict() throws Exception {
    JsonObject offer = Offers.publish(provider, consumer, file(), use());
    JsonObject other = Offers.publish(provider, consumer, file(), use());
    String consumerPid = "urn:uuid:" + UUID.randomUUID();
    assertThat(dsp("/negotiations/request", contractRequest(consumerPid, offer)).statusCode()).isEqualTo(201);

    HttpResponse<String> refused = dsp("/negotiations/request", contractRequest(consumerPid, other));
    assertThat(refused.statusCode()).isEqualTo(409);
    JsonObject error = new JsonObject(refused.body());
    assertThat(error.getString("@type")).isEqualTo("ContractNegotiationError");
    assertThat(error.getString("code")).isEqualTo("consumer_pid_in_use");
    assertThat(error.getString("consumerPid")).isEqualTo(consumerPid);
    assertThat(error.getJsonArray("reason").getString(0)).contains(offer.getString("@id"))
        .contains(other.getString("@id"));
    assertThat(negotiationsOf(consumerPid)).hasSize(1);
  }

  @Test
  void aTransferRequestSentTwiceOrTogetherOpensOneTransfer() throws Exception {
    String agreement = Offers.agree(provider, consumer, file(), use(), WAIT);
    String consumerPid = "urn:uuid:" + UUID.randomUUID();
    JsonObject request = transferRequest(consumerPid, agreement, "HttpData-PULL");

    HttpResponse<String> first = dsp("/transfers/request", request);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    String providerPid = new JsonObject(first.body()).getString("providerPid");
    List<HttpResponse<String>> copies = together(4, "/transfers/request", request);
    assertThat(copies).allSatisfy(r -> {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      assertThat(new JsonObject(r.body()).getString("providerPid")).isEqualTo(providerPid);
    });
    assertThat(transfersOf(consumerPid)).extracting(t -> t.getString("id")).containsExactly(providerPid);

    HttpResponse<String> otherFormat = dsp("/transfers/request", transferRequest(consumerPid, agreement,
        "HttpData-PUSH").put("dataAddress", new JsonObject().put("@type", "DataAddress")
        .put("endpointType", "https://w3id.org/idsa/v4.1/HTTP").put("endpoint", "https://127.0.0.1:9/push")
        .put("endpointProperties", new JsonArray().add(new JsonObject().put("@type", "EndpointProperty")
            .put("name", "authorization").put("value", "secret")))));
    assertThat(otherFormat.statusCode()).as(otherFormat.body()).isEqualTo(409);
    assertThat(new JsonObject(otherFormat.body()).getString("@type")).isEqualTo("TransferError");
    assertThat(new JsonObject(otherFormat.body()).getString("code")).isEqualTo("consumer_pid_in_use");
    assertThat(transfersOf(consumerPid)).hasSize(1);
  }

  /**
   * A message about a transfer must name both processes: the right participant naming the provider's
   * process but another consumer process of its own is refused, and the transfer is left as it was.
   */
  @Test
  void aTransferMessageNamingAnotherConsumerProcessIsRefused() throws Exception {
    String agreement = Offers.agree(provider, consumer, file(), use(), WAIT);
    String consumerPid = "urn:uuid:" + UUID.randomUUID();
    HttpResponse<String> created = dsp("/transfers/request", transferRequest(consumerPid, agreement, "HttpData-PULL"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String providerPid = new JsonObject(created.body()).getString("providerPid");

    HttpResponse<String> other = dsp("/transfers/" + providerPid + "/termination", new JsonObject()
        .put("@context", new JsonArray().add(CONTEXT)).put("@type", "TransferTerminationMessage")
        .put("providerPid", providerPid)
        .put("consumerPid", "urn:uuid:" + UUID.randomUUID()).put("code", "test"));
    assertThat(other.statusCode()).as(other.body()).isEqualTo(400);
    assertThat(new JsonObject(other.body()).getString("@type")).isEqualTo("TransferError");
    assertThat(provider.api().get("/api/transfers/" + providerPid).getString("state")).isNotEqualTo("TERMINATED");
  }

  // ---- a node behind its partner catches up ----

  /**
   * The consumer's record says VERIFIED while the provider has FINALIZED (the FINALIZED event was
   * acknowledged, then lost with the consumer): no message will ever come again, so the consumer, on
   * its restart, asks the provider and finalizes, with an audit record that says so.
   */
  @Test
  void aConsumerLeftVerifiedFinalizesAfterItsRestartByAskingTheProvider() throws Exception {
    JsonObject offer = Offers.publish(provider, consumer, file(), use());
    JsonObject started = consumer.api().post("/api/negotiations", new JsonObject()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress())
        .put("offer", offer));
    String id = started.getString("id");
    JsonObject finalized = consumer.api().awaitField("/api/negotiations/" + id, "state", WAIT, "FINALIZED");
    provider.api().awaitField("/api/negotiations/" + finalized.getString("counterPartyPid"), "state", WAIT,
        "FINALIZED");

    consumer.kill();
    setState(consumer, "negotiation", id, "VERIFIED");
    consumer.launch();

    JsonObject caughtUp = consumer.api().awaitField("/api/negotiations/" + id, "state", WAIT, "FINALIZED");
    assertThat(caughtUp.getString("agreementId")).isEqualTo(finalized.getString("agreementId"));
    JsonObject audited = awaitAudited(consumer, id, "VERIFIED -> FINALIZED");
    assertThat(audited.getString("note")).contains("converged").contains(provider.participantId())
        .contains("FINALIZED");
  }

  /**
   * The provider's record says STARTING (killed between its start message and the acknowledgement)
   * while the consumer has pulled the data and COMPLETED: the start it sends again on restart is
   * refused (409), so it asks the consumer and completes, instead of resending until it gives up.
   */
  @Test
  void aProviderLeftStartingWhileTheConsumerCompletedCompletesAfterItsRestart() throws Exception {
    String agreement = Offers.agree(provider, consumer, file(), use(), WAIT);
    String t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement)).getString("id");
    JsonObject running = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "STARTED");
    HttpResponse<byte[]> data = consumer.api().download("/api/transfers/" + t + "/data");
    assertThat(new String(data.body(), StandardCharsets.UTF_8)).contains("07:10");
    consumer.api().post("/api/transfers/" + t + "/completion", new JsonObject());
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "COMPLETED");
    String providerPid = running.getString("counterPartyPid");
    provider.api().awaitField("/api/transfers/" + providerPid, "state", WAIT, "COMPLETED");

    provider.kill();
    setState(provider, "transfer", providerPid, "STARTING");
    provider.launch();

    JsonObject caughtUp = provider.api().awaitField("/api/transfers/" + providerPid, "state", WAIT, "COMPLETED",
        "TERMINATED");
    assertThat(caughtUp.getString("state")).as(caughtUp.encode()).isEqualTo("COMPLETED");
    assertThat(consumer.api().get("/api/transfers/" + t).getString("state")).isEqualTo("COMPLETED");
    JsonObject audited = awaitAudited(provider, providerPid, "STARTING -> COMPLETED");
    assertThat(audited.getString("note")).contains("converged").contains(consumer.participantId())
        .contains("COMPLETED");
  }

  // ---- helpers ----

  /** Rewrites a process row of a stopped node, as a node killed before recording its last change leaves it. */
  private static void setState(NodeProcess node, String table, String id, String state) throws Exception {
    assertThat(node.isAlive()).isFalse();
    try (Connection c = DriverManager.getConnection(NodeConfig.defaultDatabaseUrl(node.dataDir()));
        PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state = ? WHERE id = ?")) {
      ps.setString(1, state);
      ps.setString(2, id);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  /**
   * The payload of the audit entry recording {@code change} of {@code subject} with a note (the
   * negotiation may have made the same change before, on a message); polled, since an entry joins the
   * log just after its change commits.
   */
  private static JsonObject awaitAudited(NodeProcess node, String subject, String change) throws Exception {
    Predicate<JsonObject> noted = payload -> change.equals(payload.getString("change"))
        && payload.getValue("note") != null;
    return Await.until(WAIT, "an audit entry " + change + " with a note for " + subject,
        () -> auditedChanges(node, subject), seen -> seen.stream().anyMatch(noted))
        .stream().filter(noted).findFirst().orElseThrow();
  }

  /** The payloads of the audit entries about {@code subject}, from the node's auditor export. */
  private static List<JsonObject> auditedChanges(NodeProcess node, String subject) throws Exception {
    HttpResponse<String> export = node.auditor().send("GET", "/audit/export?from=0", null);
    assertThat(export.statusCode()).as(export.body()).isEqualTo(200);
    List<JsonObject> payloads = new ArrayList<>();
    for (String line : export.body().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject record = new JsonObject(line);
      if (subject.equals(record.getString("subject")) && record.getValue("payload") instanceof JsonObject p) {
        payloads.add(p);
      }
    }
    return payloads;
  }

  private void awaitAgreement(String providerPid) throws Exception {
    JsonObject n = provider.api().awaitField("/api/negotiations/" + providerPid, "state", WAIT, "AGREEING",
        "AGREED", "TERMINATING", "TERMINATED");
    assertThat(n.getString("agreementId")).as(n.encode()).isNotNull();
  }

  private List<JsonObject> negotiationsOf(String consumerPid) throws Exception {
    return items(provider.api().get("/api/negotiations")).stream()
        .filter(n -> consumerPid.equals(n.getString("counterPartyPid"))).toList();
  }

  private List<JsonObject> transfersOf(String consumerPid) throws Exception {
    return items(provider.api().get("/api/transfers")).stream()
        .filter(t -> consumerPid.equals(t.getString("counterPartyPid"))).toList();
  }

  private List<JsonObject> agreementsOf(String providerPid) throws Exception {
    return items(provider.api().get("/api/agreements")).stream()
        .filter(a -> providerPid.equals(a.getString("negotiationId"))).toList();
  }

  private static List<JsonObject> items(JsonObject wrapped) {
    return wrapped.getJsonArray("items").stream().map(o -> (JsonObject) o).toList();
  }

  private static JsonObject contractRequest(String consumerPid, JsonObject offer) {
    return new JsonObject().put("@context", new JsonArray().add(CONTEXT)).put("@type", "ContractRequestMessage")
        .put("consumerPid", consumerPid).put("callbackAddress", DEAD_CALLBACK).put("offer", offer);
  }

  private static JsonObject transferRequest(String consumerPid, String agreementId, String format) {
    return new JsonObject().put("@context", new JsonArray().add(CONTEXT)).put("@type", "TransferRequestMessage")
        .put("consumerPid", consumerPid).put("agreementId", agreementId).put("format", format)
        .put("callbackAddress", DEAD_CALLBACK);
  }

  /** {@code copies} copies of one message, sent at once, each with its own node token (tokens are single-use). */
  private List<HttpResponse<String>> together(int copies, String path, JsonObject message) throws Exception {
    List<HttpRequest> requests = new ArrayList<>();
    for (int i = 0; i < copies; i++) {
      requests.add(request(path, message));
    }
    List<CompletableFuture<HttpResponse<String>>> sent = requests.stream()
        .map(r -> member.sendAsync(r, HttpResponse.BodyHandlers.ofString())).toList();
    List<HttpResponse<String>> answers = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      answers.add(f.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
    }
    return answers;
  }

  private HttpResponse<String> dsp(String path, JsonObject message) throws Exception {
    return member.send(request(path, message), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(String path, JsonObject message) {
    return HttpRequest.newBuilder(URI.create(provider.dspAddress() + path)).timeout(WAIT)
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + Federation.token(Federation.CONSUMER, provider.participantId()))
        .POST(HttpRequest.BodyPublishers.ofString(message.encode())).build();
  }
}
