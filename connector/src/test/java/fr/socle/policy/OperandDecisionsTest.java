package fr.socle.policy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.OpaServer;
import fr.socle.testing.PolicyBundles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every left operand the Rego evaluates, once granted and once refused, with the inputs a node builds
 * ({@link DecisionInputs}: context from the federation directory, the agreement and the request)
 * decided by the real OPA on the signed bundle. The directory is the development federation's, with a
 * SecNumCloud qualification given to the Corsican commune.
 */
@Timeout(120)
class OperandDecisionsTest {

  private static final String COMMUNE = "NTRFR-219900016";
  private static final String METROPOLE = "NTRFR-249900028";
  private static final String PROVIDER = "NTRFR-239900038";
  private static final Instant NOW = Instant.parse("2026-11-26T00:00:00Z");

  @TempDir
  static Path work;
  private static OpaServer opa;
  private static Vertx vertx;
  private static PolicyEngine engine;
  private static DecisionInputs inputs;

  @BeforeAll
  static void start() throws Exception {
    opa = OpaServer.start(work.resolve("opa.log"));
    vertx = Vertx.vertx();
    engine = new PolicyEngine(vertx, URI.create(opa.url()), 5_000, PolicyBundles.canonical().revision());
    Path directory = Files.writeString(work.resolve("federation.json"), new JsonObject().put("nodes", new JsonArray()
        .add(new JsonObject().put("participantId", COMMUNE).put("name", "Commune d'Esempiu")
            .put("territory", new JsonArray().add("INSEE-COM:2B999").add("INSEE-DEP:2B").add("INSEE-REG:94").add("EU:FR"))
            .put("hostingQualification", new JsonArray().add("SecNumCloud")))
        .add(new JsonObject().put("participantId", METROPOLE).put("name", "Métropole Exemple")
            .put("territory", new JsonArray().add("INSEE-DEP:13").add("INSEE-REG:93").add("EU:FR")))).encode());
    inputs = new DecisionInputs(Clock.fixed(NOW, ZoneOffset.UTC), ParticipantDirectory.load(directory), PROVIDER);
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (opa != null) {
      opa.close();
    }
  }

  /** One constraint, who asks and in what circumstances, and whether it holds. */
  record Case(String operand, String operator, Object right, Scope scope, String consumer, String classification,
      UsageDeclaration declared, Integer signedDaysAgo, long count, boolean allow) {

    @Override
    public String toString() {
      return operand + " " + operator + " " + right + (allow ? " holds" : " fails");
    }
  }

  private static Case negotiation(String operand, String operator, Object right, String consumer, boolean allow) {
    return new Case(operand, operator, right, Scope.NEGOTIATION, consumer, "public", UsageDeclaration.NONE, null, 0,
        allow);
  }

  static Stream<Arguments> cases() {
    UsageDeclaration publicService = new UsageDeclaration("public-service", "art6-1-e");
    UsageDeclaration marketing = new UsageDeclaration("marketing", "art6-1-a");
    return Stream.of(
        new Case("purpose", "eq", "public-service", Scope.NEGOTIATION, COMMUNE, "public", publicService, null, 0, true),
        new Case("purpose", "eq", "public-service", Scope.NEGOTIATION, COMMUNE, "public", marketing, null, 0, false),
        new Case("socle:legalBasis", "isAnyOf", new JsonArray().add("art6-1-c").add("art6-1-e"), Scope.NEGOTIATION,
            COMMUNE, "public", publicService, null, 0, true),
        new Case("socle:legalBasis", "isAnyOf", new JsonArray().add("art6-1-c").add("art6-1-e"), Scope.NEGOTIATION,
            COMMUNE, "public", marketing, null, 0, false),
        negotiation("dateTime", "lt", "2200-01-01T00:00:00Z", COMMUNE, true),
        negotiation("dateTime", "gteq", "2200-01-01T00:00:00Z", COMMUNE, false),
        new Case("elapsedTime", "lteq", "P30D", Scope.ACCESS, COMMUNE, "public", UsageDeclaration.NONE, 30, 0, true),
        new Case("elapsedTime", "lteq", "P30D", Scope.ACCESS, COMMUNE, "public", UsageDeclaration.NONE, 31, 0, false),
        new Case("count", "lt", 5, Scope.ACCESS, COMMUNE, "public", UsageDeclaration.NONE, 1, 4, true),
        new Case("count", "lt", 5, Scope.ACCESS, COMMUNE, "public", UsageDeclaration.NONE, 1, 5, false),
        negotiation("spatial", "isPartOf", "EU:FR", COMMUNE, true),
        negotiation("spatial", "isPartOf", "INSEE-DEP:2B", METROPOLE, false),
        negotiation("recipient", "eq", COMMUNE, COMMUNE, true),
        negotiation("recipient", "eq", COMMUNE, METROPOLE, false),
        negotiation("assignee", "isAnyOf", new JsonArray().add(COMMUNE).add(PROVIDER), COMMUNE, true),
        negotiation("assignee", "isNoneOf", new JsonArray().add(COMMUNE), COMMUNE, false),
        negotiation("socle:territory", "isPartOf", "INSEE-REG:94", COMMUNE, true),
        negotiation("socle:territory", "isPartOf", "INSEE-REG:94", METROPOLE, false),
        negotiation("socle:hostingQualification", "isAnyOf", new JsonArray().add("SecNumCloud"), COMMUNE, true),
        negotiation("socle:hostingQualification", "isAnyOf", new JsonArray().add("SecNumCloud"), METROPOLE, false),
        new Case("socle:dataClassification", "isAnyOf", new JsonArray().add("public").add("internal"),
            Scope.NEGOTIATION, COMMUNE, "internal", UsageDeclaration.NONE, null, 0, true),
        new Case("socle:dataClassification", "eq", "public", Scope.NEGOTIATION, COMMUNE, "internal",
            UsageDeclaration.NONE, null, 0, false))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachOperandHoldsOrFailsOnTheNodesInputs(Case c) throws Exception {
    JsonObject policy = c.declared().writeTo(new JsonObject().put("@type", "Offer").put("@id", "urn:test:offer")
        .put("permission", new JsonArray().add(new JsonObject().put("action", "use").put("constraint", new JsonArray()
            .add(new JsonObject().put("leftOperand", c.operand()).put("operator", c.operator())
                .put("rightOperand", c.right()))))));
    Instant signedAt = c.signedDaysAgo() == null ? null : NOW.minus(Duration.ofDays(c.signedDaysAgo()));

    Decision d = engine.decide(c.scope(), inputs.build(c.scope(), c.consumer(), "asset-1", c.classification(), policy,
        signedAt, c.count())).await(30, TimeUnit.SECONDS);

    assertThat(d.allow()).as(d.summary()).isEqualTo(c.allow());
    List<String> codes = d.reasons().stream().map(Decision.Reason::code).toList();
    if (c.allow()) {
      assertThat(codes).as(d.summary()).isEmpty();
    } else {
      assertThat(codes).as(d.summary()).containsExactly("constraint_not_satisfied");
      String bare = c.operand().replace("socle:", "");
      assertThat(d.reasons().get(0).en()).as(d.summary()).contains(bare);
      assertThat(d.reasons().get(0).fr()).as(d.summary()).contains(bare);
    }
  }
}
