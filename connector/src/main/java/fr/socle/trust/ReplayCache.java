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
 * one forgotten, because forgetting would reopen a replay window. Each issuer has its own share
 * ({@code perIssuer}): a member that floods the node with valid calls fills its share and is refused
 * alone, while the others keep theirs; only several members flooding together could fill the whole.
 * Only federation members reach the cache at all (tokens reach it after their chain and signature
 * checks), so a flood is visible and attributable, not silent.
 *
 * <p>Ids are scoped by issuer, as RFC 7519 scopes {@code jti}: one node cannot burn another's ids.
 * Thread-safe; the critical section is a hash lookup plus removal of expired heads.
 */
public final class ReplayCache {

  /** Enough for about 300 calls per second with the longest lifetime a token may have. */
  public static final int DEFAULT_CAPACITY = 100_000;
  /**
   * One member's share: about 270 calls per second with the 60 s tokens nodes issue (kept 90 s with
   * the skew); four members would have to flood together to fill the whole.
   */
  public static final int DEFAULT_PER_ISSUER = 25_000;

  /** What {@link #firstUse} decided. */
  public enum Outcome {
    /** Not seen before; now remembered until its expiry. */
    FIRST_USE,
    /** Already presented by the same issuer. */
    REPLAYED,
    /** The cache holds {@code capacity} unexpired ids, or this issuer its share; the token is refused. */
    FULL
  }

  private record Entry(String key, String issuer, Instant forgetAfter) {
  }

  private final int capacity;
  private final int perIssuer;
  private final Clock clock;
  private final Map<String, Instant> seen = new HashMap<>();
  private final Map<String, Integer> heldBy = new HashMap<>();
  private final PriorityQueue<Entry> byExpiry =
      new PriorityQueue<>((a, b) -> a.forgetAfter().compareTo(b.forgetAfter()));

  /** A cache whose issuers may each fill it whole: for tests and tools with one caller. */
  public ReplayCache(int capacity, Clock clock) {
    this(capacity, capacity, clock);
  }

  public ReplayCache(int capacity, int perIssuer, Clock clock) {
    if (capacity <= 0 || perIssuer <= 0 || perIssuer > capacity) {
      throw new IllegalArgumentException("replay cache capacity and share must be positive, the share at most the"
          + " capacity, got " + capacity + " and " + perIssuer);
    }
    this.capacity = capacity;
    this.perIssuer = perIssuer;
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
    int held = heldBy.getOrDefault(issuer, 0);
    if (seen.size() >= capacity || held >= perIssuer) {
      return Outcome.FULL;
    }
    seen.put(key, forgetAfter);
    heldBy.put(issuer, held + 1);
    byExpiry.add(new Entry(key, issuer, forgetAfter));
    return Outcome.FIRST_USE;
  }

  public synchronized int size() {
    purge(clock.instant());
    return seen.size();
  }

  public int capacity() {
    return capacity;
  }

  /** How many unexpired ids one issuer may have here. */
  public int perIssuer() {
    return perIssuer;
  }


  private void purge(Instant now) {
    while (!byExpiry.isEmpty() && byExpiry.peek().forgetAfter().isBefore(now)) {
      Entry expired = byExpiry.poll();
      seen.remove(expired.key());
      heldBy.computeIfPresent(expired.issuer(), (issuer, held) -> held == 1 ? null : held - 1);
    }
  }
}
