package fr.socle.negotiation;

import fr.socle.process.CounterParty;
import fr.socle.process.ProcessRow;
import fr.socle.process.Role;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One contract negotiation as this node sees it. {@code id} is this node's process id (the
 * providerPid when it is the provider, the consumerPid when it is the consumer).
 */
public record Negotiation(String id, Role role, NegotiationState state, String counterPartyId,
    String counterPartyPid, String counterPartyAddress, String offerId, String assetId, JsonObject offer,
    String agreementId, String detail, Instant createdAt, Instant updatedAt, String detailFr)
    implements ProcessRow<NegotiationState> {

  /** A negotiation whose detail, if any, is in English only. */
  public Negotiation(String id, Role role, NegotiationState state, String counterPartyId, String counterPartyPid,
      String counterPartyAddress, String offerId, String assetId, JsonObject offer, String agreementId, String detail,
      Instant createdAt, Instant updatedAt) {
    this(id, role, state, counterPartyId, counterPartyPid, counterPartyAddress, offerId, assetId, offer, agreementId,
        detail, createdAt, updatedAt, null);
  }

  /**
   * A negotiation opened now: no agreement and no detail yet.
   *
   * @param offer the offer as the consumer asked for it (with its usage declaration)
   */
  public static Negotiation open(String id, Role role, NegotiationState state, CounterParty with, String offerId,
      String assetId, JsonObject offer, Instant now) {
    return new Negotiation(id, role, state, with.id(), with.pid(), with.address(), offerId, assetId, offer, null, null,
        now, now, null);
  }

  public JsonObject toJson() {
    return toJson("en");
  }

  /** The management view, its {@code detail} in {@code language} when known in it (else English). */
  public JsonObject toJson(String language) {
    return new JsonObject().put("id", id).put("role", role.name()).put("state", state.name())
        .put("dspState", state.dspState()).put("counterPartyId", counterPartyId)
        .put("counterPartyPid", counterPartyPid).put("counterPartyAddress", counterPartyAddress)
        .put("offerId", offerId).put("assetId", assetId).put("agreementId", agreementId).put("detail",
            new fr.socle.policy.LocalizedText(detail, detailFr).in(language))
        .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
  }
}
