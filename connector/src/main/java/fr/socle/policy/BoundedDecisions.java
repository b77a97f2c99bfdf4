package fr.socle.policy;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;

/**
 * Many decisions for one request, with at most a given number asked at once. Sending them all at
 * once overflowed the OPA client's wait queue under load, and every decision that overflowed came
 * back as a denial: a catalog silently lost offers. Here the request asks no more than its share, and
 * the first decision that could not be made ({@link Decision#undecided()}) fails the whole run with
 * {@link DecisionUnavailable}, starting no further decision, so that no caller mistakes it for a "no".
 */
public final class BoundedDecisions {

  private BoundedDecisions() {
  }

  /**
   * The decisions on {@code inputs}, in their order; fails with {@link DecisionUnavailable} (its
   * subject described by {@code what}) at the first one that could not be made.
   *
   * @param maxInFlight decisions asked at once, at least 1
   */
  public static Future<List<Decision>> decideAll(DecisionPoint point, Scope scope, List<JsonObject> inputs,
      int maxInFlight, Function<Integer, LocalizedText> what) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    if (inputs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return new Run(point, scope, List.copyOf(inputs), maxInFlight, what).start();
  }

  /**
   * One run. Completions may arrive on another thread than the start (an audited decision completes
   * where the audit log's worker hands it back), hence the lock; a decision that completes at once
   * must not start the next one from inside {@link #pump()}, or a long run would nest as deep as it
   * is long.
   */
  private static final class Run {
    private final DecisionPoint point;
    private final Scope scope;
    private final List<JsonObject> inputs;
    private final int maxInFlight;
    private final Function<Integer, LocalizedText> what;
    private final Decision[] results;
    private final Promise<List<Decision>> promise = Promise.promise();
    private int next;
    private int running;
    private int done;
    private boolean pumping;

    Run(DecisionPoint point, Scope scope, List<JsonObject> inputs, int maxInFlight,
        Function<Integer, LocalizedText> what) {
      this.point = point;
      this.scope = scope;
      this.inputs = inputs;
      this.maxInFlight = maxInFlight;
      this.what = what;
      this.results = new Decision[inputs.size()];
    }

    Future<List<Decision>> start() {
      pump();
      return promise.future();
    }

    private synchronized void pump() {
      if (pumping) {
        return;
      }
      pumping = true;
      try {
        while (!promise.future().isComplete() && running < maxInFlight && next < inputs.size()) {
          int index = next++;
          running++;
          Future<Decision> decision;
          try {
            decision = point.decide(scope, inputs.get(index));
          } catch (RuntimeException e) {
            decision = Future.failedFuture(e);
          }
          decision.onComplete(result -> completed(index, result));
        }
      } finally {
        pumping = false;
      }
    }

    private synchronized void completed(int index, AsyncResult<Decision> result) {
      running--;
      if (promise.future().isComplete()) {
        return;
      }
      // The decision point promises a decision in every case; a failed future breaks that promise,
      // and is no more an answer than an unreachable engine.
      Decision decision = result.succeeded() ? result.result() : Decision.failClosed(scope,
          Decision.ENGINE_UNAVAILABLE, "Aucune décision n'a été rendue (" + result.cause().getMessage() + ").",
          "No decision was returned (" + result.cause().getMessage() + ").");
      if (decision.undecided()) {
        promise.fail(DecisionUnavailable.of(decision, what.apply(index)));
        return;
      }
      results[index] = decision;
      if (++done == results.length) {
        promise.complete(List.of(results));
        return;
      }
      pump();
    }
  }

  /** For callers that describe every input the same way. */
  public static Function<Integer, LocalizedText> same(LocalizedText what) {
    return index -> what;
  }
}
