package fr.socle.negotiation;

import fr.socle.agreement.AgreementSigner;
import fr.socle.policy.LocalizedText;
import fr.socle.policy.UsageDeclaration;
import fr.socle.protocol.Dsp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The DSP 2025-1 contract negotiation messages this node sends, and the paths it sends them to.
 * Compacted JSON-LD with the DSP context, shaped as the specification's JSON schemas require.
 */
final class NegotiationMessages {

  private NegotiationMessages() {
  }

  /**
   * {@code ContractRequestMessage}: the first one carries the callback address, a counter-request
   * the providerPid instead (the schema allows exactly one of the two).
   */
  static JsonObject request(Negotiation n, String selfAddress) {
    // The consumer's usage declaration travels beside the offer, not inside it.
    JsonObject m = UsageDeclaration.readFrom(n.offer()).writeTo(Dsp.message("ContractRequestMessage")
        .put("consumerPid", n.consumerPid()).put("offer", UsageDeclaration.strip(n.offer())));
    return n.providerPid() == null ? m.put("callbackAddress", selfAddress) : m.put("providerPid", n.providerPid());
  }

  static String requestPath(Negotiation n) {
    return n.providerPid() == null ? "/negotiations/request" : "/negotiations/" + n.providerPid() + "/request";
  }

  /** {@code ContractOfferMessage} in a running negotiation: the consumerPid, hence no callback address. */
  static JsonObject offer(Negotiation n) {
    // The stored offer also holds the consumer's declaration, which is not part of our offer.
    return pids(Dsp.message("ContractOfferMessage"), n).put("offer", UsageDeclaration.strip(n.offer()));
  }

  /** The provider's signature travels beside the agreement, so the agreement itself is what was signed. */
  static JsonObject agreement(Negotiation n, Agreement a, String selfAddress) {
    return signed(pids(Dsp.message("ContractAgreementMessage"), n).put("agreement", a.body())
        .put("callbackAddress", selfAddress), a.signatures().provider());
  }

  /** The consumer's countersignature, when it has one, rides on its verification. */
  static JsonObject verification(Negotiation n, Agreement a) {
    return signed(pids(Dsp.message("ContractAgreementVerificationMessage"), n), a.signatures().consumer());
  }

  private static JsonObject signed(JsonObject message, String jws) {
    return jws == null ? message : message.put(AgreementSigner.MESSAGE_MEMBER, jws);
  }

  static JsonObject event(Negotiation n, String eventType) {
    return pids(Dsp.message("ContractNegotiationEventMessage"), n).put("eventType", eventType);
  }

  /** The reason in English, and beside it in both languages when this node knows its French wording. */
  static JsonObject termination(Negotiation n) {
    JsonObject message = pids(Dsp.message("ContractNegotiationTerminationMessage"), n).put("code", "terminated")
        .put("reason", new JsonArray().add(n.detail() == null ? "terminated" : n.detail()));
    return n.detail() == null ? message : new LocalizedText(n.detail(), n.detailFr()).writeTo(message);
  }

  /** The path of the counter-party's endpoint for {@code action} on this negotiation. */
  static String path(Negotiation n, String action) {
    return "/negotiations/" + n.counterPartyPid() + "/" + action;
  }

  /** The DSP {@code ContractNegotiation} body for {@code n}. */
  static JsonObject negotiation(Negotiation n) {
    return pids(Dsp.message("ContractNegotiation"), n).put("state", n.state().dspState());
  }

  private static JsonObject pids(JsonObject message, Negotiation n) {
    return message.put("providerPid", n.providerPid()).put("consumerPid", n.consumerPid());
  }
}
