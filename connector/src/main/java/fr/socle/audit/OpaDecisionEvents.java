package fr.socle.audit;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads one upload of OPA's decision-log plugin (a JSON array of events, gzip-compressed) into the
 * payloads of {@link AuditType#OPA_DECISION} entries. Pure: no I/O beyond the given bytes.
 *
 * <p>What is kept of an event is what a reconciliation compares with the node's own {@link
 * AuditType#DECISION} entry, matched by decision id: the scope (from the query path), the result's
 * {@code allow} and reason codes, the bundle revision and the RFC 8785 digest of the input, plus
 * participant, asset and OPA's time for people. The input itself is not copied: the node's entry holds
 * it already, and a second copy of personal data would serve no check.
 *
 * <p>Events without input are the node's readiness probes (a GET on the catalog decision); they
 * decide nothing and are counted, not logged. Limits: {@value #MAX_DECOMPRESSED_BYTES} bytes once
 * decompressed (a small gzip body can expand a thousandfold) and {@value #MAX_EVENTS} events.
 *
 * @see <a href="https://www.openpolicyagent.org/docs/management-decision-logs">OPA decision logs</a>
 */
public final class OpaDecisionEvents {

  public static final int MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024;
  public static final int MAX_EVENTS = 10_000;
  static final int MAX_DECISION_ID = 128;
  private static final String DECISION_PATH = "socle/decision/";

  /** The decisions of one upload, and how many readiness probes it held. */
  public record Upload(List<JsonObject> decisions, int probes) {}

  private OpaDecisionEvents() {}

  /**
   * @param gzip whether the body is gzip-compressed ({@code Content-Encoding: gzip}, as OPA sends)
   * @throws IllegalArgumentException saying what was expected and found, for a 400 answer
   */
  public static Upload read(byte[] body, boolean gzip) {
    byte[] json = gzip ? gunzip(body) : body;
    if (json.length > MAX_DECOMPRESSED_BYTES) {
      throw new IllegalArgumentException("the upload holds " + json.length + " bytes, at most "
          + MAX_DECOMPRESSED_BYTES + " accepted");
    }
    JsonArray events;
    try {
      events = new JsonArray(io.vertx.core.buffer.Buffer.buffer(json));
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the upload is not a JSON array of decision events: " + e.getMessage());
    }
    if (events.size() > MAX_EVENTS) {
      throw new IllegalArgumentException("the upload holds " + events.size() + " events, at most " + MAX_EVENTS);
    }
    List<JsonObject> decisions = new ArrayList<>();
    int probes = 0;
    for (int i = 0; i < events.size(); i++) {
      if (!(events.getValue(i) instanceof JsonObject event)) {
        throw new IllegalArgumentException("event " + i + " is not a JSON object");
      }
      if (!(event.getValue("input") instanceof JsonObject)) {
        probes++;
        continue;
      }
      decisions.add(payload(event, i));
    }
    return new Upload(decisions, probes);
  }

  /** The payload of an OPA_DECISION entry for one event that has an input. */
  static JsonObject payload(JsonObject event, int index) {
    if (!(event.getValue("decision_id") instanceof String id) || id.isEmpty() || id.length() > MAX_DECISION_ID) {
      throw new IllegalArgumentException("event " + index + ": decision_id is " + event.getValue("decision_id")
          + ", want a string of 1 to " + MAX_DECISION_ID + " characters");
    }
    JsonObject input = event.getJsonObject("input");
    String path = event.getValue("path") instanceof String p ? p : "";
    JsonObject result = event.getValue("result") instanceof JsonObject r ? r : null;
    JsonArray codes = new JsonArray();
    if (result != null && result.getValue("reasons") instanceof JsonArray reasons) {
      reasons.forEach(r -> codes.add(r instanceof JsonObject o ? o.getValue("code") : r));
    }
    // As the node records it (PolicyEngine): name@revision per bundle, in name order, comma-joined.
    java.util.TreeMap<String, String> named = new java.util.TreeMap<>();
    if (event.getValue("bundles") instanceof JsonObject bundles) {
      bundles.forEach(b -> named.put(b.getKey(), b.getValue() instanceof JsonObject o
          && o.getValue("revision") instanceof String r ? r : ""));
    }
    String revision = named.isEmpty() ? null
        : String.join(",", named.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).toList());
    return new JsonObject()
        .put("decisionId", id)
        .put("scope", path.startsWith(DECISION_PATH) ? path.substring(DECISION_PATH.length()) : path)
        // An undefined result is a denial on the node's side too (PolicyEngine).
        .put("allow", result != null && Boolean.TRUE.equals(result.getValue("allow")))
        .put("reasonCodes", codes)
        .put("bundleRevision", revision)
        .put("inputDigest", AuditedDecisions.inputDigest(input))
        .put("participant", input.getValue("consumer") instanceof JsonObject c ? c.getValue("id") : null)
        .put("asset", input.getValue("asset") instanceof JsonObject a ? a.getValue("id") : null)
        .put("opaTime", event.getValue("timestamp") instanceof String t ? t : null);
  }

  private static byte[] gunzip(byte[] body) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) > 0) {
        out.write(chunk, 0, n);
        if (out.size() > MAX_DECOMPRESSED_BYTES) {
          throw new IllegalArgumentException("the upload expands beyond " + MAX_DECOMPRESSED_BYTES
              + " bytes once decompressed");
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not valid gzip: " + e.getMessage());
    }
  }
}
