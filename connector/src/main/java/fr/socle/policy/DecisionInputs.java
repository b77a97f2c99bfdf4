package fr.socle.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Builds the input of a policy decision. Every value a constraint may test is computed here by the
 * node, normalised (time as epoch nanoseconds, durations as seconds, territory codes upper-case), and
 * never taken from the partner's message, so that a partner cannot talk its way past a constraint.
 * The one exception is what the consumer declares ({@link UsageDeclaration}: purpose, legal basis),
 * which only it can know: it is read from the provider's own record of the negotiation or agreement,
 * where it was stored when the request arrived, and it binds the consumer.
 *
 * <p>The policy goes to OPA through {@link PolicyValues#normalise}, so Rego compares numbers with
 * numbers; the stored policy or agreement itself is never changed.
 */
public final class DecisionInputs {

  private final Clock clock;
  private final ParticipantDirectory directory;
  private final String selfId;

  public DecisionInputs(Clock clock, ParticipantDirectory directory, String selfId) {
    this.clock = clock;
    this.directory = directory;
    this.selfId = selfId;
  }

  /**
   * @param consumerId the authenticated participant id of the requester
   * @param policy the provider's own ODRL policy or agreement, never the partner's copy; a usage
   *     declaration it carries (an agreement records the one it was granted on) becomes
   *     {@code context.purpose} and {@code context.legalBasis}
   * @param agreementSignedAt when the agreement was signed, or null before an agreement exists
   * @param accessCount accesses already made under the agreement
   */
  public JsonObject build(Scope scope, String consumerId, String assetId, String classification, JsonObject policy,
      Instant agreementSignedAt, long accessCount) {
    UsageDeclaration declared;
    try {
      declared = UsageDeclaration.readFrom(policy);
    } catch (IllegalArgumentException e) {
      // Checked when the declaration was stored; a document edited since then declares nothing.
      declared = UsageDeclaration.NONE;
    }
    Instant now = clock.instant();
    ParticipantDirectory.Member member = directory.find(consumerId);
    long elapsed = agreementSignedAt == null ? 0 : Math.max(0, Duration.between(agreementSignedAt, now).toSeconds());
    JsonArray territory = canonicalCodes(member.territory());
    JsonObject context = new JsonObject()
        .put("dateTime", now.getEpochSecond() * 1_000_000_000L + now.getNano())
        .put("elapsedTime", elapsed)
        .put("count", accessCount)
        .put("recipient", consumerId)
        .put("assignee", consumerId)
        .put("territory", territory)
        .put("spatial", territory)
        .put("hostingQualification", member.hostingQualification())
        .put("dataClassification", classification);
    if (declared.purpose() != null) {
      context.put("purpose", declared.purpose());
    }
    if (declared.legalBasis() != null) {
      context.put("legalBasis", declared.legalBasis());
    }
    return new JsonObject()
        .put("scope", scope.path())
        .put("action", "use")
        // Reaching this point means the caller's federation certificate verified (mTLS).
        .put("consumer", new JsonObject().put("id", consumerId).put("name", member.name()).put("member", true)
            .put("revoked", false))
        .put("provider", new JsonObject().put("id", selfId))
        .put("asset", new JsonObject().put("id", assetId).put("dataClassification", classification))
        .put("policy", policy == null ? null : PolicyValues.normalise(UsageDeclaration.strip(policy)))
        .put("context", context);
  }

  private static JsonArray canonicalCodes(JsonArray codes) {
    JsonArray out = new JsonArray();
    for (Object code : codes) {
      String canonical = code instanceof String s ? PolicyValues.canonicalCode(s) : null;
      out.add(canonical != null ? canonical : code);
    }
    return out;
  }
}
