package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.canonical.Jcs;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditEntryTest {

  private static final Instant TIME = Instant.parse("2026-01-01T10:00:00.123456Z");

  private static AuditEntry entry() {
    return new AuditEntry(3, TIME, AuditType.DECISION, "negotiation-1",
        new JsonObject().put("b", 1.0).put("a", "é"));
  }

  @Test
  void leafHashCoversTheCanonicalJsonOfAllFields() {
    String canonical = "{\"payload\":{\"a\":\"é\",\"b\":1},\"seq\":3,\"subject\":\"negotiation-1\","
        + "\"time\":\"2026-01-01T10:00:00.123Z\",\"type\":\"DECISION\"}";
    assertThat(Jcs.canonicalize(entry().toJson())).isEqualTo(canonical);
    assertThat(entry().leafHash()).isEqualTo(Merkle.hashLeaf(canonical.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void roundTripsThroughJsonText() {
    AuditEntry entry = entry();
    AuditEntry back = AuditEntry.fromJson(new JsonObject(entry.toJson().encodePrettily()));
    assertThat(back).isEqualTo(entry);
    assertThat(back.leafHash()).isEqualTo(entry.leafHash());
    assertThat(back.time()).isEqualTo(Instant.parse("2026-01-01T10:00:00.123Z"));
  }

  @Test
  void payloadCannotBeChangedFromOutside() {
    JsonObject payload = new JsonObject().put("k", "v");
    AuditEntry entry = new AuditEntry(0, TIME, AuditType.ADMIN, "asset-1", payload);
    byte[] hash = entry.leafHash();
    payload.put("k", "changed");
    entry.payload().put("k", "changed");
    assertThat(entry.leafHash()).isEqualTo(hash);
  }

  @Test
  void fromJsonNamesTheFirstProblem() {
    JsonObject json = entry().toJson();
    assertThatThrownBy(() -> AuditEntry.fromJson(json.copy().put("extra", 1)))
        .hasMessage("unexpected field 'extra'");
    JsonObject noSubject = json.copy();
    noSubject.remove("subject");
    assertThatThrownBy(() -> AuditEntry.fromJson(noSubject)).hasMessage("field 'subject' is absent");
    assertThatThrownBy(() -> AuditEntry.fromJson(json.copy().put("seq", 1.5)))
        .hasMessage("field 'seq' is 1.5, want an integer");
    assertThatThrownBy(() -> AuditEntry.fromJson(json.copy().put("type", "OTHER")))
        .hasMessageStartingWith("field 'type' is 'OTHER', want one of [DECISION, NEGOTIATION");
    assertThatThrownBy(() -> AuditEntry.fromJson(json.copy().put("time", "2026-01-01T10:00:00Z")))
        .hasMessage("time '2026-01-01T10:00:00Z' is not RFC 3339 UTC with milliseconds (like 2025-03-01T09:30:00.000Z)");
    assertThatThrownBy(() -> AuditEntry.fromJson(json.copy().put("payload", "text")))
        .hasMessage("field 'payload' is not a JSON object");
  }

  @Test
  void refusesBadFields() {
    assertThatThrownBy(() -> new AuditEntry(-1, TIME, AuditType.ADMIN, "s", new JsonObject()))
        .hasMessage("seq must not be negative, got -1");
    assertThatThrownBy(() -> new AuditEntry(0, TIME, AuditType.ADMIN, "", new JsonObject()))
        .hasMessage("subject has 0 characters, want 1 to 512");
    assertThatThrownBy(() -> new AuditEntry(0, TIME, AuditType.ADMIN, "x".repeat(513), new JsonObject()))
        .hasMessage("subject has 513 characters, want 1 to 512");
  }
}
