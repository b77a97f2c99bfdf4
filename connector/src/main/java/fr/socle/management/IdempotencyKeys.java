package fr.socle.management;

import fr.socle.store.Conflict;
import fr.socle.store.Database;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The {@code Idempotency-Key} of the management API's creating POSTs, in the spirit of the IETF
 * httpapi draft and of Stripe's API: a request is run once per key, and a retry of it gets the first
 * response again.
 *
 * <p>{@link #begin} claims the key in a short transaction of its own, marked with this process's
 * {@code runner} id and without a response. The creation then writes the response into the claimed
 * row ({@link #complete}) inside its own transaction, so the resource and its key's response commit
 * together: a crash leaves either both or a claim without a response, and a claim without a response
 * from a runner that is gone (the process before a restart) created nothing, so the next request
 * with the key takes it over. A creation that fails {@linkplain #release releases} the claim: it
 * created nothing either, and the client may retry. One node process per database is assumed, as
 * everywhere in the node: a claim of another runner is taken to be a dead one's.
 *
 * <p>Keys are scoped to the caller (a digest of its API key), live {@code ttl}, and at most {@code
 * maxKeys} are kept at once; expired rows are deleted on a claim at most once a minute.
 */
public final class IdempotencyKeys {

  /** A printable token, as Stripe's keys and the draft's UUIDs are; bounded so the row is too. */
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._~:+/=-]{1,255}");
  private static final Duration CLEANUP_EVERY = Duration.ofMinutes(1);
  /** A lock timeout (H2), a serialization failure or deadlock (PostgreSQL): another claim holds the row. */
  private static final Set<String> LOCKED = Set.of("HYT00", "40001", "40P01");

  /** What {@link #begin} decided. */
  public sealed interface Begun permits Claimed, Replay {
  }

  /** The key is this request's: run it, then {@link #complete} in its transaction or {@link #release}. */
  public record Claimed(String scope, String key, String runner) implements Begun {
  }

  /** The request already ran with this key: answer what it answered. */
  public record Replay(int status, String body) implements Begun {
  }

  private final Database db;
  private final Clock clock;
  private final Duration ttl;
  private final long maxKeys;
  /** Tells this process's claims from those a killed process left behind. */
  private final String runner = UUID.randomUUID().toString();
  private final AtomicReference<Instant> lastCleanup = new AtomicReference<>(Instant.MIN);

  public IdempotencyKeys(Database db, Clock clock, Duration ttl, long maxKeys) {
    this.db = db;
    this.clock = clock;
    this.ttl = ttl;
    this.maxKeys = maxKeys;
  }

  /**
   * The key of a request's {@code Idempotency-Key} headers, null without one; the draft's quoted
   * form ({@code "..."}, a structured-field string) is read too.
   *
   * @throws Problem 400 when the header is repeated, empty, too long or has other characters
   */
  public static String key(List<String> headers) {
    if (headers.isEmpty()) {
      return null;
    }
    if (headers.size() > 1) {
      throw new Problem(400, "Bad request", "give one Idempotency-Key header, got " + headers.size(),
          "un seul en-tête Idempotency-Key est attendu, " + headers.size() + " reçus");
    }
    String value = headers.get(0).strip();
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    if (!KEY.matcher(value).matches()) {
      String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
      throw new Problem(400, "Bad request", "Idempotency-Key must be 1 to 255 characters among letters, digits and"
          + " ._~:+/=- (a UUID will do), got '" + shown + "' (" + value.length() + " characters)",
          "Idempotency-Key doit compter de 1 à 255 caractères parmi lettres, chiffres et ._~:+/=- (un UUID convient),"
              + " reçu « " + shown + " » (" + value.length() + " caractères)");
    }
    return value;
  }

  /** What identifies a request for its key: method, path and body, digested. */
  public static String fingerprint(String method, String path, Buffer body) {
    MessageDigest sha256 = sha256();
    sha256.update((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
    if (body != null) {
      sha256.update(body.getBytes());
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  /** The scope of a caller's keys: a digest of its credential, never the credential itself. */
  public static String scope(String credential) {
    return HexFormat.of().formatHex(sha256().digest(credential.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Claims {@code key} for a request of {@code fingerprint}, or finds the response it already got.
   * Fails with a {@link Problem}: 422 when the key was used for another request, 409 while the first
   * request with it still runs, 429 when {@code maxKeys} are kept.
   */
  public Future<Begun> begin(String scope, String key, String fingerprint) {
    return db.transaction(c -> {
      Instant now = clock.instant();
      cleanUpIfDue(c, now);
      Row row = find(c, scope, key, now);
      if (row == null) {
        if (isFull(c, now)) {
          throw new Problem(429, "Too many idempotency keys", "this node keeps " + maxKeys + " idempotency keys at"
              + " most (limits.maxIdempotencyKeys) and all are in use; retry once some expire, after "
              + ttl.toSeconds() + " s", "ce nœud garde au plus " + maxKeys + " clés d'idempotence"
              + " (limits.maxIdempotencyKeys) et toutes servent ; réessayez quand certaines auront expiré, après "
              + ttl.toSeconds() + " s");
        }
        Savepoint before = c.setSavepoint();
        try {
          insert(c, scope, key, fingerprint, now);
          return new Claimed(scope, key, runner);
        } catch (SQLException e) {
          String state = String.valueOf(e.getSQLState());
          if (LOCKED.contains(state)) {
            throw running(key); // the other claim is not committed yet: it runs
          }
          if (!state.startsWith("23")) {
            throw e;
          }
          // Another request claimed the key between the read and the insert: decide on its row.
          c.rollback(before);
          row = find(c, scope, key, now);
          if (row == null) {
            throw running(key);
          }
        }
      }
      return decide(c, row, scope, key, fingerprint);
    });
  }

  private Begun decide(Connection c, Row row, String scope, String key, String fingerprint) throws SQLException {
    if (!row.fingerprint().equals(fingerprint)) {
      throw new Problem(422, "Idempotency key reused", "the Idempotency-Key '" + key + "' was used for another"
          + " request (method, path or body differ); use a new key for a new request",
          "la clé Idempotency-Key « " + key + " » a servi à une autre requête (méthode, chemin ou corps"
              + " différents) ; utilisez une nouvelle clé pour une nouvelle requête");
    }
    if (row.status() != null) {
      return new Replay(row.status(), row.response());
    }
    if (!row.runner().equals(runner) && takeOver(c, scope, key, row.runner())) {
      return new Claimed(scope, key, runner);
    }
    throw running(key);
  }

  private static Problem running(String key) {
    return new Problem(409, "Request in progress", "a request with the Idempotency-Key '" + key + "' is still"
        + " running; retry once it has been answered", "une requête avec la clé Idempotency-Key « " + key
        + " » est encore en cours ; réessayez une fois qu'elle aura reçu sa réponse");
  }

  /**
   * Writes the response of {@code claimed}'s request, in the creation's transaction on {@code c}.
   *
   * @throws Conflict when the claim is no longer this request's (it expired and was claimed again):
   *     the creation is rolled back rather than kept without its key
   */
  public void complete(Connection c, Claimed claimed, int status, String body) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE idempotency_key SET status = ?, response = ? "
        + "WHERE scope = ? AND idem_key = ? AND runner = ? AND status IS NULL")) {
      ps.setInt(1, status);
      ps.setString(2, body);
      ps.setString(3, claimed.scope());
      ps.setString(4, claimed.key());
      ps.setString(5, claimed.runner());
      if (ps.executeUpdate() != 1) {
        throw new Conflict("the Idempotency-Key '" + claimed.key() + "' was claimed by another request meanwhile");
      }
    }
  }

  /** Gives the key up after a creation that failed, and so created nothing: a retry runs again. */
  public Future<Void> release(Claimed claimed) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_key "
          + "WHERE scope = ? AND idem_key = ? AND runner = ? AND status IS NULL")) {
        ps.setString(1, claimed.scope());
        ps.setString(2, claimed.key());
        ps.setString(3, claimed.runner());
        ps.executeUpdate();
      }
      return null;
    });
  }

  private record Row(String fingerprint, String runner, Integer status, String response) {
  }

  /** The live row of {@code key}; an expired one is deleted and counts as none. */
  private static Row find(Connection c, String scope, String key, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT request_digest, runner, status, response, expires_at "
        + "FROM idempotency_key WHERE scope = ? AND idem_key = ?")) {
      ps.setString(1, scope);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        if (!rs.getTimestamp(5).toInstant().isAfter(now)) {
          delete(c, scope, key);
          return null;
        }
        int code = rs.getInt(3);
        Integer status = rs.wasNull() ? null : code;
        return new Row(rs.getString(1), rs.getString(2), status, rs.getString(4));
      }
    }
  }

  private void insert(Connection c, String scope, String key, String fingerprint, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO idempotency_key (scope, idem_key, request_digest,"
        + " runner, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, scope);
      ps.setString(2, key);
      ps.setString(3, fingerprint);
      ps.setString(4, runner);
      ps.setTimestamp(5, Timestamp.from(now));
      ps.setTimestamp(6, Timestamp.from(now.plus(ttl)));
      ps.executeUpdate();
    }
  }

  private boolean takeOver(Connection c, String scope, String key, String deadRunner) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE idempotency_key SET runner = ? "
        + "WHERE scope = ? AND idem_key = ? AND runner = ? AND status IS NULL")) {
      ps.setString(1, runner);
      ps.setString(2, scope);
      ps.setString(3, key);
      ps.setString(4, deadRunner);
      return ps.executeUpdate() == 1;
    }
  }

  private static void delete(Connection c, String scope, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_key WHERE scope = ? AND idem_key = ?")) {
      ps.setString(1, scope);
      ps.setString(2, key);
      ps.executeUpdate();
    }
  }

  private void cleanUpIfDue(Connection c, Instant now) throws SQLException {
    Instant last = lastCleanup.get();
    if (now.isAfter(last.plus(CLEANUP_EVERY)) && lastCleanup.compareAndSet(last, now)) {
      deleteExpired(c, now);
    }
  }

  private static int deleteExpired(Connection c, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_key WHERE expires_at <= ?")) {
      ps.setTimestamp(1, Timestamp.from(now));
      return ps.executeUpdate();
    }
  }

  /** At the bound even once the expired keys are gone (deleted here rather than at the next minute). */
  private boolean isFull(Connection c, Instant now) throws SQLException {
    if (count(c) < maxKeys) {
      return false;
    }
    deleteExpired(c, now);
    return count(c) >= maxKeys;
  }

  private static long count(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM idempotency_key");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
