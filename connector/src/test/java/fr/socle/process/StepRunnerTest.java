package fr.socle.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The step runner's bounds: rows kicked beyond its maximum are picked up again from the store once
 * steps finish (not dropped until a restart), and a step running past its bound shows in its status.
 * Steps here complete only when the test says so, on the test's thread, as the event loop would.
 */
class StepRunnerTest {

  private final Vertx vertx = Vertx.vertx();
  private final Map<String, Promise<Boolean>> inFlight = new HashMap<>();
  private final List<String> stepped = new ArrayList<>();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private StepRunner runner(Tuning tuning, List<String> unfinished) {
    return new StepRunner(vertx, "test", tuning, id -> {
      stepped.add(id);
      Promise<Boolean> done = Promise.promise();
      inFlight.put(id, done);
      return done.future();
    }, (id, cause) -> Future.succeededFuture(), () -> Future.succeededFuture(unfinished));
  }

  @Test
  void rowsKickedBeyondTheMaximumArePickedUpAgainFromTheStoreOnceStepsFinish() {
    List<String> unfinished = new ArrayList<>(List.of("a", "b", "c", "d"));
    StepRunner runner = runner(new Tuning(3, Duration.ofMillis(10), Duration.ofMillis(10), 2, Duration.ofMinutes(1)),
        unfinished);
    unfinished.forEach(runner::kick);
    assertThat(stepped).containsExactly("a", "b");
    assertThat(runner.status().backlog()).isTrue();
    assertThat(runner.status().running()).isEqualTo(2);

    finish("a", unfinished);
    // Half the maximum is free: the store is read again and the rows not running are stepped, up to it.
    assertThat(stepped).containsExactly("a", "b", "c");
    assertThat(runner.status().backlog()).isTrue();

    finish("b", unfinished);
    assertThat(stepped).containsExactly("a", "b", "c", "d");
    assertThat(runner.status().backlog()).isFalse();
  }

  /** The row reached a final state: it leaves the store's unfinished rows, then its step completes. */
  private void finish(String id, List<String> unfinished) {
    unfinished.remove(id);
    inFlight.get(id).complete(false);
  }

  @Test
  void aStepRunningPastItsBoundMakesTheRunnerStalled() throws InterruptedException {
    StepRunner runner = runner(new Tuning(3, Duration.ofMillis(10), Duration.ofMillis(10), 10, Duration.ofMillis(50)),
        List.of());
    assertThat(runner.status().stalled()).isFalse();
    runner.kick("slow");
    assertThat(runner.status().stalled()).isFalse();
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!runner.status().stalled() && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    assertThat(runner.status().stalled()).isTrue();
    assertThat(runner.status().toJson().getString("name")).isEqualTo("test");
    inFlight.get("slow").complete(false);
    assertThat(runner.status().stalled()).isFalse();
    assertThat(runner.status().running()).isZero();
  }
}
