package fr.socle.node;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.policy.UsageDeclaration;
import fr.socle.testing.Federation;
import fr.socle.testing.LocalFederation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.OpaServer;
import fr.socle.testing.Paths;
import fr.socle.testing.PolicyBundles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
 * Usage policies enforced end to end: a provider and a consumer node in their own JVMs, each with a
 * real OPA running the signed bundle as the launchers run it. The provider's OPA is swapped for one
 * on a stale, unsigned or altered bundle to show that the node then neither decides nor reports ready.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class PolicyEnforcementTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path work;

  private LocalFederation federation;
  private NodeProcess provider;
  private NodeProcess consumer;
  private String expected;

  @BeforeAll
  void startNodes() throws Exception {
    expected = "socle@" + PolicyBundles.canonical().revision();
    federation = LocalFederation.in(work).node(Federation.PROVIDER).node(Federation.CONSUMER).start();
    provider = federation.node(Federation.PROVIDER);
    consumer = federation.node(Federation.CONSUMER);
  }

  @AfterAll
  void stopNodes() throws Exception {
    if (federation != null) {
      federation.close();
    }
  }

  /** Publishes a one-byte asset under {@code policy}; returns the offer as the consumer's catalog shows it. */
  private JsonObject publish(String classification, JsonObject policyRequest) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Files.createDirectories(provider.dataDir().resolve("assets"));
    Files.writeString(provider.dataDir().resolve("assets/a-" + suffix + ".csv"), "x\n");
    provider.api().post("/api/assets", new JsonObject().put("id", "a-" + suffix).put("title", "Test")
        .put("contentType", "text/csv").put("sourcePath", "assets/a-" + suffix + ".csv")
        .put("classification", classification));
    JsonObject policy = provider.api().post("/api/policies", policyRequest.copy().put("id", "p-" + suffix))
        .getJsonObject("policy");
    provider.api().post("/api/offers", new JsonObject().put("id", "o-" + suffix).put("assetId", "a-" + suffix)
        .put("policyId", "p-" + suffix));
    // The offer as the catalog would show it, its terms those of the stored policy (the consumer
    // countersigns no other); built here because a catalog hides offers whose constraints cannot
    // hold, and some tests negotiate precisely those.
    JsonObject offer = policy.copy();
    offer.remove("@context");
    return offer.put("@id", "o-" + suffix).put("@type", "Offer").put("assigner", provider.participantId())
        .put("target", "a-" + suffix);
  }

  private static JsonObject policy(JsonObject... constraints) {
    return new JsonObject().put("policy", new JsonObject().put("@type", "Set").put("permission", new JsonArray()
        .add(new JsonObject().put("action", "use").put("constraint", new JsonArray(java.util.List.of(
            (Object[]) constraints))))));
  }

  private static JsonObject constraint(String left, String operator, Object right) {
    return new JsonObject().put("leftOperand", left).put("operator", operator).put("rightOperand", right);
  }

  private JsonObject negotiate(JsonObject offer, JsonObject extra) throws Exception {
    JsonObject started = consumer.api().post("/api/negotiations", extra.copy()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress())
        .put("offer", offer));
    return consumer.api().awaitField("/api/negotiations/" + started.getString("id"), "state", WAIT, "FINALIZED",
        "TERMINATED");
  }

  private JsonObject negotiate(JsonObject offer) throws Exception {
    return negotiate(offer, new JsonObject());
  }

  private JsonObject territoryOffer() throws Exception {
    return publish("public", policy(constraint("socle:territory", "isPartOf", "INSEE-REG:94")));
  }

  // ---- (a) (b) (c): which bundle the provider's OPA runs ----

  @Test
  void expectedSignedBundleDecidesAndEachDecisionIsLoggedWithItsRevision() throws Exception {
    HttpResponse<String> ready = provider.api().send("GET", "/ready", null);
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getJsonObject("policyBundle"))
        .isEqualTo(new JsonObject().put("expected", expected).put("active", expected));

    JsonObject negotiation = negotiate(territoryOffer());
    assertThat(negotiation.getString("state")).as(negotiation.encode()).isEqualTo("FINALIZED");
    assertThat(Files.readString(provider.log())).containsPattern("decision scope=negotiation participant="
        + consumer.participantId() + " allow=true reasons=\\[\\] decisionId=[0-9a-f-]{36} revision="
        + expected.replace(".", "\\."));
  }

  @Test
  void staleBundleMakesTheNodeDenyAndNotReady() throws Exception {
    Path stale = PolicyBundles.build(work.resolve("bundles"), "sha256-0000000000000000",
        Paths.certs().resolve("policy-signing.key"));
    JsonObject offer = territoryOffer();
    OpaServer providerOpa = federation.restartOpa(Federation.PROVIDER, stale);
    try {
      assertThat(providerOpa.bundleActive()).as("validly signed, so OPA runs it").isTrue();
      HttpResponse<String> ready = provider.api().send("GET", "/ready", null);
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("policy_bundle_revision_mismatch: The policy engine (OPA) runs revision "
          + "socle@sha256-0000000000000000 while this node expects " + expected);

      JsonObject negotiation = negotiate(offer);
      assertThat(negotiation.getString("state")).isEqualTo("TERMINATED");
      assertThat(negotiation.getString("detail")).contains("runs revision socle@sha256-0000000000000000 while this "
          + "node expects " + expected).contains("policy bundle socle@sha256-0000000000000000]");
      assertThat(Files.readString(provider.log())).contains("allow=false reasons=[policy_bundle_revision_mismatch]");
    } finally {
      federation.restartOpa(Federation.PROVIDER);
    }
    assertThat(negotiate(offer).getString("state")).isEqualTo("FINALIZED");
  }

  @Test
  void unsignedOrAlteredBundleIsNeverActiveSoTheNodeDeniesAndIsNotReady() throws Exception {
    JsonObject offer = territoryOffer();
    Path unsigned = PolicyBundles.build(work.resolve("bundles"), PolicyBundles.canonical().revision(), null);
    Path altered = PolicyBundles.altered(work.resolve("bundles"));
    try {
      for (Path bundle : new Path[] {unsigned, altered}) {
        OpaServer providerOpa = federation.restartOpa(Federation.PROVIDER, bundle);
        assertThat(providerOpa.bundleActive()).as(bundle.toString()).isFalse();
        HttpResponse<String> ready = provider.api().send("GET", "/ready", null);
        assertThat(ready.statusCode()).as(bundle.toString()).isEqualTo(503);
        assertThat(ready.body()).contains("No signed policy bundle is active in the policy engine (OPA) while this "
            + "node expects " + expected);
        JsonObject negotiation = negotiate(offer);
        assertThat(negotiation.getString("state")).as(bundle.toString()).isEqualTo("TERMINATED");
        assertThat(negotiation.getString("detail")).contains("No signed policy bundle is active");
      }
    } finally {
      federation.restartOpa(Federation.PROVIDER);
    }
    assertThat(provider.api().send("GET", "/ready", null).statusCode()).isEqualTo(200);
  }

  // ---- policies the Rego cannot read ----

  @Test
  void unknownLeftOperandTerminatesTheNegotiationWithTheReason() throws Exception {
    JsonObject offer = publish("public", policy(constraint("socle:moonPhase", "eq", "full")));
    JsonObject negotiation = negotiate(offer);
    assertThat(negotiation.getString("state")).isEqualTo("TERMINATED");
    assertThat(negotiation.getString("detail")).contains("Unknown left operand").contains("moonPhase")
        .contains("Socle cannot evaluate this constraint").contains("policy bundle " + expected + "]");
  }

  /**
   * The reason of a refusal in the operator's language: the provider's own view of the refused
   * negotiation, the consumer's (the reason travelled in both languages in the termination message),
   * and the problem+json of a refused download; English without the header or when preferred.
   */
  @Test
  void denialReasonsFollowTheCallersAcceptLanguage() throws Exception {
    JsonObject negotiation = negotiate(publish("public", policy(constraint("socle:moonPhase", "eq", "full"))));
    assertThat(negotiation.getString("state")).isEqualTo("TERMINATED");
    String consumerView = "/api/negotiations/" + negotiation.getString("id");
    String providerView = "/api/negotiations/" + negotiation.getString("counterPartyPid");

    JsonObject providerFr = language(provider, providerView, "fr-FR, en;q=0.8");
    assertThat(providerFr.getString("detail")).startsWith("Opérande gauche inconnu « socle:moonPhase »")
        .contains("[décision ").contains(", paquet de règles " + expected + "]");
    assertThat(language(provider, providerView, "en-GB, fr;q=0.5").getString("detail"))
        .startsWith("Unknown left operand").contains("policy bundle " + expected + "]");
    assertThat(language(consumer, consumerView, "fr").getString("detail"))
        .startsWith("terminée par " + provider.participantId() + " : Opérande gauche inconnu");
    assertThat(language(consumer, consumerView, "de, fr;q=0.1").getString("detail")).contains("Opérande gauche");
    assertThat(language(consumer, consumerView, "fr;q=0, en;q=0.2").getString("detail"))
        .startsWith("terminated by " + provider.participantId() + ": ").contains("Unknown left operand");
    assertThat(consumer.api().get(consumerView).getString("detail")).contains("Unknown left operand");

    // At most one download: the second is refused by the provider's access decision.
    JsonObject once = publish("public", policy(constraint("count", "lt", 1)));
    String agreementId = negotiate(once).getString("agreementId");
    JsonObject t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreementId));
    String data = "/api/transfers/" + consumer.api().awaitField("/api/transfers/" + t.getString("id"), "state", WAIT,
        "STARTED").getString("id") + "/data";
    assertThat(consumer.api().send("GET", data, null).statusCode()).isEqualTo(200);
    HttpResponse<String> french = consumer.api().send("GET", data, null, "Accept-Language", "fr-CA;q=0.9, *;q=0.1");
    assertThat(french.statusCode()).isEqualTo(502);
    assertThat(french.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(french.body()).getString("detail")).startsWith("le fournisseur a répondu 403 : accès "
        + "refusé au titre de l'accord " + agreementId).contains("count");
    HttpResponse<String> english = consumer.api().send("GET", data, null);
    assertThat(new JsonObject(english.body()).getString("detail")).startsWith("the provider answered 403: ")
        .contains("access under agreement " + agreementId + " refused");
  }

  private static JsonObject language(NodeProcess node, String path, String acceptLanguage) throws Exception {
    HttpResponse<String> r = node.api().send("GET", path, null, "Accept-Language", acceptLanguage);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  @Test
  void dateTimeWrittenAsXsdIsEnforced() throws Exception {
    JsonObject open = publish("public", policy(constraint("dateTime", "lt", "2200-01-01T00:00:00Z")));
    assertThat(negotiate(open).getString("state")).isEqualTo("FINALIZED");
    JsonObject notYet = publish("public", policy(constraint("dateTime", "gteq",
        new JsonObject().put("@value", "2200-01-01").put("@type", "xsd:date"))));
    JsonObject refused = negotiate(notYet);
    assertThat(refused.getString("state")).isEqualTo("TERMINATED");
    assertThat(refused.getString("detail")).contains("Constraint not satisfied on dateTime: expected gteq "
        + "2200-01-01T00:00:00Z");
  }

  // ---- templates ----

  @Test
  void operatorsListAndFillTemplates() throws Exception {
    JsonObject list = provider.api().get("/api/policy-templates");
    assertThat(list.getJsonArray("items").stream().map(t -> ((JsonObject) t).getString("id")))
        .contains("territory-public-bodies", "personal-data-rgpd", "download-limit");

    JsonObject created = provider.api().post("/api/policies", new JsonObject().put("id", "tpl-" + UUID.randomUUID())
        .put("template", "download-limit").put("parameters", new JsonObject().put("maxDownloads", 3)));
    assertThat(created.getJsonObject("policy").getString("assigner")).isEqualTo(provider.participantId());
    assertThat(created.getJsonObject("policy").encode()).contains("{\"@value\":\"3\",\"@type\":\"xsd:integer\"}");

    HttpResponse<String> unknown = provider.api().send("POST", "/api/policies", new JsonObject().put("id", "x1")
        .put("template", "no-such-template").encode());
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(unknown.body()).getString("detail"))
        .startsWith("unknown policy template 'no-such-template'");
    HttpResponse<String> missing = provider.api().send("POST", "/api/policies", new JsonObject().put("id", "x2")
        .put("template", "territory-public-bodies").put("parameters", new JsonObject()).encode());
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(missing.body()).getString("detail"))
        .startsWith("missing parameter 'territory' for policy template 'territory-public-bodies'");
    HttpResponse<String> both = provider.api().send("POST", "/api/policies", new JsonObject().put("id", "x3")
        .put("template", "odbl").put("policy", new JsonObject()).encode());
    assertThat(both.statusCode()).isEqualTo(400);
  }

  // ---- purpose and legal basis ----

  @Test
  void declaredPurposeAndLegalBasisTravelWithTheRequestAndStayWithTheAgreement() throws Exception {
    JsonObject offer = publish("personal", new JsonObject().put("template", "personal-data-rgpd")
        .put("parameters", new JsonObject().put("legalBasis", "art6-1-e").put("purpose", "public-service")));

    JsonObject undeclared = negotiate(offer);
    assertThat(undeclared.getString("state")).isEqualTo("TERMINATED");
    assertThat(undeclared.getString("detail")).contains("Personal data: a purpose is required");

    JsonObject otherPurpose = negotiate(offer, new JsonObject().put("purpose", "marketing")
        .put("legalBasis", "art6-1-e"));
    assertThat(otherPurpose.getString("state")).isEqualTo("TERMINATED");
    assertThat(otherPurpose.getString("detail")).contains("Constraint not satisfied on purpose");

    JsonObject declared = negotiate(offer, new JsonObject()
        .put("purpose", "https://socle.fr/purpose/public-service").put("legalBasis", "art6-1-e"));
    assertThat(declared.getString("state")).as(declared.encode()).isEqualTo("FINALIZED");
    JsonObject agreement = provider.api().get("/api/agreements/" + declared.getString("agreementId"))
        .getJsonObject("agreement");
    assertThat(agreement.getString(UsageDeclaration.PURPOSE)).isEqualTo("https://socle.fr/purpose/public-service");
    assertThat(agreement.getString(UsageDeclaration.LEGAL_BASIS)).isEqualTo("art6-1-e");

    // The transfer and every access are decided on the declaration the agreement records.
    JsonObject t = consumer.api().post("/api/transfers", new JsonObject()
        .put("agreementId", declared.getString("agreementId")));
    JsonObject started = consumer.api().awaitField("/api/transfers/" + t.getString("id"), "state", WAIT, "STARTED",
        "TERMINATED");
    assertThat(started.getString("state")).as(started.encode()).isEqualTo("STARTED");
    assertThat(consumer.api().download("/api/transfers/" + t.getString("id") + "/data").statusCode()).isEqualTo(200);

    HttpResponse<String> invalid = consumer.api().send("POST", "/api/negotiations", new JsonObject()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress())
        .put("offer", offer).put("legalBasis", 6).encode());
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(invalid.body()).getString("detail")).isEqualTo("'legalBasis' must be a non-empty "
        + "string, got 6");
  }
}
