package fr.socle.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Many decisions for one request: bounded, in order, and stopped at the first that could not be made. */
class BoundedDecisionsTest {

  private static final LocalizedText WHAT = new LocalizedText("an offer", "d'une offre");

  /** A decision point whose answers the test gives, one pending decision at a time. */
  private static final class Pending implements DecisionPoint {
    final List<Promise<Decision>> asked = new ArrayList<>();
    int running;
    int maxRunning;

    @Override
    public Future<Decision> decide(Scope scope, JsonObject input) {
      Promise<Decision> p = Promise.promise();
      asked.add(p);
      running++;
      maxRunning = Math.max(maxRunning, running);
      return p.future().onComplete(done -> running--);
    }
  }

  private static Decision allow(boolean allow) {
    return new Decision(Scope.CATALOG, allow, List.of(), new JsonArray(), "id", "socle@r1");
  }

  private static List<JsonObject> inputs(int n) {
    return IntStream.range(0, n).mapToObj(i -> new JsonObject().put("i", i)).toList();
  }

  @Test
  void neverMoreThanTheBoundInFlightAndAnswersKeepTheirOrder() {
    Pending point = new Pending();
    Future<List<Decision>> all = BoundedDecisions.decideAll(point, Scope.CATALOG, inputs(50), 4,
        BoundedDecisions.same(WHAT));
    assertThat(point.asked).hasSize(4);
    // Answered out of order: the last asked first.
    for (int answered = 0; answered < 50; answered++) {
      Promise<Decision> p = point.asked.stream().filter(x -> !x.future().isComplete()).reduce((a, b) -> b).orElseThrow();
      p.complete(allow(point.asked.indexOf(p) % 3 != 0));
      assertThat(point.running).isLessThanOrEqualTo(4);
    }
    assertThat(point.maxRunning).isEqualTo(4);
    assertThat(all.succeeded()).isTrue();
    assertThat(all.result()).hasSize(50);
    for (int i = 0; i < 50; i++) {
      assertThat(all.result().get(i).allow()).as("decision " + i).isEqualTo(i % 3 != 0);
    }
  }

  @Test
  void aDecisionThatCouldNotBeMadeFailsTheRunAndStartsNoOther() {
    Pending point = new Pending();
    Future<List<Decision>> all = BoundedDecisions.decideAll(point, Scope.CATALOG, inputs(100), 8,
        i -> new LocalizedText("offer " + i, "de l'offre " + i));
    point.asked.get(0).complete(allow(false));
    point.asked.get(1).complete(Decision.failClosed(Scope.CATALOG, Decision.ENGINE_UNAVAILABLE,
        "Le moteur de politiques (OPA) est injoignable.", "The policy engine (OPA) is unreachable."));
    assertThat(all.failed()).isTrue();
    assertThat(all.cause()).isInstanceOf(DecisionUnavailable.class);
    DecisionUnavailable e = (DecisionUnavailable) all.cause();
    assertThat(e.code()).isEqualTo("policy_engine_unavailable");
    assertThat(e.reason().en()).contains("could not decide on offer 1").contains("OPA) is unreachable");
    assertThat(e.reason().fr()).contains("n'a pas pu décider de l'offre 1").contains("injoignable");
    // The 8 asked at first, and the one that replaced the refusal; nothing after the failure.
    point.asked.subList(2, point.asked.size()).forEach(p -> p.complete(allow(true)));
    assertThat(point.asked).hasSize(9);
  }

  @Test
  void aRefusalIsAnAnswerButAFailedFutureIsNot() {
    Future<List<Decision>> refused = BoundedDecisions.decideAll((s, i) -> Future.succeededFuture(
        new Decision(s, false, List.of(new Decision.Reason("not_a_member", "fr", "en")), new JsonArray(), "d", "r")),
        Scope.CATALOG, inputs(3), 2, BoundedDecisions.same(WHAT));
    assertThat(refused.result()).extracting(Decision::allow).containsExactly(false, false, false);
    Future<List<Decision>> broken = BoundedDecisions.decideAll((s, i) -> Future.failedFuture("boom"),
        Scope.CATALOG, inputs(3), 2, BoundedDecisions.same(WHAT));
    assertThat(broken.cause()).isInstanceOf(DecisionUnavailable.class).hasMessageContaining("boom");
  }

  @Test
  void decisionsAnsweredAtOnceDoNotNestAsDeepAsTheRunIsLong() {
    Future<List<Decision>> all = BoundedDecisions.decideAll((s, i) -> Future.succeededFuture(allow(true)),
        Scope.CATALOG, inputs(200_000), 8, BoundedDecisions.same(WHAT));
    assertThat(all.result()).hasSize(200_000);
  }

  @Test
  void onlyAnUnansweredDecisionIsUndecided() {
    assertThat(allow(false).undecided()).isFalse();
    assertThat(allow(true).undecided()).isFalse();
    assertThat(Decision.failClosed(Scope.CATALOG, "policy_engine_malformed_answer", "fr", "en").undecided())
        .as("an undefined or unreadable answer stays a refusal").isFalse();
    for (String code : List.of(Decision.ENGINE_UNAVAILABLE, Decision.AUDIT_UNAVAILABLE, PolicyEngine.REVISION_MISMATCH)) {
      assertThat(Decision.failClosed(Scope.CATALOG, code, "fr", "en").undecided()).as(code).isTrue();
    }
  }
}
