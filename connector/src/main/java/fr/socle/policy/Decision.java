package fr.socle.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * The outcome of one policy decision. {@code reasons} are written for people (French and English);
 * {@code decisionId} and {@code bundleRevision} tie the outcome to OPA's own records.
 */
public record Decision(Scope scope, boolean allow, List<Reason> reasons, JsonArray obligations, String decisionId,
    String bundleRevision) {

  /** Reason code of a denial made because the policy engine could not be asked or did not answer. */
  public static final String ENGINE_UNAVAILABLE = "policy_engine_unavailable";
  /** Reason code of a denial made because the decision could not be recorded in the audit log. */
  public static final String AUDIT_UNAVAILABLE = "audit_unavailable";
  /**
   * Denials that say nothing about the request, only that no decision could be made now: the policy
   * engine was unreachable, late, failing or overloaded, ran other rules than this node expects, or
   * the decision could not be recorded. An answer the engine did give, even an undefined or
   * unreadable one, stays a plain refusal.
   */
  private static final Set<String> UNDECIDED = Set.of(ENGINE_UNAVAILABLE, AUDIT_UNAVAILABLE,
      PolicyEngine.REVISION_MISMATCH);

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
   * Whether this denial only means that no decision could be made now ({@link #UNDECIDED}): a caller
   * that must not pass a refusal off as an answer, such as a catalog, reports it as unavailability.
   */
  public boolean undecided() {
    return !allow && reasons.stream().anyMatch(r -> UNDECIDED.contains(r.code()));
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
