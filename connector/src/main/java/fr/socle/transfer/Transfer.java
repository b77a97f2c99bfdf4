package fr.socle.transfer;

import fr.socle.negotiation.Role;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One transfer process as this node sees it; {@code id} is this node's process id. The consumer
 * keeps the data address it received; the provider keeps only a hash of the token it handed out.
 */
public record Transfer(String id, Role role, TransferState state, String counterPartyId, String counterPartyPid,
    String counterPartyAddress, String agreementId, String format, JsonObject dataAddress, String tokenHash,
    String detail, Instant createdAt, Instant updatedAt, String detailFr) {

  /** A transfer whose detail, if any, is in English only. */
  public Transfer(String id, Role role, TransferState state, String counterPartyId, String counterPartyPid,
      String counterPartyAddress, String agreementId, String format, JsonObject dataAddress, String tokenHash,
      String detail, Instant createdAt, Instant updatedAt) {
    this(id, role, state, counterPartyId, counterPartyPid, counterPartyAddress, agreementId, format, dataAddress,
        tokenHash, detail, createdAt, updatedAt, null);
  }

  public String providerPid() {
    return role == Role.PROVIDER ? id : counterPartyPid;
  }

  public String consumerPid() {
    return role == Role.CONSUMER ? id : counterPartyPid;
  }

  /** The operator's view; never includes the token. */
  public JsonObject toJson() {
    return toJson("en");
  }

  /** {@link #toJson()} with the {@code detail} in {@code language} when known in it (else English). */
  public JsonObject toJson(String language) {
    return new JsonObject().put("id", id).put("role", role.name()).put("state", state.name())
        .put("dspState", state.dspState()).put("counterPartyId", counterPartyId)
        .put("counterPartyPid", counterPartyPid).put("counterPartyAddress", counterPartyAddress)
        .put("agreementId", agreementId).put("format", format).put("detail", new fr.socle.policy.LocalizedText(detail, detailFr).in(language))
        .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
  }
}
