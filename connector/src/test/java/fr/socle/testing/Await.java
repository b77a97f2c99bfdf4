package fr.socle.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Waiting for a state of a process the test does not drive (a node, OPA, a log): the state is polled
 * until it holds or a deadline passes, then the wait fails naming what it waited for and what it saw
 * last. Tests wait for what they need, not for a delay that is too short on a loaded machine and too
 * long everywhere else.
 */
public final class Await {

  /** The first pause between two polls; it doubles up to {@link #LONGEST_PAUSE}. */
  private static final long FIRST_PAUSE_MILLIS = 20;
  /** Long enough not to load the node polled (a poll may be a whole audit export). */
  private static final long LONGEST_PAUSE = 200;

  private Await() {
  }

  /** A state read once; it may throw what reading it throws. */
  @FunctionalInterface
  public interface Probe<T, E extends Exception> {
    T read() throws E, InterruptedException;
  }

  /** Whether the awaited state holds now. */
  @FunctionalInterface
  public interface Condition<E extends Exception> {
    boolean holds() throws E, InterruptedException;
  }

  /**
   * Polls {@code condition} until it holds; fails with an {@link AssertionError} naming
   * {@code description} once {@code limit} has passed. What the condition throws ends the wait at once.
   */
  public static <E extends Exception> void until(Duration limit, String description, Condition<E> condition)
      throws E, InterruptedException {
    until(limit, description, condition::holds, Boolean::booleanValue);
  }

  /**
   * Reads {@code probe} until {@code accepted} holds for what it read, and returns that; fails with an
   * {@link AssertionError} naming {@code description} and the last value read once {@code limit} has
   * passed. What the probe throws ends the wait at once.
   */
  public static <T, E extends Exception> T until(Duration limit, String description, Probe<T, E> probe,
      Predicate<? super T> accepted) throws E, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    long pause = FIRST_PAUSE_MILLIS;
    while (true) {
      T last = probe.read();
      if (accepted.test(last)) {
        return last;
      }
      if (System.nanoTime() >= deadline) {
        throw new AssertionError("waited " + limit + " for " + description + "; last seen: " + last);
      }
      Thread.sleep(Math.min(pause, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      pause = Math.min(pause * 2, LONGEST_PAUSE);
    }
  }

  /**
   * Calls {@code call} until it answers: a process starting or restarting refuses connections
   * ({@link IOException}) or answers with an error ({@link AssertionError}, as {@link NodeProcess.Api}
   * reports an unexpected status). Once {@code limit} has passed, the last failure is thrown, with
   * {@code description} attached.
   */
  public static <T, E extends Exception> T answer(Duration limit, String description, Probe<T, E> call)
      throws E, IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    long pause = FIRST_PAUSE_MILLIS;
    while (true) {
      Throwable failure;
      try {
        return call.read();
      } catch (AssertionError e) {
        failure = e;
      } catch (Exception e) {
        if (!(e instanceof IOException)) {
          throw e;
        }
        failure = e;
      }
      if (System.nanoTime() >= deadline) {
        failure.addSuppressed(new AssertionError("no answer within " + limit + " for " + description));
        if (failure instanceof IOException refused) {
          throw refused;
        }
        throw (AssertionError) failure;
      }
      Thread.sleep(pause);
      pause = Math.min(pause * 2, LONGEST_PAUSE);
    }
  }
}
