package fr.socle.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The outcome of one policy decision. {@code reasons} are written for people (French and English);
 * {@code decisionId} and {@code bundleRevision} tie the outcome to OPA's own records.
 */
public record Decision(Scope scope, boolean allow, List<Reason> reasons, JsonArray obligations, String decisionId,
    String bundleRevision) {

  /** One reason for a decision, with a stable code for machines. */
  public record Reason(String code, String fr, String en) {
    public JsonObject toJson() {
      return new JsonObject().put("code", code).put("fr", fr).put("en", en);
    }
  }

  /** A denial the node itself decides, when the policy engine could not. */
  public static Decision failClosed(Scope scope, String code, String fr, String en) {
    return new Decision(scope, false, List.of(new Reason(code, fr, en)), new JsonArray(), null, null);
  }

  /**
   * The English reasons joined, then the OPA decision id and the policy bundle revision that decided,
   * for logs, negotiation and transfer details and protocol error bodies: whoever reads a refusal can
   * find the decision in OPA's log and the exact rules that produced it.
   */
  public String summary() {
    String text = reasons.isEmpty() ? (allow ? "allowed" : "denied")
        : String.join("; ", reasons.stream().map(Reason::en).toList());
    if (decisionId == null && bundleRevision == null) {
      return text;
    }
    return text + " [decision " + (decisionId == null ? "-" : decisionId) + ", policy bundle "
        + (bundleRevision == null ? "none" : bundleRevision) + "]";
  }

  public JsonObject toJson() {
    return new JsonObject().put("scope", scope.path()).put("allow", allow)
        .put("reasons", new JsonArray(reasons.stream().map(Reason::toJson).toList()))
        .put("obligations", obligations).put("decisionId", decisionId).put("bundleRevision", bundleRevision);
  }
}
