package fr.socle.containers;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.containers.ContainerFederation.Member;
import fr.socle.testing.Paths;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three collectivités, each a socle-node container with its own socle-opa container, on one
 * container network where they call each other by hostname over mutual TLS: the exchange as a
 * territory would run it, and the two ways a federation fails in real life, a node that disappears
 * and a link that freezes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class ContainerFederationTest {

  private static final String PROVIDER = "region-exemple";
  private static final String CONSUMER = "commune-esempiu";
  private static final String OUTSIDER = "metropole-exemple";
  private static final Duration WAIT = Duration.ofSeconds(60);
  /**
   * A partner that does not answer within this delay fails the step, which the node retries with
   * back-off; short, so that the partition test sees retries soon.
   */
  private static final long DSP_TIMEOUT_MILLIS = 3_000;

  @TempDir
  static Path work;

  private ContainerFederation federation;
  private Member provider;
  private Member consumer;
  private Member outsider;
  private byte[] dataset;

  @BeforeAll
  void startFederation() throws Exception {
    federation = ContainerFederation.start(work, DSP_TIMEOUT_MILLIS, PROVIDER, CONSUMER, OUTSIDER);
    provider = federation.member(PROVIDER);
    consumer = federation.member(CONSUMER);
    outsider = federation.member(OUTSIDER);
    dataset = Files.readAllBytes(Paths.root().resolve("launchers/demo/qualite-eau-corse-2026.csv"));
  }

  @AfterAll
  void stopFederation() {
    if (federation != null) {
      federation.close();
    }
  }

  @Test
  @Order(1)
  void threeContainerisedNodesExchangeADatasetByHostname() throws Exception {
    // Every pair reads each other's catalog: hostnames, certificates and node tokens work both ways.
    for (Member[] pair : new Member[][] {{consumer, provider}, {provider, consumer}, {outsider, provider},
        {provider, outsider}, {consumer, outsider}, {outsider, consumer}}) {
      JsonObject catalog = pair[0].api().post("/api/catalog/request", new JsonObject()
          .put("counterPartyId", pair[1].participantId).put("counterPartyAddress", pair[1].dspAddress()));
      assertThat(catalog.getString("participantId")).as(pair[0].slug + " -> " + pair[1].slug)
          .isEqualTo(pair[1].participantId);
    }

    String offerId = publish("eau");
    JsonObject offer = offerInCatalog(consumer, offerId);
    assertThat(offer).as("offer visible to the Corsican commune").isNotNull();
    assertThat(offerInCatalog(outsider, offerId)).as("offer hidden from the métropole by its OPA").isNull();

    JsonObject negotiation = negotiate(offer);
    assertThat(negotiation.getString("state")).as(negotiation.encode()).isEqualTo("FINALIZED");
    String agreementId = negotiation.getString("agreementId");
    assertThat(provider.api().get("/api/agreements/" + agreementId).getJsonObject("agreement"))
        .isEqualTo(consumer.api().get("/api/agreements/" + agreementId).getJsonObject("agreement"));

    JsonObject transfer = transfer(agreementId);
    assertThat(transfer.getString("state")).as(transfer.encode()).isEqualTo("STARTED");
    HttpResponse<byte[]> data = consumer.api().download("/api/transfers/" + transfer.getString("id") + "/data");
    assertThat(data.statusCode()).isEqualTo(200);
    assertThat(sha256(data.body())).isEqualTo(sha256(dataset));
    consumer.api().post("/api/transfers/" + transfer.getString("id") + "/completion", new JsonObject());
    provider.api().awaitField("/api/transfers/" + transfer.getString("counterPartyPid"), "state", WAIT, "COMPLETED");
  }

  /**
   * The provider's link freezes (its container is paused: its address still accepts connections,
   * nothing answers) while the consumer asks for a contract. The consumer's step times out and is
   * retried with growing delays; once the provider is unpaused the negotiation completes, and the
   * provider, which may then read the request and its retries, grants exactly one agreement.
   */
  @Test
  @Order(2)
  void negotiationSurvivesAPausedProviderWithoutDuplicateAgreement() throws Exception {
    String offerId = publish("pause");
    JsonObject offer = offerInCatalog(consumer, offerId);
    int agreementsBefore = provider.api().get("/api/agreements").getJsonArray("items").size();

    provider.pause();
    JsonObject started;
    try {
      started = consumer.api().post("/api/negotiations", new JsonObject()
          .put("counterPartyId", provider.participantId).put("counterPartyAddress", provider.dspAddress())
          .put("offer", offer));
      String id = started.getString("id");
      // Two failed attempts, the second retried after a longer delay than the first: back-off.
      awaitLog(consumer, "step of " + id + " failed (attempt 2/");
      List<Long> delays = retryDelays(consumer.logs(), id);
      assertThat(delays).as("retry delays of negotiation " + id).hasSizeGreaterThanOrEqualTo(2);
      assertThat(delays.get(1)).isGreaterThan(delays.get(0));
      assertThat(consumer.api().get("/api/negotiations/" + id).getString("state")).isEqualTo("REQUESTING");
    } finally {
      provider.unpause();
    }

    JsonObject done = consumer.api().awaitField("/api/negotiations/" + started.getString("id"), "state", WAIT,
        "FINALIZED", "TERMINATED");
    assertThat(done.getString("state")).as(done.encode()).isEqualTo("FINALIZED");
    String agreementId = done.getString("agreementId");

    // Exactly one new agreement on the provider's side, and it is the consumer's.
    JsonArray agreements = provider.api().get("/api/agreements").getJsonArray("items");
    assertThat(agreements.size()).as(agreements.encodePrettily()).isEqualTo(agreementsBefore + 1);
    assertThat(provider.api().get("/api/agreements/" + agreementId).getString("consumerId"))
        .isEqualTo(consumer.participantId);
    List<JsonObject> forThisOffer = provider.api().get("/api/negotiations").getJsonArray("items").stream()
        .map(JsonObject.class::cast).filter(n -> n.encode().contains(offerId)).toList();
    assertThat(forThisOffer.stream().filter(n -> n.getString("agreementId") != null).count())
        .as("agreed negotiations for offer " + offerId + ": " + forThisOffer).isEqualTo(1);
  }

  /**
   * The provider's container is killed while a transfer is under way: the consumer's download fails
   * at once with a problem that names the unreachable provider, and keeps its agreement and transfer.
   * A new provider container on the same data volume has every record, and a new transfer under the
   * same agreement delivers the dataset.
   */
  @Test
  @Order(3)
  void providerLostDuringATransferRestartsOnItsVolumeAndServesTheSameAgreement() throws Exception {
    String offerId = publish("perte");
    JsonObject negotiation = negotiate(offerInCatalog(consumer, offerId));
    assertThat(negotiation.getString("state")).as(negotiation.encode()).isEqualTo("FINALIZED");
    String agreementId = negotiation.getString("agreementId");
    JsonObject first = transfer(agreementId);
    assertThat(first.getString("state")).as(first.encode()).isEqualTo("STARTED");
    String providerTransfer = first.getString("counterPartyPid");

    provider.kill();

    HttpResponse<String> failed = consumer.api().send("GET", "/api/transfers/" + first.getString("id") + "/data", null);
    assertThat(failed.statusCode()).as(failed.body()).isEqualTo(502);
    assertThat(failed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject problem = new JsonObject(failed.body());
    assertThat(problem.getString("title")).isEqualTo("Partner unreachable");
    assertThat(problem.getString("detail")).as(problem.encode()).contains(PROVIDER);
    // Nothing lost on the consumer's side.
    assertThat(consumer.api().get("/api/agreements/" + agreementId).getJsonObject("agreement")).isNotNull();
    assertThat(consumer.api().get("/api/transfers/" + first.getString("id")).getString("agreementId"))
        .isEqualTo(agreementId);

    provider.restart();

    // Nothing lost on the provider's side: the agreement and the interrupted transfer are on its volume.
    assertThat(provider.api().get("/api/agreements/" + agreementId).getString("consumerId"))
        .isEqualTo(consumer.participantId);
    assertThat(provider.api().get("/api/transfers/" + providerTransfer).getString("agreementId"))
        .isEqualTo(agreementId);
    JsonObject second = transfer(agreementId);
    assertThat(second.getString("state")).as(second.encode()).isEqualTo("STARTED");
    HttpResponse<byte[]> data = consumer.api().download("/api/transfers/" + second.getString("id") + "/data");
    assertThat(data.statusCode()).isEqualTo(200);
    assertThat(sha256(data.body())).isEqualTo(sha256(dataset));
  }

  /** Publishes the demo dataset under the Corsica-only policy, on the provider's volume; returns the offer id. */
  private String publish(String prefix) throws Exception {
    String suffix = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    Path assets = provider.dataDir.resolve("assets");
    Files.createDirectories(assets);
    Path file = assets.resolve(suffix + ".csv");
    Files.write(file, dataset);
    Files.setAttribute(assets, "unix:uid", ContainerFederation.NODE_UID);
    Files.setAttribute(file, "unix:uid", ContainerFederation.NODE_UID);
    JsonObject policy = new JsonObject(Files.readString(Paths.root().resolve("launchers/demo/policy-corse.json")));
    provider.api().post("/api/assets", new JsonObject().put("id", suffix).put("title", "Qualité de l'eau")
        .put("contentType", "text/csv").put("sourcePath", "assets/" + suffix + ".csv"));
    provider.api().post("/api/policies", new JsonObject().put("id", "corse-" + suffix).put("policy", policy));
    provider.api().post("/api/offers", new JsonObject().put("id", "offer-" + suffix).put("assetId", suffix)
        .put("policyId", "corse-" + suffix));
    return "offer-" + suffix;
  }

  private JsonObject offerInCatalog(Member who, String offerId) throws Exception {
    JsonObject catalog = who.api().post("/api/catalog/request", new JsonObject()
        .put("counterPartyId", provider.participantId).put("counterPartyAddress", provider.dspAddress()));
    for (Object d : catalog.getJsonArray("dataset", new JsonArray())) {
      for (Object p : ((JsonObject) d).getJsonArray("hasPolicy")) {
        if (offerId.equals(((JsonObject) p).getString("@id"))) {
          return ((JsonObject) p).copy().put("target", ((JsonObject) d).getString("@id"));
        }
      }
    }
    return null;
  }

  private JsonObject negotiate(JsonObject offer) throws Exception {
    JsonObject started = consumer.api().post("/api/negotiations", new JsonObject()
        .put("counterPartyId", provider.participantId).put("counterPartyAddress", provider.dspAddress())
        .put("offer", offer));
    return consumer.api().awaitField("/api/negotiations/" + started.getString("id"), "state", WAIT, "FINALIZED",
        "TERMINATED");
  }

  private JsonObject transfer(String agreementId) throws Exception {
    JsonObject t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreementId));
    return consumer.api().awaitField("/api/transfers/" + t.getString("id"), "state", WAIT, "STARTED", "TERMINATED");
  }

  /** Waits until the node's output holds {@code text}; each retry it waits for is a log line. */
  private static void awaitLog(Member member, String text) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (member.logs().contains(text)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(member.slug + " did not log '" + text + "' within " + WAIT + "; log:\n" + member.logs());
  }

  /** The delays the node announced before each retry of {@code id}'s step, in order. */
  private static List<Long> retryDelays(String logs, String id) {
    return logs.lines().filter(l -> l.contains("step of " + id + " failed"))
        .map(l -> Long.parseLong(l.replaceAll(".*retrying in (\\d+) ms.*", "$1")))
        .collect(Collectors.toList());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
