package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** {@link OpaDecisionEvents} and {@link Reconciliation}, pure: OPA's events as the node records them, and the cross-check. */
class ReconciliationTest {

  private static final JsonObject INPUT = new JsonObject().put("scope", "negotiation")
      .put("consumer", new JsonObject().put("id", "NTRFR-200046977")).put("asset", new JsonObject().put("id", "a1"))
      .put("now", 1767225600000000000L);

  private static JsonObject opaEvent(String id, boolean allow, JsonObject input) {
    JsonObject event = new JsonObject().put("decision_id", id).put("path", "socle/decision/negotiation")
        .put("bundles", new JsonObject().put("socle", new JsonObject().put("revision", "sha256-1")))
        .put("result", new JsonObject().put("allow", allow).put("reasons", allow ? new JsonArray()
            : new JsonArray().add(new JsonObject().put("code", "no_permission").put("fr", "…").put("en", "…"))))
        .put("timestamp", "2026-01-01T00:00:00Z");
    return input == null ? event : event.put("input", input);
  }

  /** The node's own DECISION payload, as AuditedDecisions writes it. */
  private static JsonObject nodeEntry(long seq, String id, boolean allow, JsonObject input) {
    JsonObject payload = new JsonObject().put("scope", "negotiation").put("allow", allow)
        .put("reasons", allow ? new JsonArray() : new JsonArray().add(new JsonObject().put("code", "no_permission")))
        .put("decisionId", id).put("bundleRevision", "socle@sha256-1")
        .put("inputDigest", AuditedDecisions.inputDigest(input)).put("input", input);
    return new JsonObject().put("seq", seq).put("type", "DECISION").put("payload", payload);
  }

  private static JsonObject opaEntry(long seq, JsonObject event) {
    return new JsonObject().put("seq", seq).put("type", "OPA_DECISION")
        .put("payload", OpaDecisionEvents.payload(event, 0));
  }

  @Test
  void opaEventsBecomeComparablePayloadsAndProbesAreCounted() throws Exception {
    JsonArray upload = new JsonArray().add(opaEvent("d1", true, INPUT)).add(opaEvent("probe", false, null));
    OpaDecisionEvents.Upload read = OpaDecisionEvents.read(gzip(upload.encode()), true);
    assertThat(read.probes()).isEqualTo(1);
    assertThat(read.decisions()).hasSize(1);
    JsonObject p = read.decisions().get(0);
    assertThat(p.getString("decisionId")).isEqualTo("d1");
    assertThat(p.getString("scope")).isEqualTo("negotiation");
    assertThat(p.getString("bundleRevision")).isEqualTo("socle@sha256-1");
    assertThat(p.getString("participant")).isEqualTo("NTRFR-200046977");
    assertThat(p.getString("inputDigest")).startsWith("sha-256=").isEqualTo(AuditedDecisions.inputDigest(INPUT));
    assertThat(p.containsKey("input")).isFalse();
  }

  @Test
  void malformedUploadsAreRefusedWithTheReason() throws Exception {
    assertThat(catchThrowable(() -> OpaDecisionEvents.read("[]".getBytes(StandardCharsets.UTF_8), true)))
        .hasMessageStartingWith("the body is not valid gzip");
    assertThat(catchThrowable(() -> OpaDecisionEvents.read(gzip("{}"), true)))
        .hasMessageStartingWith("the upload is not a JSON array of decision events");
    assertThat(catchThrowable(() -> OpaDecisionEvents.read(gzip("[1]"), true)))
        .hasMessage("event 0 is not a JSON object");
    JsonObject noId = opaEvent("x", true, INPUT);
    noId.remove("decision_id");
    assertThat(catchThrowable(() -> OpaDecisionEvents.read(gzip(new JsonArray().add(noId).encode()), true)))
        .hasMessage("event 0: decision_id is null, want a string of 1 to 128 characters");
    assertThat(catchThrowable(() -> OpaDecisionEvents.read(gzip(" ".repeat(17 * 1024 * 1024)), true)))
        .hasMessage("the upload expands beyond 16777216 bytes once decompressed");
  }

  @Test
  void matchingRecordsAreConsistentAndAnOpaSideLossIsOnlyReported() {
    JsonArray entries = new JsonArray()
        .add(nodeEntry(0, "d1", true, INPUT)).add(opaEntry(1, opaEvent("d1", true, INPUT)))
        .add(nodeEntry(2, "d2", false, INPUT)).add(opaEntry(3, opaEvent("d2", false, INPUT)))
        .add(nodeEntry(4, "d3", true, INPUT));
    JsonObject report = Reconciliation.of(entries);
    assertThat(report.getBoolean("consistent")).isTrue();
    assertThat(report.getInteger("matched")).isEqualTo(2);
    assertThat(report.getJsonArray("missingInOpa")).hasSize(1);
    assertThat(report.getJsonArray("missingInOpa").getJsonObject(0).getLong("seq")).isEqualTo(4);
  }

  @Test
  void aDecisionOnlyOpaTookOrOneRecordedDifferentlyIsInconsistent() {
    JsonObject otherInput = INPUT.copy().put("asset", new JsonObject().put("id", "a2"));
    JsonArray entries = new JsonArray()
        .add(nodeEntry(0, "d1", true, INPUT)).add(opaEntry(1, opaEvent("d1", false, INPUT)))
        .add(nodeEntry(2, "d2", true, INPUT)).add(opaEntry(3, opaEvent("d2", true, otherInput)))
        .add(opaEntry(4, opaEvent("d9", true, INPUT)));
    JsonObject report = Reconciliation.of(entries);
    assertThat(report.getBoolean("consistent")).isFalse();
    assertThat(report.getJsonArray("missingOnNode")).extracting(o -> ((JsonObject) o).getString("decisionId"))
        .containsExactly("d9");
    JsonArray different = report.getJsonArray("different");
    assertThat(different).hasSize(2);
    assertThat(different.getJsonObject(0).getJsonArray("fields")).containsExactly("allow", "reasonCodes");
    assertThat(different.getJsonObject(1).getJsonArray("fields")).containsExactly("inputDigest");
  }

  @Test
  void aNodeThatRefusedWhereOpaDidNotIsListedApartAndStaysConsistent() {
    JsonObject refused = nodeEntry(0, "d1", false, INPUT);
    refused.getJsonObject("payload").put("reasons", new JsonArray()
        .add(new JsonObject().put("code", "policy_bundle_revision_mismatch")));
    JsonArray entries = new JsonArray().add(refused).add(opaEntry(1, opaEvent("d1", true, INPUT)));
    JsonObject report = Reconciliation.of(entries);
    assertThat(report.getBoolean("consistent")).isTrue();
    assertThat(report.getJsonArray("different")).isEmpty();
    JsonObject item = report.getJsonArray("deniedByNode").getJsonObject(0);
    assertThat(item.getJsonArray("fields")).containsExactly("allow", "reasonCodes");
    assertThat(item.getJsonArray("nodeReasonCodes")).containsExactly("policy_bundle_revision_mismatch");

    // Denied on the node but with another input: not explained by failing closed.
    JsonArray otherInput = new JsonArray().add(nodeEntry(0, "d1", false, INPUT))
        .add(opaEntry(1, opaEvent("d1", false, INPUT.copy().put("asset", new JsonObject().put("id", "a2")))));
    assertThat(Reconciliation.of(otherInput).getBoolean("consistent")).isFalse();
  }

  private static byte[] gzip(String text) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
