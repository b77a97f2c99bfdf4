package fr.socle.trust;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Remembers the {@code jti} of every accepted node token until the token could no longer be accepted
 * anyway, so that a captured token cannot be played a second time (RFC 7519 §4.1.7).
 *
 * <p>Bounded: when {@code capacity} unexpired ids are held, a new one is refused rather than an old
 * one forgotten, because forgetting would reopen a replay window. Only federation members can fill
 * the cache (tokens reach it after their chain and signature checks), and at the default capacity
 * that takes hundreds of calls per second for minutes: a visible, attributable flood, not silence.
 *
 * <p>Ids are scoped by issuer, as RFC 7519 scopes {@code jti}: one node cannot burn another's ids.
 * Thread-safe; the critical section is a hash lookup plus removal of expired heads.
 */
public final class ReplayCache {

  /** Enough for about 300 calls per second with the longest lifetime a token may have. */
  public static final int DEFAULT_CAPACITY = 100_000;

  /** What {@link #firstUse} decided. */
  public enum Outcome {
    /** Not seen before; now remembered until its expiry. */
    FIRST_USE,
    /** Already presented by the same issuer. */
    REPLAYED,
    /** The cache holds {@code capacity} unexpired ids; the token is refused. */
    FULL
  }

  private record Entry(String key, Instant forgetAfter) {
  }

  private final int capacity;
  private final Clock clock;
  private final Map<String, Instant> seen = new HashMap<>();
  private final PriorityQueue<Entry> byExpiry =
      new PriorityQueue<>((a, b) -> a.forgetAfter().compareTo(b.forgetAfter()));

  public ReplayCache(int capacity, Clock clock) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("replay cache capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
    this.clock = clock;
  }

  /**
   * Records {@code jti} of {@code issuer} unless it is already there.
   *
   * @param forgetAfter the last instant at which the verifier would still accept the token (its
   *                    {@code exp} plus the allowed skew); the id is kept until then
   */
  public synchronized Outcome firstUse(String issuer, String jti, Instant forgetAfter) {
    purge(clock.instant());
    // Length-prefixed so that ("a:b", "c") and ("a", "b:c") never collide.
    String key = issuer.length() + ":" + issuer + jti;
    if (seen.containsKey(key)) {
      return Outcome.REPLAYED;
    }
    if (seen.size() >= capacity) {
      return Outcome.FULL;
    }
    seen.put(key, forgetAfter);
    byExpiry.add(new Entry(key, forgetAfter));
    return Outcome.FIRST_USE;
  }

  public synchronized int size() {
    purge(clock.instant());
    return seen.size();
  }

  public int capacity() {
    return capacity;
  }

  private void purge(Instant now) {
    while (!byExpiry.isEmpty() && byExpiry.peek().forgetAfter().isBefore(now)) {
      seen.remove(byExpiry.poll().key());
    }
  }
}
