package fr.socle.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Cross-checks the node's decision entries ({@link AuditType#DECISION}) with OPA's own record of them
 * ({@link AuditType#OPA_DECISION}), matched by OPA decision id. Pure: the caller gives the entries, from
 * the live log or from an export.
 *
 * <p>The node's record is authoritative; OPA's upload is at least once and may drop events under load,
 * so a decision missing from OPA's side is reported but does not make the result inconsistent. A
 * decision OPA took that the node never recorded, or one both recorded differently (result, reason
 * codes, bundle revision or input digest), does: either the node acted on a decision it did not log,
 * or one of the two records is not what was decided. One difference is expected and safe: the node
 * refusing what OPA's answer did not refuse, or for its own reasons (a bundle revision it does not
 * expect, an answer it cannot read); such decisions, where the node denied and only the result and
 * reasons differ, are listed apart as {@code deniedByNode}. Decisions the node took without OPA (no
 * decision id: OPA unreachable) cannot be matched and are counted apart.
 */
public final class Reconciliation {

  /** Fields that may differ when the node denied: it fails closed on its own checks after OPA answered. */
  private static final java.util.Set<String> SAFE_WHEN_DENIED = java.util.Set.of("allow", "reasonCodes");

  private Reconciliation() {}

  /** @param entries log entries as {@link AuditEntry#toJson}, in any order; other types are ignored */
  public static JsonObject of(JsonArray entries) {
    Map<String, JsonObject> node = new LinkedHashMap<>();
    Map<String, JsonObject> opa = new LinkedHashMap<>();
    int withoutId = 0;
    for (Object o : entries) {
      if (!(o instanceof JsonObject entry) || !(entry.getValue("payload") instanceof JsonObject payload)) {
        continue;
      }
      String type = entry.getString("type");
      String id = payload.getValue("decisionId") instanceof String s ? s : null;
      if (AuditType.DECISION.name().equals(type)) {
        if (id == null) {
          withoutId++;
        } else {
          node.putIfAbsent(id, entry);
        }
      } else if (AuditType.OPA_DECISION.name().equals(type) && id != null) {
        opa.putIfAbsent(id, entry);
      }
    }
    JsonArray missingInOpa = new JsonArray();
    JsonArray different = new JsonArray();
    JsonArray deniedByNode = new JsonArray();
    int matched = 0;
    for (Map.Entry<String, JsonObject> e : node.entrySet()) {
      JsonObject theirs = opa.get(e.getKey());
      if (theirs == null) {
        missingInOpa.add(ref(e.getKey(), e.getValue()));
        continue;
      }
      List<String> fields = differences(e.getValue().getJsonObject("payload"), theirs.getJsonObject("payload"));
      if (fields.isEmpty()) {
        matched++;
        continue;
      }
      JsonObject mine = e.getValue().getJsonObject("payload");
      JsonObject item = new JsonObject().put("decisionId", e.getKey()).put("nodeSeq", e.getValue().getValue("seq"))
          .put("opaSeq", theirs.getValue("seq")).put("fields", new JsonArray(fields));
      boolean nodeStricter = Boolean.FALSE.equals(mine.getValue("allow"))
          && SAFE_WHEN_DENIED.containsAll(fields);
      if (nodeStricter) {
        deniedByNode.add(item.put("nodeReasonCodes", nodeCodes(mine)));
      } else {
        different.add(item);
      }
    }
    JsonArray missingOnNode = new JsonArray();
    opa.forEach((id, entry) -> {
      if (!node.containsKey(id)) {
        missingOnNode.add(ref(id, entry));
      }
    });
    return new JsonObject()
        .put("consistent", missingOnNode.isEmpty() && different.isEmpty())
        .put("nodeDecisions", node.size())
        .put("opaDecisions", opa.size())
        .put("matched", matched)
        .put("nodeDecisionsWithoutId", withoutId)
        .put("missingInOpa", missingInOpa)
        .put("missingOnNode", missingOnNode)
        .put("different", different)
        .put("deniedByNode", deniedByNode);
  }

  /** Names of the compared fields whose values differ, in a fixed order. */
  static List<String> differences(JsonObject node, JsonObject opa) {
    List<String> fields = new ArrayList<>();
    if (!Objects.equals(node.getValue("allow"), opa.getValue("allow"))) {
      fields.add("allow");
    }
    if (!nodeCodes(node).equals(opa.getJsonArray("reasonCodes", new JsonArray()))) {
      fields.add("reasonCodes");
    }
    if (!Objects.equals(node.getValue("bundleRevision"), opa.getValue("bundleRevision"))) {
      fields.add("bundleRevision");
    }
    if (!Objects.equals(node.getValue("inputDigest"), opa.getValue("inputDigest"))) {
      fields.add("inputDigest");
    }
    if (!Objects.equals(node.getValue("scope"), opa.getValue("scope"))) {
      fields.add("scope");
    }
    return fields;
  }

  private static JsonArray nodeCodes(JsonObject node) {
    JsonArray codes = new JsonArray();
    if (node.getValue("reasons") instanceof JsonArray reasons) {
      reasons.forEach(r -> codes.add(r instanceof JsonObject o ? o.getValue("code") : r));
    }
    return codes;
  }

  private static JsonObject ref(String id, JsonObject entry) {
    JsonObject payload = entry.getJsonObject("payload");
    return new JsonObject().put("decisionId", id).put("seq", entry.getValue("seq"))
        .put("scope", payload.getValue("scope")).put("participant", payload.getValue("participant"))
        .put("asset", payload.getValue("asset")).put("allow", payload.getValue("allow"));
  }
}
