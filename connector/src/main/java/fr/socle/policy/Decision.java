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
    return summary("en");
  }

  /**
   * {@link #summary()} in {@code language}: {@code fr} for the French reasons, anything else for the
   * English ones. The decision id and bundle revision are identifiers and stay as they are.
   */
  public String summary(String language) {
    boolean fr = "fr".equals(language);
    String text = reasons.isEmpty() ? (allow ? (fr ? "autorisé" : "allowed") : (fr ? "refusé" : "denied"))
        : String.join("; ", reasons.stream().map(r -> fr ? r.fr() : r.en()).toList());
    if (decisionId == null && bundleRevision == null) {
      return text;
    }
    return text + " [" + (fr ? "décision " : "decision ") + (decisionId == null ? "-" : decisionId)
        + (fr ? ", paquet de règles " : ", policy bundle ")
        + (bundleRevision == null ? (fr ? "aucun" : "none") : bundleRevision) + "]";
  }

  /** Both wordings of the summary, for records that show a refusal in the reader's language. */
  public LocalizedText localizedSummary() {
    return new LocalizedText(summary("en"), summary("fr"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("scope", scope.path()).put("allow", allow)
        .put("reasons", new JsonArray(reasons.stream().map(Reason::toJson).toList()))
        .put("obligations", obligations).put("decisionId", decisionId).put("bundleRevision", bundleRevision);
  }
}
