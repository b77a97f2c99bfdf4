package fr.socle.policy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.OpaServer;
import fr.socle.testing.Paths;
import fr.socle.testing.PolicyBundles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
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
 * Every policy template, filled as the management API fills it ({@link PolicyTemplates}), with the
 * inputs a node builds ({@link DecisionInputs}), decided by the real OPA on the signed bundle: one
 * case the template grants and one it refuses, for each template (the count limit's N+1th access and
 * the research window's first day past its end among them).
 */
@Timeout(120)
class TemplateDecisionsTest {

  /** The Corsican commune of certs-dev (INSEE-DEP:2B, INSEE-REG:94), a federation member. */
  private static final String COMMUNE = "NTRFR-219900016";
  private static final String PROVIDER = "NTRFR-239900038";
  private static final Instant NOW = Instant.parse("2026-11-26T00:00:00Z");

  @TempDir
  static Path work;
  private static OpaServer opa;
  private static Vertx vertx;
  private static PolicyEngine engine;
  private static DecisionInputs inputs;
  private static final PolicyTemplates TEMPLATES = PolicyTemplates.bundled();

  @BeforeAll
  static void start() throws Exception {
    opa = OpaServer.start(work.resolve("opa.log"));
    vertx = Vertx.vertx();
    engine = new PolicyEngine(vertx, URI.create(opa.url()), 5_000, PolicyBundles.canonical().revision());
    inputs = new DecisionInputs(Clock.fixed(NOW, ZoneOffset.UTC),
        ParticipantDirectory.load(Paths.certs().resolve("federation.json")), PROVIDER);
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

  /**
   * One case: a template and the values a collectivité gives it, who asks, what they declare, when
   * the agreement was signed (days ago, or null), how many accesses were made, and the outcome (for a
   * refusal, the start of one of its reason codes).
   */
  record Case(String template, JsonObject parameters, Scope scope, String consumer, String classification,
      UsageDeclaration declared, Integer signedDaysAgo, long count, boolean allow, String reasonCode) {

    @Override
    public String toString() {
      return template + " " + scope.path() + (allow ? " granted" : " refused (" + reasonCode + ")");
    }
  }

  static Stream<Arguments> cases() {
    UsageDeclaration none = UsageDeclaration.NONE;
    UsageDeclaration research = new UsageDeclaration("https://socle.fr/purpose/research", null);
    UsageDeclaration publicService = new UsageDeclaration("public-service", "art6-1-e");
    JsonObject empty = new JsonObject();
    JsonObject rgpd = new JsonObject().put("purpose", "public-service").put("legalBasis", "art6-1-e");
    return Stream.of(
        new Case("open-licence-2", empty, Scope.NEGOTIATION, COMMUNE, "public", none, null, 0, true, null),
        // Open licences still meet the framework's baseline: personal data needs a declared purpose.
        new Case("open-licence-2", empty, Scope.NEGOTIATION, COMMUNE, "personal", none, null, 0, false,
            "personal_data_requires_"),
        new Case("odbl", empty, Scope.TRANSFER, COMMUNE, "public", none, 1, 0, true, null),
        new Case("odbl", empty, Scope.TRANSFER, COMMUNE, "personal", none, 1, 0, false, "personal_data_requires_"),
        new Case("territory-public-bodies", new JsonObject().put("territory", "INSEE-REG:94"), Scope.NEGOTIATION,
            COMMUNE, "public", none, null, 0, true, null),
        new Case("territory-public-bodies", new JsonObject().put("territory", "INSEE-DEP:2A"), Scope.NEGOTIATION,
            COMMUNE, "public", none, null, 0, false, "constraint_not_satisfied"),
        new Case("research-limited-duration", new JsonObject().put("days", 90), Scope.ACCESS, COMMUNE, "public",
            research, 90, 0, true, null),
        new Case("research-limited-duration", new JsonObject().put("days", 90), Scope.ACCESS, COMMUNE, "public",
            research, 91, 0, false, "constraint_not_satisfied"),
        new Case("personal-data-rgpd", rgpd, Scope.NEGOTIATION, COMMUNE, "personal", publicService, null, 0, true,
            null),
        new Case("personal-data-rgpd", rgpd, Scope.NEGOTIATION, COMMUNE, "personal",
            new UsageDeclaration("public-service", "art6-1-a"), null, 0, false, "constraint_not_satisfied"),
        new Case("download-limit", new JsonObject().put("maxDownloads", 3), Scope.ACCESS, COMMUNE, "public", none, 1,
            2, true, null),
        new Case("download-limit", new JsonObject().put("maxDownloads", 3), Scope.ACCESS, COMMUNE, "public", none, 1,
            3, false, "constraint_not_satisfied"))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachTemplateGrantsAndRefusesAsItSays(Case c) throws Exception {
    JsonObject parameters = new JsonObject().put("assetId", "asset-1");
    c.parameters().forEach(e -> parameters.put(e.getKey(), e.getValue()));
    JsonObject policy = c.declared().writeTo(TEMPLATES.instantiate(c.template(), parameters, PROVIDER));
    Instant signedAt = c.signedDaysAgo() == null ? null : NOW.minus(Duration.ofDays(c.signedDaysAgo()));

    Decision d = engine.decide(c.scope(), inputs.build(c.scope(), c.consumer(), "asset-1", c.classification(),
        policy, signedAt, c.count())).await(30, TimeUnit.SECONDS);

    assertThat(d.allow()).as(d.summary()).isEqualTo(c.allow());
    List<String> codes = d.reasons().stream().map(Decision.Reason::code).toList();
    if (c.allow()) {
      assertThat(codes).as(d.summary()).isEmpty();
    } else {
      assertThat(codes).as(d.summary()).anySatisfy(code -> assertThat(code).startsWith(c.reasonCode()));
      assertThat(d.reasons()).allSatisfy(r -> assertThat(r.fr()).isNotBlank());
    }
    assertThat(d.bundleRevision()).isEqualTo("socle@" + PolicyBundles.canonical().revision());
  }
}
