package fr.socle.policy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.OpaServer;
import fr.socle.testing.Paths;
import fr.socle.testing.PolicyBundles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's side of a decision against the real OPA running the signed bundle: inputs built by
 * {@link DecisionInputs} (policy values converted in Java), sent by {@link PolicyEngine}, decided by
 * the Rego of {@code policies/}. A policy mistake is a denial with a reason, never an exception.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class PolicyDecisionsTest {

  /** The Corsican commune of certs-dev (territory INSEE-COM:2B999, INSEE-DEP:2B, INSEE-REG:94, EU:FR). */
  private static final String COMMUNE = "NTRFR-219900016";
  private static final Instant NOW = Instant.parse("2025-11-26T00:00:00Z");

  @TempDir
  static Path work;
  private static OpaServer opa;
  private PolicyEngine engine;
  private DecisionInputs inputs;

  @BeforeAll
  static void startOpa() throws Exception {
    opa = OpaServer.start(work.resolve("opa.log"));
  }

  @AfterAll
  static void stopOpa() {
    if (opa != null) {
      opa.close();
    }
  }

  @BeforeEach
  void engine(Vertx vertx) throws Exception {
    engine = new PolicyEngine(vertx, URI.create(opa.url()), 5_000, PolicyBundles.canonical().revision());
    inputs = new DecisionInputs(Clock.fixed(NOW, ZoneOffset.UTC),
        ParticipantDirectory.load(Paths.certs().resolve("federation.json")), "NTRFR-239900038");
  }

  private static JsonObject permission(JsonObject... constraints) {
    return new JsonObject().put("@type", "Offer").put("@id", "urn:test:offer").put("permission", new JsonArray()
        .add(new JsonObject().put("action", "use").put("constraint", new JsonArray(List.of((Object[]) constraints)))));
  }

  private static JsonObject constraint(String left, String operator, Object right) {
    return new JsonObject().put("leftOperand", left).put("operator", operator).put("rightOperand", right);
  }

  private Decision decide(Scope scope, JsonObject policy, String classification, Instant signedAt) {
    return engine.decide(scope, inputs.build(scope, COMMUNE, "asset-1", classification, policy, signedAt, 0)).await();
  }

  private Decision negotiate(JsonObject policy) {
    return decide(Scope.NEGOTIATION, policy, "public", null);
  }

  private static List<String> codes(Decision d) {
    return d.reasons().stream().map(Decision.Reason::code).toList();
  }

  @Test
  void malformedDateTimeInAPolicyIsADenialWithAReasonNotAnException() {
    Decision d = negotiate(permission(constraint("dateTime", "lt", "31/12/2026")));
    assertThat(d.allow()).isFalse();
    assertThat(codes(d)).contains("type_mismatch");
    assertThat(d.summary()).contains("Type mismatch on dateTime: the policy gives 31/12/2026, expected an xsd:dateTime");
    Decision noZone = negotiate(permission(constraint("dateTime", "lt", "2026-12-31T00:00:00")));
    assertThat(noZone.allow()).isFalse();
    assertThat(codes(noZone)).contains("type_mismatch");
  }

  @Test
  void dateTimesWrittenAsXsdAreComparedAsInstants() {
    assertThat(negotiate(permission(constraint("dateTime", "lt", "2026-01-01T00:00:00Z"))).allow()).isTrue();
    // Beyond 2262 nanoseconds outgrow a long; the comparison still holds.
    assertThat(negotiate(permission(constraint("dateTime", "lt", "2999-01-01T00:00:00Z"))).allow()).isTrue();
    assertThat(negotiate(permission(constraint("dateTime", "lt",
        new JsonObject().put("@value", "2025-11-26T01:00:01+01:00").put("@type", "xsd:dateTime")))).allow()).isTrue();
    Decision late = negotiate(permission(constraint("dateTime", "gteq", "2026-01-01")));
    assertThat(late.allow()).isFalse();
    assertThat(late.summary()).contains("Constraint not satisfied on dateTime: expected gteq 2026-01-01T00:00:00Z, "
        + "found 2025-11-26T00:00:00Z");
  }

  @Test
  void elapsedTimeCountsFromTheAgreementInDurationsOrSeconds() {
    JsonObject thirtyDays = permission(constraint("elapsedTime", "lteq", "P30D"));
    assertThat(decide(Scope.TRANSFER, thirtyDays, "public", NOW.minus(Duration.ofDays(10))).allow()).isTrue();
    Decision expired = decide(Scope.TRANSFER, thirtyDays, "public", NOW.minus(Duration.ofDays(31)));
    assertThat(expired.allow()).isFalse();
    assertThat(expired.summary()).contains("expected lteq 2592000 s, found 2678400 s");
    assertThat(decide(Scope.TRANSFER, permission(constraint("elapsedTime", "lt", 3600)), "public",
        NOW.minus(Duration.ofMinutes(59))).allow()).isTrue();
  }

  @Test
  void territoryCodesCompareWhateverTheirCase() {
    assertThat(negotiate(permission(constraint("socle:territory", "isPartOf", "insee-reg:94"))).allow()).isTrue();
    Decision outside = negotiate(permission(constraint("territory", "isPartOf", List.of("insee-dep:2a"))));
    assertThat(outside.allow()).isFalse();
    assertThat(outside.summary()).contains("expected isPartOf INSEE-DEP:2A");
  }

  @Test
  void unknownOperandOrOperatorIsADenialWithAReason() {
    Decision operand = negotiate(permission(constraint("socle:moonPhase", "eq", "full")));
    assertThat(operand.allow()).isFalse();
    assertThat(codes(operand)).contains("unknown_operand");
    Decision operator = negotiate(permission(constraint("territory", "isNear", "EU:FR")));
    assertThat(operator.allow()).isFalse();
    assertThat(codes(operator)).contains("unknown_operator");
  }

  @Test
  void declaredPurposeAndLegalBasisAreTheContextOfPersonalData() {
    JsonObject rgpd = permission(constraint("socle:legalBasis", "eq", "art6-1-e"),
        constraint("purpose", "eq", "public-service"));
    Decision undeclared = decide(Scope.NEGOTIATION, rgpd, "personal", null);
    assertThat(undeclared.allow()).isFalse();
    assertThat(codes(undeclared)).contains("personal_data_requires_purpose", "personal_data_requires_legal_basis");
    JsonObject declared = new UsageDeclaration("https://socle.fr/purpose/public-service", "art6-1-e")
        .writeTo(rgpd.copy());
    assertThat(decide(Scope.NEGOTIATION, declared, "personal", null).allow()).isTrue();
    JsonObject otherPurpose = new UsageDeclaration("marketing", "art6-1-e").writeTo(rgpd.copy());
    Decision refused = decide(Scope.TRANSFER, otherPurpose, "personal", NOW);
    assertThat(refused.allow()).isFalse();
    assertThat(refused.summary()).contains("Constraint not satisfied on purpose");
  }

  @Test
  void everyDecisionNamesTheBundleRevisionAndOpasDecisionId() throws Exception {
    Decision d = negotiate(permission());
    assertThat(d.allow()).isTrue();
    assertThat(d.bundleRevision()).isEqualTo("socle@" + PolicyBundles.canonical().revision());
    assertThat(d.decisionId()).matches("[0-9a-f-]{36}");
    PolicyEngine.Readiness readiness = engine.readiness().await();
    assertThat(readiness.ready()).isTrue();
    assertThat(readiness.activeBundle()).isEqualTo(d.bundleRevision());
  }
}
