package fr.socle.audit;

import fr.socle.canonical.Jcs;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One leaf of the audit log. Its leaf hash is {@code hashLeaf(JCS({seq, time, type, subject,
 * payload}))}: the seq is inside the hash, so an entry cannot be moved to another position without
 * changing the tree, and JCS makes the hash independent of how the JSON was spelt in transit.
 *
 * <p>Immutable: the payload is copied in and out, and the time is truncated to the milliseconds its
 * text form holds, so an entry equals what the database and an export give back.
 *
 * @param seq 0-based leaf index in the log
 * @param time when the node recorded the entry, UTC, millisecond precision
 * @param type what the entry records
 * @param subject id of the negotiation, transfer, agreement or asset concerned
 * @param payload details; plain JSON values only (see {@link Jcs})
 */
public record AuditEntry(long seq, Instant time, AuditType type, String subject, JsonObject payload) {

  /** Longest subject accepted; the column is sized for it. */
  public static final int MAX_SUBJECT_LENGTH = 512;

  static final Set<String> FIELDS = Set.of("seq", "time", "type", "subject", "payload");

  public AuditEntry {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative, got " + seq);
    }
    time = AuditTime.truncate(Objects.requireNonNull(time, "time"));
    Objects.requireNonNull(type, "type");
    checkSubject(subject);
    payload = Objects.requireNonNull(payload, "payload").copy();
  }

  @Override
  public JsonObject payload() {
    return payload.copy();
  }

  /** The JSON form that is hashed, stored in exports and read back by {@link #fromJson}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("seq", seq)
        .put("time", AuditTime.format(time))
        .put("type", type.name())
        .put("subject", subject)
        .put("payload", payload.copy());
  }

  /** {@code hashLeaf(JCS(toJson()))}. */
  public byte[] leafHash() {
    return Merkle.hashLeaf(Jcs.canonicalBytes(toJson()));
  }

  /**
   * Reads {@link #toJson} output strictly: every field present with its type, nothing else.
   *
   * @throws IllegalArgumentException naming the first field that is missing, extra or malformed
   */
  public static AuditEntry fromJson(JsonObject json) {
    for (String name : json.fieldNames()) {
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException("unexpected field '" + name + "'");
      }
    }
    Object seq = require(json, "seq");
    if (!(seq instanceof Integer || seq instanceof Long)) {
      throw new IllegalArgumentException("field 'seq' is " + seq + ", want an integer");
    }
    AuditType type;
    try {
      type = AuditType.valueOf(requireString(json, "type"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field 'type' is '" + json.getValue("type") + "', want one of "
          + java.util.Arrays.toString(AuditType.values()));
    }
    if (!(require(json, "payload") instanceof JsonObject payload)) {
      throw new IllegalArgumentException("field 'payload' is not a JSON object");
    }
    return new AuditEntry(((Number) seq).longValue(), AuditTime.parse(requireString(json, "time")), type,
        requireString(json, "subject"), payload);
  }

  static void checkSubject(String subject) {
    Objects.requireNonNull(subject, "subject");
    if (subject.isEmpty() || subject.length() > MAX_SUBJECT_LENGTH) {
      throw new IllegalArgumentException(
          "subject has " + subject.length() + " characters, want 1 to " + MAX_SUBJECT_LENGTH);
    }
  }

  private static Object require(JsonObject json, String name) {
    Object value = json.getValue(name);
    if (value == null) {
      throw new IllegalArgumentException("field '" + name + "' is absent");
    }
    return value;
  }

  private static String requireString(JsonObject json, String name) {
    if (!(require(json, name) instanceof String value)) {
      throw new IllegalArgumentException("field '" + name + "' is not a string");
    }
    return value;
  }
}
