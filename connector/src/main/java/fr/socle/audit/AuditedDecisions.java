package fr.socle.audit;

import fr.socle.canonical.Jcs;
import fr.socle.policy.Decision;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.Scope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every policy decision in the audit log before anyone acts on it: the decision reaches its
 * caller only once its entry is durable, and a decision that cannot be recorded is a denial.
 *
 * <p>The entry holds the full input (so an auditor can replay it against the recorded bundle
 * revision) and its RFC 8785 digest, the result, the reasons, the bundle revision and OPA's decision
 * id (to reconcile with OPA's own decision log).
 */
public final class AuditedDecisions implements DecisionPoint {

  private static final Logger LOG = LoggerFactory.getLogger(AuditedDecisions.class);

  private final DecisionPoint engine;
  private final AuditLog log;

  public AuditedDecisions(DecisionPoint engine, AuditLog log) {
    this.engine = engine;
    this.log = log;
  }

  @Override
  public Future<Decision> decide(Scope scope, JsonObject input) {
    return engine.decide(scope, input).compose(decision -> {
      JsonObject payload = decision.toJson()
          .put("participant", input.getJsonObject("consumer", new JsonObject()).getString("id"))
          .put("asset", input.getJsonObject("asset", new JsonObject()).getString("id"))
          .put("inputDigest", inputDigest(input))
          .put("input", input);
      String subject = scope.path() + ":" + payload.getString("asset", "-");
      return log.append(AuditType.DECISION, subject, payload).map(decision).recover(e -> {
        LOG.error("cannot record a {} decision in the audit log, denying: {}", scope.path(), e.getMessage());
        return Future.succeededFuture(Decision.failClosed(scope, Decision.AUDIT_UNAVAILABLE,
            "La décision n'a pas pu être consignée dans le journal d'audit : la demande est refusée.",
            "The decision could not be recorded in the audit log, so the request is denied."));
      });
    });
  }

  /**
   * {@code sha-256=} and the Base64 SHA-256 of the input's RFC 8785 form: equal for equal JSON however
   * it was spelt, and what replay and reconciliation compare with.
   */
  public static String inputDigest(JsonObject input) {
    try {
      return "sha-256=" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(Jcs.canonicalBytes(input)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
