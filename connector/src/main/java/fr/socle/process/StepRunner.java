package fr.socle.process;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
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
 * <p>Kicks are called on the node's event loop context, which is what makes the plain collections
 * safe; {@link #status()} may be read from anywhere. At most {@link Tuning#maxRunning()} steps run at
 * once. A kick beyond that is not queued in memory (the store already holds the row): the runner
 * notes a backlog and, once half its steps have finished, asks the store for the unfinished rows
 * again, so nothing waits for a restart.
 */
public final class StepRunner {

  private static final Logger LOG = LoggerFactory.getLogger(StepRunner.class);

  /** What a health probe shows of a runner. */
  public record Status(String name, int running, boolean backlog, long oldestStepSeconds, boolean stalled) {

    public JsonObject toJson() {
      return new JsonObject().put("name", name).put("running", running).put("backlog", backlog)
          .put("oldestStepSeconds", oldestStepSeconds).put("stalled", stalled);
    }
  }

  private final Vertx vertx;
  private final String name;
  private final Tuning tuning;
  private final Function<String, Future<Boolean>> step;
  private final BiFunction<String, Throwable, Future<Void>> giveUp;
  private final Supplier<Future<List<String>>> unfinished;
  /** Rows whose step is in flight, with when it began (nanoTime). */
  private final Map<String, Long> running = new ConcurrentHashMap<>();
  private final Set<String> rerun = new HashSet<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  private volatile boolean backlog;
  private boolean rescanning;

  /**
   * @param step runs the row's pending step; succeeds with {@code true} when the row moved on and may
   *     have another step, {@code false} when it has nothing left to do
   * @param giveUp called once a step failed {@link Tuning#maxAttempts()} times in a row
   * @param unfinished the ids of the rows that may have a step to run, read from the store
   */
  public StepRunner(Vertx vertx, String name, Tuning tuning, Function<String, Future<Boolean>> step,
      BiFunction<String, Throwable, Future<Void>> giveUp, Supplier<Future<List<String>>> unfinished) {
    this.vertx = vertx;
    this.name = name;
    this.tuning = tuning;
    this.step = step;
    this.giveUp = giveUp;
    this.unfinished = unfinished;
  }

  /** Asks for the row's pending step to run now. */
  public void kick(String id) {
    if (running.containsKey(id)) {
      rerun.add(id);
      return;
    }
    if (running.size() >= tuning.maxRunning()) {
      if (!backlog) {
        LOG.warn("{}: {} steps already running; {} and the rows kicked after it are picked up from the store once"
            + " half of them have finished", name, running.size(), id);
      }
      backlog = true;
      return;
    }
    running.put(id, System.nanoTime());
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
      if (backlog && running.size() <= tuning.maxRunning() / 2) {
        rescan();
      }
    });
  }

  /** What is running now, whether rows wait to be picked up again, and whether a step looks stuck. */
  public Status status() {
    long now = System.nanoTime();
    long oldest = running.values().stream().mapToLong(began -> now - began).max().orElse(-1);
    return new Status(name, running.size(), backlog, Math.max(0, oldest) / 1_000_000_000L,
        oldest >= tuning.stalledAfter().toNanos());
  }

  private void rescan() {
    if (rescanning) {
      return;
    }
    rescanning = true;
    backlog = false;
    unfinished.get().onComplete(read -> {
      rescanning = false;
      if (read.failed()) {
        backlog = true;
        LOG.warn("{}: the unfinished rows could not be read again, retried when the next step ends: {}", name,
            read.cause().getMessage());
        return;
      }
      read.result().stream().filter(id -> !running.containsKey(id) && !attempts.containsKey(id)).forEach(this::kick);
    });
  }

  private void retry(String id, Throwable cause) {
    int attempt = attempts.merge(id, 1, Integer::sum);
    if (attempt >= tuning.maxAttempts()) {
      attempts.remove(id);
      LOG.warn("{}: {} failed {} times, giving up: {}", name, id, attempt, cause.getMessage());
      giveUp.apply(id, cause).onComplete(done -> kick(id));
      return;
    }
    long delay = Math.min(tuning.maxRetry().toMillis(), tuning.firstRetry().toMillis() << Math.min(attempt - 1, 20));
    LOG.info("{}: step of {} failed (attempt {}/{}), retrying in {} ms: {}", name, id, attempt, tuning.maxAttempts(),
        delay, cause.getMessage());
    vertx.setTimer(Math.max(1, delay), t -> kick(id));
  }
}
