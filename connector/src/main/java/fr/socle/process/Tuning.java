package fr.socle.process;

import java.time.Duration;

/**
 * How a {@link StepRunner} retries and how much it holds, named once for both state machines.
 *
 * @param maxAttempts failed attempts of one step before the process is given up
 * @param firstRetry  the wait after the first failure; doubled after each further one
 * @param maxRetry    the longest wait between two attempts
 * @param maxRunning  steps in flight at once; rows kicked beyond it are picked up again from the store
 * @param stalledAfter a step running longer than this makes the runner report itself stalled
 */
public record Tuning(int maxAttempts, Duration firstRetry, Duration maxRetry, int maxRunning, Duration stalledAfter) {

  /**
   * About four minutes of retries (0.5 + 1 + 2 + ... capped at 30 s) ride out a partner restart; a
   * step is bounded by the DSP and push timeouts, so one running for 15 minutes is stuck.
   */
  public static final Tuning DEFAULT = new Tuning(8, Duration.ofMillis(500), Duration.ofSeconds(30), 10_000,
      Duration.ofMinutes(15));

  public Tuning {
    if (maxAttempts < 1 || maxRunning < 1 || firstRetry.isNegative() || maxRetry.compareTo(firstRetry) < 0
        || stalledAfter.isNegative() || stalledAfter.isZero()) {
      throw new IllegalArgumentException("invalid step runner tuning: " + maxAttempts + " attempts, retries "
          + firstRetry + " to " + maxRetry + ", " + maxRunning + " running, stalled after " + stalledAfter);
    }
  }
}
