package fr.socle.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.cli.Socle;
import fr.socle.testing.Federation;
import fr.socle.testing.LocalFederation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.Paths;
import fr.socle.testing.TlsClients;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Real nodes in their own JVMs, each with its own real OPA, talking DSP over mutual TLS with the
 * development federation's certificates: the walking skeleton end to end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class FederationExchangeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path work;

  private LocalFederation federation;
  private NodeProcess provider;
  private NodeProcess consumer;
  private NodeProcess outsider;
  private byte[] dataset;

  @BeforeAll
  void startFederation() throws Exception {
    // Every OPA runs the same signed bundle: the outsider shares the consumer's, one process less.
    federation = LocalFederation.in(work).node(Federation.PROVIDER).node(Federation.CONSUMER)
        .node(Federation.OUTSIDER, Federation.CONSUMER, new JsonObject()).start();
    provider = federation.node(Federation.PROVIDER);
    consumer = federation.node(Federation.CONSUMER);
    outsider = federation.node(Federation.OUTSIDER);
    dataset = Files.readAllBytes(Paths.root().resolve("launchers/demo/qualite-eau-corse-2026.csv"));
  }

  @AfterAll
  void stopFederation() throws Exception {
    if (federation != null) {
      federation.close();
    }
  }

  /** Publishes the demo dataset under the Corsica-only policy; returns the offer id. */
  private String publish() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Path assets = provider.dataDir().resolve("assets");
    Files.createDirectories(assets);
    Files.write(assets.resolve("eau-" + suffix + ".csv"), dataset);
    JsonObject policy = new JsonObject(Files.readString(Paths.root().resolve("launchers/demo/policy-corse.json")));
    provider.api().post("/api/assets", new JsonObject().put("id", "eau-" + suffix).put("title", "Qualité de l'eau")
        .put("contentType", "text/csv").put("sourcePath", "assets/eau-" + suffix + ".csv"));
    provider.api().post("/api/policies", new JsonObject().put("id", "corse-" + suffix).put("policy", policy));
    provider.api().post("/api/offers", new JsonObject().put("id", "offer-" + suffix).put("assetId", "eau-" + suffix)
        .put("policyId", "corse-" + suffix));
    return "offer-" + suffix;
  }

  private JsonObject offerInCatalog(NodeProcess who, String offerId) throws Exception {
    JsonObject catalog = who.api().post("/api/catalog/request", new JsonObject()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress()));
    assertThat(catalog.getString("@type")).isEqualTo("Catalog");
    assertThat(catalog.getString("participantId")).isEqualTo(provider.participantId());
    for (Object d : catalog.getJsonArray("dataset", new JsonArray())) {
      for (Object p : ((JsonObject) d).getJsonArray("hasPolicy")) {
        if (offerId.equals(((JsonObject) p).getString("@id"))) {
          // DSP 2025-1 catalogs name the dataset once, not in each offer.
          assertThat(((JsonObject) p).containsKey("target")).isFalse();
          return ((JsonObject) p).copy().put("target", ((JsonObject) d).getString("@id"));
        }
      }
    }
    return null;
  }

  private JsonObject negotiate(NodeProcess who, JsonObject offer) throws Exception {
    JsonObject started = who.api().post("/api/negotiations", new JsonObject()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress())
        .put("offer", offer));
    return who.api().awaitField("/api/negotiations/" + started.getString("id"), "state", WAIT, "FINALIZED",
        "TERMINATED");
  }

  private JsonObject transfer(String agreementId) throws Exception {
    JsonObject t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreementId));
    return consumer.api().awaitField("/api/transfers/" + t.getString("id"), "state", WAIT, "STARTED", "TERMINATED");
  }

  @Test
  void consumerInTerritoryNegotiatesAndDownloadsTheDataset() throws Exception {
    String offerId = publish();
    JsonObject offer = offerInCatalog(consumer, offerId);
    assertThat(offer).as("offer visible to a Corsican commune").isNotNull();

    JsonObject negotiation = negotiate(consumer, offer);
    assertThat(negotiation.getString("state")).as(negotiation.encode()).isEqualTo("FINALIZED");
    String agreementId = negotiation.getString("agreementId");
    JsonObject held = consumer.api().get("/api/agreements/" + agreementId);
    JsonObject granted = provider.api().get("/api/agreements/" + agreementId);
    assertThat(held.getJsonObject("agreement")).isEqualTo(granted.getJsonObject("agreement"));
    assertThat(granted.getString("consumerId")).isEqualTo(consumer.participantId());

    JsonObject t = transfer(agreementId);
    assertThat(t.getString("state")).as(t.encode()).isEqualTo("STARTED");
    HttpResponse<byte[]> data = consumer.api().download("/api/transfers/" + t.getString("id") + "/data");
    assertThat(data.statusCode()).isEqualTo(200);
    assertThat(sha256(data.body())).isEqualTo(sha256(dataset));

    consumer.api().post("/api/transfers/" + t.getString("id") + "/completion", new JsonObject());
    consumer.api().awaitField("/api/transfers/" + t.getString("id"), "state", WAIT, "COMPLETED");
    provider.api().awaitField("/api/transfers/" + t.getString("counterPartyPid"), "state", WAIT, "COMPLETED");
    HttpResponse<byte[]> after = consumer.api().download("/api/transfers/" + t.getString("id") + "/data");
    assertThat(after.statusCode()).as("no data after completion").isEqualTo(409);
  }

  /**
   * Both parties sign the agreement; an auditor verifies both signatures with the federation root
   * alone, from the management API's document and from the provider's audit export; an altered
   * agreement, a swapped signature or another root fail, naming what failed.
   */
  @Test
  void agreementIsSignedByBothPartiesAndVerifiesOfflineWithTheRootAlone() throws Exception {
    JsonObject negotiation = negotiate(consumer, offerInCatalog(consumer, publish()));
    assertThat(negotiation.getString("state")).as(negotiation.encode()).isEqualTo("FINALIZED");
    String agreementId = negotiation.getString("agreementId");
    JsonObject held = consumer.api().get("/api/agreements/" + agreementId);
    JsonObject granted = provider.api().get("/api/agreements/" + agreementId);
    for (JsonObject side : new JsonObject[] {held, granted}) {
      JsonObject signatures = side.getJsonObject("signatures");
      assertThat(signatures.getJsonObject("provider").getString("state")).as(side.encode()).isEqualTo("SIGNED");
      assertThat(signatures.getJsonObject("consumer").getString("state")).as(side.encode()).isEqualTo("SIGNED");
    }
    assertThat(granted.getJsonObject("signatures")).isEqualTo(held.getJsonObject("signatures"));

    Path root = Paths.certs().resolve("root-ca.crt");
    Path document = Files.writeString(work.resolve("agreement-" + agreementId.substring(9) + ".json"), held.encode());
    String[] ok = socle("agreement", "verify", document.toString(), "--trust", root.toString());
    assertThat(ok[0]).as(ok[1]).isEqualTo("0");
    assertThat(ok[1]).contains("ok   provider signature: " + provider.participantId())
        .contains("ok   consumer signature: " + consumer.participantId());

    JsonObject altered = held.copy();
    altered.getJsonObject("agreement").put("target", "un-autre-jeu");
    String[] tampered = socle("agreement", "verify", Files.writeString(work.resolve("altered.json"), altered.encode())
        .toString(), "--trust", root.toString());
    assertThat(tampered[0]).isEqualTo("1");
    assertThat(tampered[1]).contains("FAIL provider signature: digest_mismatch")
        .contains("FAIL consumer signature: digest_mismatch");

    JsonObject swapped = held.copy();
    swapped.getJsonObject("signatures").getJsonObject("provider").put("jws",
        held.getJsonObject("signatures").getJsonObject("consumer").getString("jws"));
    String[] wrongRole = socle("agreement", "verify", Files.writeString(work.resolve("swapped.json"), swapped.encode())
        .toString(), "--trust", root.toString());
    assertThat(wrongRole[0]).isEqualTo("1");
    assertThat(wrongRole[1]).contains("FAIL provider signature: role_mismatch").contains("ok   consumer signature");

    Federation.foreignNode(work.resolve("foreign-auditor"));
    Path foreignRoot = work.resolve("foreign-auditor").resolve("root-ca.crt");
    String[] untrusted = socle("agreement", "verify", document.toString(), "--trust", foreignRoot.toString());
    assertThat(untrusted[0]).isEqualTo("1");
    assertThat(untrusted[1]).contains("FAIL provider signature: untrusted_chain");

    HttpResponse<String> exported = provider.auditor().send("GET", "/audit/export?from=0", null);
    assertThat(exported.statusCode()).as(exported.body()).isEqualTo(200);
    Path export = Files.writeString(work.resolve("export-" + agreementId.substring(9) + ".jsonl"), exported.body());
    String[] audit = socle("audit", "verify", "--export", export.toString(), "--root-ca", root.toString());
    assertThat(audit[0]).as(audit[1]).isEqualTo("0");
    assertThat(audit[1]).containsPattern("ok   agreements: \\d+ agreement entries, [1-9]\\d* signatures verified");
  }

  private static String[] socle(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Socle()).setOut(new PrintWriter(out)).setErr(new PrintWriter(out));
    int code = cli.execute(args);
    return new String[] {Integer.toString(code), out.toString()};
  }

  @Test
  void participantOutsideTheTerritoryNeitherSeesNorObtainsTheOffer() throws Exception {
    String offerId = publish();
    assertThat(offerInCatalog(outsider, offerId)).as("offer hidden by the catalog decision").isNull();

    JsonObject guessed = offerInCatalog(consumer, offerId);
    JsonObject negotiation = negotiate(outsider, guessed);
    assertThat(negotiation.getString("state")).isEqualTo("TERMINATED");
    assertThat(negotiation.getString("detail")).contains("territory");
    assertThat(negotiation.getString("agreementId")).isNull();
  }

  /** Every pair of demo nodes reads each other's catalog: mTLS and node tokens work in all directions. */
  @ParameterizedTest(name = "{0} <-> {1}")
  @CsvSource({"region-exemple, commune-esempiu", "region-exemple, metropole-exemple",
      "commune-esempiu, metropole-exemple"})
  void demoNodesExchangeCatalogRequestsBothWays(String a, String b) throws Exception {
    for (NodeProcess[] pair : new NodeProcess[][] {{node(a), node(b)}, {node(b), node(a)}}) {
      JsonObject catalog = pair[0].api().post("/api/catalog/request", new JsonObject()
          .put("counterPartyId", pair[1].participantId()).put("counterPartyAddress", pair[1].dspAddress()));
      assertThat(catalog.getString("@type")).isEqualTo("Catalog");
      assertThat(catalog.getString("participantId")).isEqualTo(pair[1].participantId());
    }
  }

  @Test
  void catalogRequestNamesTheCalleeAndAnotherCalleeRefusesIt() throws Exception {
    HttpResponse<String> missing = consumer.api().send("POST", "/api/catalog/request",
        new JsonObject().put("counterPartyAddress", provider.dspAddress()).encode());
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(missing.body()).getString("detail")).contains("'counterPartyId' is required");
    HttpResponse<String> malformed = consumer.api().send("POST", "/api/catalog/request", new JsonObject()
        .put("counterPartyId", "NTRFR-219900017").put("counterPartyAddress", provider.dspAddress()).encode());
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(malformed.body()).getString("detail")).contains("Luhn");
    // The operator names the métropole but sends to the région: the région's certificate says who it
    // is, and the call is abandoned before the request (or a token made out to the métropole) leaves.
    HttpResponse<String> misdirected = consumer.api().send("POST", "/api/catalog/request", new JsonObject()
        .put("counterPartyId", outsider.participantId()).put("counterPartyAddress", provider.dspAddress()).encode());
    assertThat(misdirected.statusCode()).isEqualTo(502);
    JsonObject problem = new JsonObject(misdirected.body());
    assertThat(problem.getString("title")).isEqualTo("Wrong partner");
    assertThat(problem.getString("detail")).contains("is " + provider.participantId() + ", not "
        + outsider.participantId());
  }

  @Test
  void catalogLongerThanOnePageArrivesWhole() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Path assets = provider.dataDir().resolve("assets");
    Files.createDirectories(assets);
    Files.write(assets.resolve("page-" + suffix + ".csv"), dataset);
    JsonObject policy = new JsonObject(Files.readString(Paths.root().resolve("launchers/demo/policy-corse.json")));
    provider.api().post("/api/policies", new JsonObject().put("id", "pages-" + suffix).put("policy", policy));
    Set<String> published = new HashSet<>();
    // More datasets than the provider puts on one page (100).
    for (int i = 0; i < 130; i++) {
      String asset = "page-" + suffix + "-" + i;
      provider.api().post("/api/assets", new JsonObject().put("id", asset).put("title", "Page " + i)
          .put("contentType", "text/csv").put("sourcePath", "assets/page-" + suffix + ".csv"));
      provider.api().post("/api/offers", new JsonObject().put("id", "offer-" + asset).put("assetId", asset)
          .put("policyId", "pages-" + suffix));
      published.add(asset);
    }
    JsonObject catalog = consumer.api().post("/api/catalog/request", new JsonObject()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress()));
    List<String> ids = catalog.getJsonArray("dataset").stream().map(d -> ((JsonObject) d).getString("@id")).toList();
    assertThat(ids).doesNotHaveDuplicates().containsAll(published);
  }

  private NodeProcess node(String slug) {
    return switch (slug) {
      case Federation.PROVIDER -> provider;
      case Federation.CONSUMER -> consumer;
      case Federation.OUTSIDER -> outsider;
      default -> throw new IllegalArgumentException("no demo node " + slug);
    };
  }

  @Test
  void managementApiRefusesAWrongOrMissingKey() throws Exception {
    HttpResponse<String> wrong = new NodeProcess.Api(provider.managementUrl(), "not-the-key").send("GET",
        "/api/assets", null);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(wrong.body()).getString("detail")).contains("not valid");
    HttpResponse<String> missing = new NodeProcess.Api(provider.managementUrl(), null).send("GET", "/api/assets",
        null);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(missing.body()).getString("detail")).contains("X-Api-Key");
  }

  @Test
  void dspPortRefusesClientsWithoutAFederationCertificate() throws Exception {
    Path foreign = Federation.foreignNode(work.resolve("foreign"));
    HttpClient stranger = TlsClients.client(foreign.resolve("node.crt"), foreign.resolve("node.key"),
        Paths.certs().resolve("root-ca.crt"));
    assertThatThrownBy(() -> stranger.send(catalogRequest(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    HttpClient anonymous = TlsClients.client(null, null, Paths.certs().resolve("root-ca.crt"));
    assertThatThrownBy(() -> anonymous.send(catalogRequest(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    // The same request with a member's certificate goes through: the refusals above are about identity.
    HttpResponse<String> member = TlsClients.member(Federation.CONSUMER).send(catalogRequest(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(member.statusCode()).isEqualTo(200);
  }

  @Test
  void tls12ClientsAreRefused() throws Exception {
    Path node = Paths.certs().resolve("nodes").resolve(Federation.CONSUMER);
    HttpClient old = TlsClients.client(node.resolve("node.crt"), node.resolve("node.key"),
        Paths.certs().resolve("root-ca.crt"), "TLSv1.2");
    assertThatThrownBy(() -> old.send(catalogRequest(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLException.class);
  }

  @Test
  void malformedJsonGetsAPrecise400OnEveryEndpoint() throws Exception {
    HttpClient member = TlsClients.member(Federation.CONSUMER);
    for (String path : new String[] {"/catalog/request", "/negotiations/request", "/negotiations/x/termination",
        "/negotiations/x/agreement", "/negotiations/x/events", "/negotiations/x/agreement/verification",
        "/transfers/request", "/transfers/x/start", "/transfers/x/completion", "/transfers/x/termination"}) {
      HttpResponse<String> r = member.send(HttpRequest.newBuilder(URI.create(provider.dspAddress() + path))
          .header("Content-Type", "application/json").header("Authorization",
              consumerToken()).POST(HttpRequest.BodyPublishers.ofString("{\"@context\": ["))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      JsonObject error = new JsonObject(r.body());
      assertThat(error.getString("code")).as(path).isEqualTo("bad_request");
      assertThat(error.getJsonArray("reason").getString(0)).as(path).contains("must be a JSON object");
    }
    for (String path : new String[] {"/api/assets", "/api/policies", "/api/offers", "/api/catalog/request",
        "/api/negotiations", "/api/transfers"}) {
      HttpResponse<String> r = provider.api().send("POST", path, "{not json");
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(new JsonObject(r.body()).getString("detail")).as(path).contains("must be a JSON object");
    }
    HttpResponse<String> wrongType = member.send(HttpRequest.newBuilder(URI.create(provider.dspAddress()
        + "/negotiations/request")).header("Authorization",
            consumerToken()).POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
        .put("@context", new JsonArray().add("https://w3id.org/dspace/2025/1/context.jsonld"))
        .put("@type", "TransferRequestMessage").encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(wrongType.body()).contains("expected @type ContractRequestMessage, got TransferRequestMessage");
  }

  @Test
  void policyEngineDownMeansDenialWithAReasonAndTheNodeStaysUp() throws Exception {
    String offerId = publish();
    JsonObject offer = offerInCatalog(consumer, offerId);
    federation.opa(Federation.PROVIDER).close();
    try {
      JsonObject negotiation = negotiate(consumer, offer);
      assertThat(negotiation.getString("state")).isEqualTo("TERMINATED");
      assertThat(negotiation.getString("detail")).contains("policy engine (OPA) is unreachable");
      JsonObject health = provider.api().get("/health");
      assertThat(health.getString("status")).isEqualTo("UP");
      assertThat(health.getJsonArray("stepRunners").stream().map(r -> ((JsonObject) r).getString("name")))
          .containsExactly("negotiation", "transfer");
      assertThat(health.getJsonArray("stepRunners").stream().map(r -> ((JsonObject) r).getBoolean("stalled")))
          .containsOnly(false);
      HttpResponse<String> ready = provider.api().send("GET", "/ready", null);
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("policy engine (OPA)");
      HttpResponse<String> catalog = consumer.api().send("POST", "/api/catalog/request", new JsonObject()
          .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress()).encode());
      assertThat(catalog.statusCode()).as("no catalog without its decisions, rather than an empty one: "
          + catalog.body()).isEqualTo(503);
    } finally {
      federation.restartOpa(Federation.PROVIDER);
    }
    assertThat(negotiate(consumer, offer).getString("state")).isEqualTo("FINALIZED");
  }

  @Test
  void agreementSurvivesAProviderKilledWithSigkill() throws Exception {
    String offerId = publish();
    JsonObject negotiation = negotiate(consumer, offerInCatalog(consumer, offerId));
    String agreementId = negotiation.getString("agreementId");
    assertThat(negotiation.getString("state")).isEqualTo("FINALIZED");

    provider.kill();
    assertThat(provider.isAlive()).isFalse();
    provider.launch();

    JsonObject granted = provider.api().get("/api/agreements/" + agreementId);
    assertThat(granted.getString("consumerId")).isEqualTo(consumer.participantId());
    // A provider killed between sending FINALIZED and recording it resends it on restart; the
    // consumer acknowledges the duplicate and both end FINALIZED.
    provider.api().awaitField("/api/negotiations/" + negotiation.getString("counterPartyPid"), "state", WAIT,
        "FINALIZED");
    assertThat(consumer.api().get("/api/negotiations/" + negotiation.getString("id")).getString("state"))
        .isEqualTo("FINALIZED");
    JsonObject t = transfer(agreementId);
    assertThat(t.getString("state")).as(t.encode()).isEqualTo("STARTED");
    HttpResponse<byte[]> data = consumer.api().download("/api/transfers/" + t.getString("id") + "/data");
    assertThat(sha256(data.body())).isEqualTo(sha256(dataset));
  }

  /** A fresh token of the consumer for the provider: each is single-use. */
  private String consumerToken() {
    return "Bearer " + Federation.token(Federation.CONSUMER, provider.participantId());
  }

  private HttpRequest catalogRequest() {
    return HttpRequest.newBuilder(URI.create(provider.dspAddress() + "/catalog/request"))
        .header("Content-Type", "application/json").header("Authorization", consumerToken())
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
            .put("@context", new JsonArray().add("https://w3id.org/dspace/2025/1/context.jsonld"))
            .put("@type", "CatalogRequestMessage").encode()))
        .build();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
