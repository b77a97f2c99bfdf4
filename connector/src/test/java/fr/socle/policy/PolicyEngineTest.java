package fr.socle.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fail-closed behaviour of the OPA client against a scripted stand-in server: every way the policy
 * engine can misbehave ends in a denial with a reason, never an allow and never a failed future. That
 * includes answering from another bundle revision than the node expects, or from no bundle at all.
 */
@ExtendWith(VertxExtension.class)
@Timeout(10)
class PolicyEngineTest {

  private final AtomicReference<io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest>> behaviour =
      new AtomicReference<>();
  private HttpServer server;
  private PolicyEngine engine;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = vertx.createHttpServer().requestHandler(r -> behaviour.get().handle(r)).listen(0, "127.0.0.1")
        .await();
    engine = new PolicyEngine(vertx, URI.create("http://127.0.0.1:" + server.actualPort()), 500, "r7");
  }

  @AfterEach
  void stop() throws Exception {
    server.close().await();
  }

  private void answer(int status, String body) {
    behaviour.set(r -> r.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body));
  }

  private Decision decide() throws Exception {
    return engine.decide(Scope.NEGOTIATION, new JsonObject()).await();
  }

  @Test
  void wellFormedDecisionIsPassedOn() throws Exception {
    answer(200, "{\"decision_id\":\"d-1\",\"result\":{\"allow\":true,\"reasons\":[{\"code\":\"ok\",\"fr\":\"oui\","
        + "\"en\":\"yes\"}],\"obligations\":[{\"action\":\"attribute\"}]},\"provenance\":{\"bundles\":{\"socle\":"
        + "{\"revision\":\"r7\"}}}}");
    Decision d = decide();
    assertThat(d.allow()).isTrue();
    assertThat(d.decisionId()).isEqualTo("d-1");
    assertThat(d.bundleRevision()).isEqualTo("socle@r7");
    assertThat(d.obligations().getJsonObject(0).getString("action")).isEqualTo("attribute");
    assertThat(d.reasons()).containsExactly(new Decision.Reason("ok", "oui", "yes"));
  }

  private static final String PROVENANCE = ",\"provenance\":{\"version\":\"1.22.3\",\"bundles\":{\"socle\":"
      + "{\"revision\":\"r7\"}}}";

  @Test
  void decisionFromAnotherRevisionIsADenialNamingBoth() throws Exception {
    answer(200, "{\"decision_id\":\"d-2\",\"result\":{\"allow\":true,\"reasons\":[],\"obligations\":[]},"
        + "\"provenance\":{\"bundles\":{\"socle\":{\"revision\":\"r6\"}}}}");
    Decision d = decide();
    assertThat(d.allow()).isFalse();
    assertThat(d.reasons()).hasSize(1);
    assertThat(d.reasons().get(0).code()).isEqualTo("policy_bundle_revision_mismatch");
    assertThat(d.reasons().get(0).en()).isEqualTo("The policy engine (OPA) runs revision socle@r6 while this node "
        + "expects socle@r7, so the request is denied rather than decided on stale or unexpected rules.");
    assertThat(d.reasons().get(0).fr()).contains("révision socle@r6 alors que ce nœud attend socle@r7");
    assertThat(d.bundleRevision()).isEqualTo("socle@r6");
    assertThat(d.decisionId()).isEqualTo("d-2");
    assertThat(d.summary()).endsWith("[decision d-2, policy bundle socle@r6]");
  }

  @Test
  void noActiveBundleIsADenialEvenWithAResult() throws Exception {
    answer(200, "{\"result\":{\"allow\":true},\"provenance\":{\"version\":\"1.22.3\"}}");
    Decision d = decide();
    assertThat(d.allow()).isFalse();
    assertThat(d.reasons().get(0).code()).isEqualTo("policy_bundle_revision_mismatch");
    assertThat(d.reasons().get(0).en()).startsWith("No signed policy bundle is active in the policy engine (OPA) "
        + "while this node expects socle@r7");
    assertThat(d.bundleRevision()).isNull();
  }

  @Test
  void aSecondBundleBesideTheExpectedOneIsADenial() throws Exception {
    answer(200, "{\"result\":{\"allow\":true},\"provenance\":{\"bundles\":{\"socle\":{\"revision\":\"r7\"},"
        + "\"extra\":{\"revision\":\"x\"}}}}");
    Decision d = decide();
    assertThat(d.allow()).isFalse();
    assertThat(d.reasons().get(0).en()).contains("runs revision extra@x,socle@r7 while this node expects socle@r7");
  }

  @Test
  void refusedBundleAnswersNothingAndTheReasonSaysWhy() throws Exception {
    // What OPA answers when its only bundle failed verification: no result, no bundle in provenance.
    answer(200, "{\"provenance\":{\"version\":\"1.22.3\"}}");
    assertThat(decide().reasons().get(0).code()).isEqualTo("policy_bundle_revision_mismatch");
  }

  @Test
  void readinessRequiresTheExpectedRevision() throws Exception {
    answer(200, "{\"result\":{\"allow\":false,\"reasons\":[{\"code\":\"evaluation_incomplete\"}]}" + PROVENANCE + "}");
    PolicyEngine.Readiness ready = engine.readiness().await();
    assertThat(ready.ready()).isTrue();
    assertThat(ready.activeBundle()).isEqualTo("socle@r7");
    answer(200, "{\"result\":{\"allow\":false},\"provenance\":{\"bundles\":{\"socle\":{\"revision\":\"r6\"}}}}");
    PolicyEngine.Readiness stale = engine.readiness().await();
    assertThat(stale.ready()).isFalse();
    assertThat(stale.problem()).startsWith("policy_bundle_revision_mismatch: The policy engine (OPA) runs revision "
        + "socle@r6 while this node expects socle@r7");
    answer(200, "{" + PROVENANCE.substring(1) + "}");
    assertThat(engine.readiness().await().problem()).contains("no decision is defined");
  }

  @Test
  void undefinedResultIsADenial() throws Exception {
    answer(200, "{" + PROVENANCE.substring(1) + "}");
    Decision d = decide();
    assertThat(d.allow()).isFalse();
    assertThat(d.summary()).contains("no decision is defined for scope 'negotiation'");
  }

  @Test
  void resultWithoutBooleanAllowIsADenial() throws Exception {
    answer(200, "{\"result\":{\"allow\":\"true\"}" + PROVENANCE + "}");
    assertThat(decide().allow()).isFalse();
    assertThat(decide().summary()).contains("no boolean 'allow'");
  }

  @Test
  void serverErrorIsADenial() throws Exception {
    answer(500, "{\"code\":\"internal_error\",\"message\":\"boom\"}");
    Decision d = decide();
    assertThat(d.allow()).isFalse();
    assertThat(d.reasons().get(0).code()).isEqualTo("policy_engine_unavailable");
  }

  @Test
  void notJsonIsADenial() throws Exception {
    answer(200, "<html>");
    assertThat(decide().allow()).isFalse();
  }

  @Test
  void slowAnswerIsADenialWithinTheTimeout() throws Exception {
    behaviour.set(r -> { /* never answers */ });
    long start = System.nanoTime();
    Decision d = decide();
    assertThat(d.allow()).isFalse();
    assertThat(d.reasons().get(0).code()).isEqualTo("policy_engine_unavailable");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
  }

  @Test
  void unreachableEngineIsADenialAndUnhealthy(Vertx vertx, VertxTestContext ctx) throws Exception {
    server.close().await();
    Decision d = decide();
    assertThat(d.allow()).isFalse();
    assertThat(d.reasons().get(0).fr()).contains("injoignable");
    PolicyEngine.Readiness readiness = engine.readiness().await();
    assertThat(readiness.ready()).isFalse();
    assertThat(readiness.problem()).startsWith("policy engine (OPA) at http://127.0.0.1:");
    ctx.completeNow();
  }
}
