package fr.socle.node;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.agreement.AgreementSigner;
import fr.socle.testing.Await;
import fr.socle.testing.Federation;
import fr.socle.testing.LocalFederation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.Paths;
import fr.socle.testing.TlsClients;
import fr.socle.trust.NodeTls;
import fr.socle.trust.TrustMaterial;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dishonest provider, played by hand with the région's own certificate and key, against a real
 * consumer node with its real OPA: an agreement carrying terms the consumer did not ask for (here a
 * prohibition), though signed by the provider, is answered with a 400 naming the difference, and the
 * consumer ends the negotiation, telling the provider why; nothing is countersigned. The same terms
 * written otherwise are countersigned as usual.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class AlteredAgreementTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final TrustMaterial REGION = TrustMaterial.load(Paths.certs().resolve("nodes")
      .resolve(Federation.PROVIDER), Paths.certs());
  private static final String PROVIDER_ID = REGION.participant().id().value();

  @TempDir
  static Path work;

  private LocalFederation federation;
  private NodeProcess consumer;
  private Vertx vertx;
  private HttpServer provider;
  private HttpClient member;
  /** What the consumer sent the played provider, by providerPid, in order: "METHOD path" and body. */
  private final Map<String, List<JsonObject>> received = new ConcurrentHashMap<>();

  @BeforeAll
  void start() throws Exception {
    federation = LocalFederation.in(work).node(Federation.CONSUMER).start();
    consumer = federation.node(Federation.CONSUMER);
    vertx = Vertx.vertx();
    provider = vertx.createHttpServer(NodeTls.of(Paths.certs().resolve("nodes").resolve(Federation.PROVIDER),
        Paths.certs()).serverOptions("127.0.0.1", 0)).requestHandler(this::provide).listen().await();
    member = TlsClients.member(Federation.PROVIDER);
  }

  @AfterAll
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await();
    }
    if (federation != null) {
      federation.close();
    }
  }

  /**
   * The played provider: opens a negotiation on a contract request (its providerPid is the consumer's
   * pid with a prefix), acknowledges every other message and records them all.
   */
  private void provide(HttpServerRequest request) {
    request.body().onSuccess(buffer -> {
      JsonObject body = buffer.length() == 0 ? new JsonObject() : buffer.toJsonObject();
      String path = request.path();
      if (request.method() == HttpMethod.POST && path.equals("/negotiations/request")) {
        String providerPid = "p-" + body.getString("consumerPid");
        record(providerPid, "POST " + path, body);
        request.response().setStatusCode(201).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("@context", new JsonArray().add("https://w3id.org/dspace/2025/1/context.jsonld"))
                .put("@type", "ContractNegotiation").put("providerPid", providerPid)
                .put("consumerPid", body.getString("consumerPid")).put("state", "REQUESTED").encode());
        return;
      }
      String providerPid = path.replaceFirst("^/negotiations/([^/]+).*$", "$1");
      record(providerPid, request.method() + " " + path, body);
      request.response().setStatusCode(200).end();
    });
  }

  private void record(String providerPid, String call, JsonObject body) {
    received.computeIfAbsent(providerPid, k -> new CopyOnWriteArrayList<>()).add(new JsonObject()
        .put("call", call).put("body", body));
  }

  /** The consumer asks the played provider for an offer, declaring its purpose; returns its negotiation. */
  private JsonObject negotiate() throws Exception {
    JsonObject offer = new JsonObject().put("@id", "offer-" + UUID.randomUUID()).put("@type", "Offer")
        .put("assigner", PROVIDER_ID).put("target", "eau-2026").put("permission", new JsonArray()
            .add(new JsonObject().put("action", "use").put("constraint", new JsonArray().add(new JsonObject()
                .put("leftOperand", "purpose").put("operator", "eq").put("rightOperand", "statistics")))));
    JsonObject n = consumer.api().post("/api/negotiations", new JsonObject().put("counterPartyId", PROVIDER_ID)
        .put("counterPartyAddress", "https://localhost:" + provider.actualPort()).put("offer", offer)
        .put("purpose", "statistiques de fréquentation"));
    return consumer.api().awaitField("/api/negotiations/" + n.getString("id"), "state", WAIT, "REQUESTED");
  }

  /** The terms as the consumer sent them: its offer, with its declaration beside it in the request. */
  private JsonObject requested(JsonObject negotiation) {
    JsonObject request = received.get(negotiation.getString("counterPartyPid")).get(0).getJsonObject("body");
    JsonObject terms = request.getJsonObject("offer").copy();
    request.forEach(e -> {
      if (e.getKey().startsWith("https://w3id.org/socle/v1/")) {
        terms.put(e.getKey(), e.getValue());
      }
    });
    return terms;
  }

  /** Sends {@code agreement}, signed by the région, as the provider's ContractAgreementMessage. */
  private HttpResponse<String> agree(JsonObject negotiation, JsonObject agreement) throws Exception {
    JsonObject message = new JsonObject()
        .put("@context", new JsonArray().add("https://w3id.org/dspace/2025/1/context.jsonld"))
        .put("@type", "ContractAgreementMessage").put("providerPid", negotiation.getString("counterPartyPid"))
        .put("consumerPid", negotiation.getString("id")).put("agreement", agreement)
        .put("callbackAddress", "https://localhost:" + provider.actualPort())
        .put(AgreementSigner.MESSAGE_MEMBER, new AgreementSigner(REGION, Clock.systemUTC()).sign(agreement,
            AgreementSigner.Role.PROVIDER));
    return member.send(HttpRequest.newBuilder(URI.create(consumer.dspAddress() + "/negotiations/"
            + negotiation.getString("id") + "/agreement")).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + Federation.token(Federation.PROVIDER, consumer.participantId()))
        .POST(HttpRequest.BodyPublishers.ofString(message.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An agreement on {@code terms}, as an honest provider makes it: the terms, named anew, assigned and dated. */
  private JsonObject agreementOf(JsonObject terms) {
    return terms.copy().put("@id", "urn:uuid:" + UUID.randomUUID()).put("@type", "Agreement")
        .put("assignee", consumer.participantId()).put("timestamp", "2026-11-26T02:00:00Z");
  }

  @Test
  void anAgreementWithAProhibitionNotAskedForIsRefusedAndTheNegotiationEnds() throws Exception {
    JsonObject n = negotiate();
    JsonObject agreement = agreementOf(requested(n))
        .put("prohibition", new JsonArray().add(new JsonObject().put("action", "distribute")));

    HttpResponse<String> answer = agree(n, agreement);

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
    JsonObject error = new JsonObject(answer.body());
    assertThat(error.getString("@type")).isEqualTo("ContractNegotiationError");
    assertThat(error.getString("code")).isEqualTo("agreement_terms_differ");
    assertThat(error.getJsonArray("reason").getString(0))
        .contains("prohibition: the agreement adds {action: distribute}, not asked for");
    assertThat(error.encode()).contains("prohibition : l'accord ajoute {action: distribute}");

    String path = "/api/negotiations/" + n.getString("id");
    JsonObject ended = consumer.api().awaitField(path, "state", WAIT, "TERMINATED");
    assertThat(ended.getString("detail")).startsWith("agreement " + agreement.getString("@id") + " refused: ")
        .contains("prohibition: the agreement adds {action: distribute}");
    assertThat(ended.getString("agreementId")).isNull();
    HttpResponse<String> french = consumer.api().send("GET", path, null, "Accept-Language", "fr");
    assertThat(new JsonObject(french.body()).getString("detail"))
        .startsWith("accord " + agreement.getString("@id") + " refusé : ").contains("l'accord ajoute");

    // The provider heard why; nothing was countersigned, nor kept.
    List<JsonObject> calls = received.get(n.getString("counterPartyPid"));
    assertThat(calls).extracting(c -> c.getString("call")).containsExactly("POST /negotiations/request",
        "POST /negotiations/" + n.getString("counterPartyPid") + "/termination");
    JsonObject termination = calls.get(1).getJsonObject("body");
    assertThat(termination.getJsonArray("reason").getString(0)).contains("prohibition: the agreement adds");
    assertThat(termination.encode()).contains("l'accord ajoute");
    assertThat(consumer.api().get("/api/agreements").getJsonArray("items"))
        .noneMatch(a -> agreement.getString("@id").equals(((JsonObject) a).getString("id")));
  }

  @Test
  void theSameTermsWrittenOtherwiseAreCountersigned() throws Exception {
    JsonObject n = negotiate();
    JsonObject terms = requested(n);
    // The target as a node reference and a prefixed permission, in another member order.
    JsonObject agreement = new JsonObject().put("@id", "urn:uuid:" + UUID.randomUUID()).put("@type", "Agreement")
        .put("odrl:permission", terms.getJsonArray("permission")).put("timestamp", "2026-11-26T02:00:00Z")
        .put("assignee", consumer.participantId()).put("assigner", PROVIDER_ID)
        .put("target", new JsonObject().put("@id", terms.getString("target")));
    terms.forEach(e -> {
      if (e.getKey().startsWith("https://w3id.org/socle/v1/")) {
        agreement.put(e.getKey(), e.getValue());
      }
    });

    HttpResponse<String> answer = agree(n, agreement);

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    String verification = "POST /negotiations/" + n.getString("counterPartyPid") + "/agreement/verification";
    Await.until(WAIT, "the consumer's verification", () -> received.get(n.getString("counterPartyPid")).stream()
        .anyMatch(c -> verification.equals(c.getString("call"))));
    JsonObject kept = consumer.api().get("/api/agreements/" + agreement.getString("@id"));
    assertThat(kept.getJsonObject("signatures").getJsonObject("consumer").getString("state")).isEqualTo("SIGNED");
  }
}
