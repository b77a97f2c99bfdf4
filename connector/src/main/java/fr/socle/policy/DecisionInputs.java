package fr.socle.policy;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Builds the input of a policy decision. Every value a constraint may test is computed here by the
 * node, normalised (time as epoch nanoseconds, durations as seconds), and never taken from the
 * partner's message, so that a partner cannot talk its way past a constraint.
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
   * @param policy the provider's own ODRL policy or agreement, never the partner's copy
   * @param agreementSignedAt when the agreement was signed, or null before an agreement exists
   * @param accessCount accesses already made under the agreement
   */
  public JsonObject build(Scope scope, String consumerId, String assetId, String classification, JsonObject policy,
      Instant agreementSignedAt, long accessCount) {
    Instant now = clock.instant();
    ParticipantDirectory.Member member = directory.find(consumerId);
    long elapsed = agreementSignedAt == null ? 0 : Math.max(0, Duration.between(agreementSignedAt, now).toSeconds());
    JsonObject context = new JsonObject()
        .put("dateTime", now.getEpochSecond() * 1_000_000_000L + now.getNano())
        .put("elapsedTime", elapsed)
        .put("count", accessCount)
        .put("recipient", consumerId)
        .put("assignee", consumerId)
        .put("territory", member.territory())
        .put("spatial", member.territory())
        .put("hostingQualification", member.hostingQualification())
        .put("dataClassification", classification);
    return new JsonObject()
        .put("scope", scope.path())
        .put("action", "use")
        // Reaching this point means the caller's federation certificate verified (mTLS).
        .put("consumer", new JsonObject().put("id", consumerId).put("name", member.name()).put("member", true)
            .put("revoked", false))
        .put("provider", new JsonObject().put("id", selfId))
        .put("asset", new JsonObject().put("id", assetId).put("dataClassification", classification))
        .put("policy", policy)
        .put("context", context);
  }
}
