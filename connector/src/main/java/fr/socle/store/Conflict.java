package fr.socle.store;

/**
 * A conditional update found the row in another state than expected: someone else moved it first.
 * Stackless because it is an expected outcome, not a bug.
 */
public final class Conflict extends RuntimeException {
  public Conflict(String message) {
    super(message, null, false, false);
  }
}
