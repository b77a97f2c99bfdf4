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
    String detail, Instant createdAt, Instant updatedAt) {

  public String providerPid() {
    return role == Role.PROVIDER ? id : counterPartyPid;
  }

  public String consumerPid() {
    return role == Role.CONSUMER ? id : counterPartyPid;
  }

  /** The operator's view; never includes the token. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("role", role.name()).put("state", state.name())
        .put("dspState", state.dspState()).put("counterPartyId", counterPartyId)
        .put("counterPartyPid", counterPartyPid).put("counterPartyAddress", counterPartyAddress)
        .put("agreementId", agreementId).put("format", format).put("detail", detail)
        .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
  }
}
