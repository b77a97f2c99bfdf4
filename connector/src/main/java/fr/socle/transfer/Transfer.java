package fr.socle.transfer;

import fr.socle.process.CounterParty;
import fr.socle.process.ProcessRow;
import fr.socle.process.Role;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One transfer process as this node sees it; {@code id} is this node's process id. In a pull, the
 * consumer keeps the data address it received and the provider only a hash of the token it handed
 * out. In a push ({@code HttpData-PUSH}), {@code destination} is the DataAddress data goes to, with
 * the receiver's token: on the provider, the one the consumer asked for; on a consumer that named
 * its own destination, that one; a consumer receiving the push itself keeps its receiver's address
 * without token, and only the hash of the token it announced, in {@code tokenHash}.
 *
 * <p>{@code suspendedBy} is the participant whose suspension holds a SUSPENDED transfer, kept apart
 * from the {@code detail} a partner's message writes: a provider's suspension is the provider's alone
 * to lift. Null when the transfer was never suspended or started again since.
 */
public record Transfer(String id, Role role, TransferState state, String counterPartyId, String counterPartyPid,
    String counterPartyAddress, String agreementId, String format, JsonObject dataAddress, String tokenHash,
    String detail, Instant createdAt, Instant updatedAt, String detailFr, JsonObject destination,
    String suspendedBy) implements ProcessRow<TransferState> {

  /** A transfer not suspended. */
  public Transfer(String id, Role role, TransferState state, String counterPartyId, String counterPartyPid,
      String counterPartyAddress, String agreementId, String format, JsonObject dataAddress, String tokenHash,
      String detail, Instant createdAt, Instant updatedAt, String detailFr, JsonObject destination) {
    this(id, role, state, counterPartyId, counterPartyPid, counterPartyAddress, agreementId, format, dataAddress,
        tokenHash, detail, createdAt, updatedAt, detailFr, destination, null);
  }

  /** A transfer without push destination. */
  public Transfer(String id, Role role, TransferState state, String counterPartyId, String counterPartyPid,
      String counterPartyAddress, String agreementId, String format, JsonObject dataAddress, String tokenHash,
      String detail, Instant createdAt, Instant updatedAt, String detailFr) {
    this(id, role, state, counterPartyId, counterPartyPid, counterPartyAddress, agreementId, format, dataAddress,
        tokenHash, detail, createdAt, updatedAt, detailFr, null, null);
  }

  /** A transfer whose detail, if any, is in English only. */
  public Transfer(String id, Role role, TransferState state, String counterPartyId, String counterPartyPid,
      String counterPartyAddress, String agreementId, String format, JsonObject dataAddress, String tokenHash,
      String detail, Instant createdAt, Instant updatedAt) {
    this(id, role, state, counterPartyId, counterPartyPid, counterPartyAddress, agreementId, format, dataAddress,
        tokenHash, detail, createdAt, updatedAt, null, null, null);
  }

  /**
   * A transfer opened now: no data address, token or detail yet.
   *
   * @param destination where a push goes (see the class comment); null for a pull
   */
  public static Transfer open(String id, Role role, TransferState state, CounterParty with, String agreementId,
      String format, JsonObject destination, Instant now) {
    return new Transfer(id, role, state, with.id(), with.pid(), with.address(), agreementId, format, null, null, null,
        now, now, null, destination, null);
  }

  /** Whether data is pushed by the provider ({@code HttpData-PUSH}) rather than pulled by the consumer. */
  public boolean isPush() {
    return fr.socle.protocol.Dsp.HTTP_DATA_PUSH.equals(format);
  }

  /** The operator's view; never includes a token (of a push destination, only its endpoint). */
  public JsonObject toJson() {
    return toJson("en");
  }

  /** {@link #toJson()} with the {@code detail} in {@code language} when known in it (else English). */
  public JsonObject toJson(String language) {
    return new JsonObject().put("id", id).put("role", role.name()).put("state", state.name())
        .put("dspState", state.dspState()).put("counterPartyId", counterPartyId)
        .put("counterPartyPid", counterPartyPid).put("counterPartyAddress", counterPartyAddress)
        .put("agreementId", agreementId).put("format", format).put("detail", new fr.socle.policy.LocalizedText(detail,
            detailFr).in(language))
        .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString())
        .put("suspendedBy", suspendedBy).put("destination", destination == null ? null : destination.getValue("endpoint"));
  }
}
