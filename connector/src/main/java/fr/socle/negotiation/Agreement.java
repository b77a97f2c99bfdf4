package fr.socle.negotiation;

import fr.socle.catalog.Asset;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.Scope;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A contract agreement: the ODRL agreement both parties hold, their signatures of it (see
 * {@link fr.socle.agreement.AgreementSigner}), how often it has been used, and its revocation by the
 * provider, if any.
 */
public record Agreement(String id, String negotiationId, String assetId, String providerId, String consumerId,
    JsonObject body, Instant signedAt, long accessCount, Signatures signatures, Revocation revocation) {

  /**
   * The provider withdrew the agreement: from {@code at} on, the policy engine refuses every transfer
   * and every data request under it. The signed agreement itself stays as it was: it is what was
   * agreed, and the revocation is a later fact recorded beside it.
   */
  public record Revocation(Instant at, String reason) {

    public JsonObject toJson() {
      return new JsonObject().put("at", at.toString()).put("reason", reason);
    }
  }

  /** Where a party's signature stands. Stored by name: add constants, never rename them. */
  public enum SignatureState {
    /** The party's signature is held and was verified when it arrived (or made by this node). */
    SIGNED,
    /** The party sent its message without a signature (a connector that does not sign): recorded as such. */
    NOT_SIGNED,
    /** The party has not sent the message that would carry its signature yet. */
    PENDING
  }

  /**
   * Both signatures and their states; a JWS is null unless its state is {@link SignatureState#SIGNED}.
   */
  public record Signatures(SignatureState providerState, String provider, SignatureState consumerState,
      String consumer) {

    /** For agreements made before signing existed, and test fixtures. */
    public static final Signatures NONE = new Signatures(SignatureState.NOT_SIGNED, null, SignatureState.NOT_SIGNED,
        null);

    public Signatures {
      if ((providerState == SignatureState.SIGNED) != (provider != null)
          || (consumerState == SignatureState.SIGNED) != (consumer != null)) {
        throw new IllegalArgumentException("a signature is held exactly when its state is SIGNED");
      }
    }

    public static Signatures byProvider(String jws) {
      return new Signatures(SignatureState.SIGNED, jws, SignatureState.PENDING, null);
    }

    public Signatures withConsumer(String jws) {
      return new Signatures(providerState, provider, jws == null ? SignatureState.NOT_SIGNED : SignatureState.SIGNED,
          jws);
    }

    public JsonObject toJson() {
      return new JsonObject()
          .put("provider", new JsonObject().put("state", providerState.name()).put("jws", provider))
          .put("consumer", new JsonObject().put("state", consumerState.name()).put("jws", consumer));
    }
  }

  /** An agreement in force. */
  public Agreement(String id, String negotiationId, String assetId, String providerId, String consumerId,
      JsonObject body, Instant signedAt, long accessCount, Signatures signatures) {
    this(id, negotiationId, assetId, providerId, consumerId, body, signedAt, accessCount, signatures, null);
  }

  /** An agreement without signatures (fixtures and agreements from before signing). */
  public Agreement(String id, String negotiationId, String assetId, String providerId, String consumerId,
      JsonObject body, Instant signedAt, long accessCount) {
    this(id, negotiationId, assetId, providerId, consumerId, body, signedAt, accessCount, Signatures.NONE);
  }

  /**
   * The policy engine's input for a {@code scope} decision (transfer or access) under this agreement,
   * asked by {@code consumerId} on {@code asset} after {@code accessCount} accesses: the agreement's
   * own policy and signing date, and as {@code input.agreement} what the baseline needs to refuse
   * everything once the agreement is revoked.
   */
  public JsonObject decisionInput(DecisionInputs inputs, Scope scope, String consumerId, Asset asset,
      long accessCount) {
    JsonObject facts = new JsonObject().put("id", id).put("revoked", revocation != null);
    if (revocation != null) {
      facts.put("revokedAt", revocation.at().toString()).put("reason", revocation.reason());
    }
    return inputs.build(scope, consumerId, asset.id(), asset.classification(), body, signedAt, accessCount)
        .put("agreement", facts);
  }

  /** Its JSON form; {@code revocation} appears only once revoked, so an agreement in force reads as before. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("negotiationId", negotiationId).put("assetId", assetId)
        .put("providerId", providerId).put("consumerId", consumerId).put("agreement", body)
        .put("signedAt", signedAt.toString()).put("accessCount", accessCount).put("signatures", signatures.toJson());
    return revocation == null ? json : json.put("revocation", revocation.toJson());
  }
}
