package fr.socle.statemachine;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the next step of a persisted state machine row, event-driven rather than polled.
 *
 * <p>Contract: a caller first commits the row's new state, then calls {@link #kick(String)}. The
 * step loads the row and acts on its state; it must be idempotent per state, because a crash between
 * acting and committing the next state replays it. A row is never stepped twice concurrently; a kick
 * that arrives while a step runs re-runs it once afterwards, so no transition is missed.
 *
 * <p>All methods are called on the node's event loop context, which is what makes the plain
 * collections safe. The number of rows waiting is bounded; beyond it a kick is refused and the row
 * stays pending until the next start-up resumes it.
 */
public final class StepRunner {

  private static final Logger LOG = LoggerFactory.getLogger(StepRunner.class);

  private final Vertx vertx;
  private final String name;
  private final Function<String, Future<Boolean>> step;
  private final BiFunction<String, Throwable, Future<Void>> giveUp;
  private final int maxAttempts;
  private final long baseDelayMillis;
  private final long maxDelayMillis;
  private final int maxPending;
  private final Set<String> running = new HashSet<>();
  private final Set<String> rerun = new HashSet<>();
  private final Map<String, Integer> attempts = new HashMap<>();

  /**
   * @param step runs the row's pending step; succeeds with {@code true} when the row moved on and may
   *     have another step, {@code false} when it has nothing left to do
   * @param giveUp called once a step failed {@code maxAttempts} times in a row
   */
  public StepRunner(Vertx vertx, String name, Function<String, Future<Boolean>> step,
      BiFunction<String, Throwable, Future<Void>> giveUp, int maxAttempts, long baseDelayMillis,
      long maxDelayMillis, int maxPending) {
    this.vertx = vertx;
    this.name = name;
    this.step = step;
    this.giveUp = giveUp;
    this.maxAttempts = maxAttempts;
    this.baseDelayMillis = baseDelayMillis;
    this.maxDelayMillis = maxDelayMillis;
    this.maxPending = maxPending;
  }

  /** Asks for the row's pending step to run now. */
  public void kick(String id) {
    if (running.contains(id)) {
      rerun.add(id);
      return;
    }
    if (running.size() >= maxPending) {
      LOG.warn("{}: {} steps already running, {} waits for the next start-up", name, running.size(), id);
      return;
    }
    running.add(id);
    Future<Boolean> outcome;
    try {
      outcome = step.apply(id);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(result -> {
      running.remove(id);
      boolean again = rerun.remove(id);
      if (result.succeeded()) {
        attempts.remove(id);
        if (result.result() || again) {
          kick(id);
        }
      } else {
        retry(id, result.cause());
      }
    });
  }

  private void retry(String id, Throwable cause) {
    int attempt = attempts.merge(id, 1, Integer::sum);
    if (attempt >= maxAttempts) {
      attempts.remove(id);
      LOG.warn("{}: {} failed {} times, giving up: {}", name, id, attempt, cause.getMessage());
      giveUp.apply(id, cause).onComplete(done -> kick(id));
      return;
    }
    long delay = Math.min(maxDelayMillis, baseDelayMillis << Math.min(attempt - 1, 20));
    LOG.info("{}: step of {} failed (attempt {}/{}), retrying in {} ms: {}", name, id, attempt, maxAttempts, delay,
        cause.getMessage());
    vertx.setTimer(delay, t -> kick(id));
  }
}
