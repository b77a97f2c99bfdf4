package fr.socle.negotiation;

import fr.socle.process.Role;
import static fr.socle.negotiation.NegotiationState.ACCEPTED;
import static fr.socle.negotiation.NegotiationState.ACCEPTING;
import static fr.socle.negotiation.NegotiationState.AGREED;
import static fr.socle.negotiation.NegotiationState.AGREEING;
import static fr.socle.negotiation.NegotiationState.FINALIZED;
import static fr.socle.negotiation.NegotiationState.FINALIZING;
import static fr.socle.negotiation.NegotiationState.OFFERED;
import static fr.socle.negotiation.NegotiationState.OFFERING;
import static fr.socle.negotiation.NegotiationState.REQUESTED;
import static fr.socle.negotiation.NegotiationState.REQUESTING;
import static fr.socle.negotiation.NegotiationState.TERMINATED;
import static fr.socle.negotiation.NegotiationState.VERIFIED;
import static fr.socle.negotiation.NegotiationState.VERIFYING;

import fr.socle.policy.LocalizedText;

/**
 * The rules by which {@link fr.socle.process.ProcessSteps} brings a negotiation level with the counter-party's own record of it (DSP {@code GET
 * /negotiations/:pid}) when messages alone no longer can: after a restart in a state where this node
 * waits for the counter-party, when a message of this node is refused for good, and before giving up.
 * A message may have been delivered and its acknowledgement lost, or the counter-party may have moved
 * on while this node was down and will not send again.
 *
 * <p>Only forward moves the state machine allows are made, each recorded and audited like any other
 * (with a note saying it was read back), and only those that need nothing a message alone carries: an
 * agreement, a countersignature, an offer or a data address is never taken from a GET, which is signed
 * by no one. A counter-party that reports the negotiation TERMINATED ends it here too.
 */
final class NegotiationConvergence {

  private NegotiationConvergence() {
  }

  /**
   * The state a negotiation in {@code local}, on {@code role}'s side, moves to when the counter-party
   * shows the DSP state {@code partner}; null when it stays where it is.
   */
  static NegotiationState target(Role role, NegotiationState local, String partner) {
    if (local.isFinal()) {
      return null;
    }
    NegotiationState to = "TERMINATED".equals(partner) ? TERMINATED : switch (role) {
      case CONSUMER -> switch (partner) {
        // The provider holds the (counter-)request, the acceptance, the verification: each was delivered.
        case "REQUESTED" -> local == REQUESTING ? REQUESTED : null;
        case "ACCEPTED" -> local == ACCEPTING ? ACCEPTED : null;
        case "VERIFIED" -> local == VERIFYING ? VERIFIED : null;
        // This consumer verified (it holds the agreement and countersigned it); only the event is missing.
        case "FINALIZED" -> local == VERIFYING || local == VERIFIED ? FINALIZED : null;
        default -> null;
      };
      case PROVIDER -> switch (partner) {
        case "OFFERED" -> local == OFFERING ? OFFERED : null;
        case "AGREED" -> local == AGREEING ? AGREED : null;
        case "FINALIZED" -> local == FINALIZING ? FINALIZED : null;
        // A consumer that shows VERIFIED while this provider lacks its verification message would bring
        // a countersignature only that message carries: not taken from here.
        default -> null;
      };
    };
    return to != null && local.canMoveTo(to) ? to : null;
  }

  /** The operator's detail when the counter-party shows the negotiation TERMINATED. */
  static LocalizedText terminatedBy(String counterParty) {
    return new LocalizedText("terminated by " + counterParty + ", which shows the negotiation TERMINATED when asked for"
        + " its state",
            "terminée par " + counterParty + ", qui indique la négociation TERMINATED quand on lui demande son état");
  }
}
