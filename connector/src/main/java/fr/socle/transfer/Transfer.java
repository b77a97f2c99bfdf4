package fr.socle.transfer;

import fr.socle.process.CounterParty;
import fr.socle.process.ProcessRow;
import fr.socle.process.Role;
import fr.socle.protocol.Refusal;
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
 *
 * <p>The data address and the destination hold a partner's bearer token: {@link TransferStore} keeps
 * them encrypted. {@code unreadable} names the column whose stored value did not decrypt (altered,
 * or sealed under another node key); then {@link #dataAddress()} and {@link #destination()} refuse
 * to answer rather than let anything use a value this node cannot vouch for. Null normally.
 */
public record Transfer(String id, Role role, TransferState state, String counterPartyId, String counterPartyPid,
    String counterPartyAddress, String agreementId, String format, JsonObject dataAddress, String tokenHash,
    String detail, Instant createdAt, Instant updatedAt, String detailFr, JsonObject destination,
    String suspendedBy, String unreadable) implements ProcessRow<TransferState> {

  /** A transfer whose values all decrypted. */
  public Transfer(String id, Role role, TransferState state, String counterPartyId, String counterPartyPid,
      String counterPartyAddress, String agreementId, String format, JsonObject dataAddress, String tokenHash,
      String detail, Instant createdAt, Instant updatedAt, String detailFr, JsonObject destination,
      String suspendedBy) {
    this(id, role, state, counterPartyId, counterPartyPid, counterPartyAddress, agreementId, format, dataAddress,
        tokenHash, detail, createdAt, updatedAt, detailFr, destination, suspendedBy, null);
  }

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

  /**
   * The data address kept with the transfer (a consumer's pull: the provider's endpoint and token);
   * a {@link Refusal} (409) when it did not decrypt.
   */
  public JsonObject dataAddress() {
    refuseUnreadable();
    return dataAddress;
  }

  /** Where a push goes, with the receiver's token (see above); a {@link Refusal} (409) when it did not decrypt. */
  public JsonObject destination() {
    refuseUnreadable();
    return destination;
  }

  private void refuseUnreadable() {
    if (unreadable != null) {
      boolean address = "data_address".equals(unreadable);
      throw new Refusal(Refusal.Kind.CONFLICT, "secret_unreadable", "transfer " + id + ": its "
          + (address ? "data address" : "push destination") + ", kept encrypted with its token, does not decrypt"
          + " with this node's key (altered, or encrypted under another node key) and is not used; terminate the"
          + " transfer and request a new one",
          "transfert " + id + " : " + (address ? "son adresse de données" : "sa destination de push")
          + ", conservée chiffrée avec son jeton, ne se déchiffre pas avec la clé de ce nœud (modifiée, ou chiffrée"
          + " sous une autre clé de nœud) et n'est pas utilisée ; terminez le transfert et demandez-en un nouveau");
    }
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
