package fr.socle.transfer;

import static fr.socle.transfer.TransferState.COMPLETED;
import static fr.socle.transfer.TransferState.STARTED;
import static fr.socle.transfer.TransferState.STARTING;
import static fr.socle.transfer.TransferState.SUSPENDED;
import static fr.socle.transfer.TransferState.SUSPENDING;
import static fr.socle.transfer.TransferState.TERMINATED;

import fr.socle.process.Role;
import fr.socle.policy.LocalizedText;

/**
 * The rules by which {@link fr.socle.process.ProcessSteps} brings a transfer level with the counter-party's own record of it (DSP {@code GET /transfers/:pid})
 * when messages alone no longer can: after a restart in a state where this node waits for the
 * counter-party, when a message of this node is refused for good, and before giving up.
 *
 * <p>Only forward moves the state machine allows are made, each recorded and audited like any other
 * (with a note saying it was read back), and never one that needs what only a message carries: a
 * consumer never takes a data address, nor a provider a resumption its policy engine has not allowed,
 * from a GET. A counter-party that shows the transfer COMPLETED or TERMINATED ends it here too.
 */
final class TransferConvergence {

  private TransferConvergence() {
  }

  /**
   * The state a transfer in {@code local}, on {@code role}'s side, moves to when the counter-party
   * shows the DSP state {@code partner}; null when it stays where it is.
   */
  static TransferState target(Role role, TransferState local, String partner) {
    if (local.isFinal()) {
      return null;
    }
    TransferState to = switch (partner) {
      case "TERMINATED" -> TERMINATED;
      // Legal from STARTED, COMPLETING, and from STARTING, RESUMING, SUSPENDING: the data was had.
      case "COMPLETED" -> COMPLETED;
      // The consumer holds the start this provider sent (its data address, or the push about to come).
      // Not for a resumption: the consumer shows STARTED before the suspension too.
      case "STARTED" -> role == Role.PROVIDER && local == STARTING ? STARTED : null;
      case "SUSPENDED" -> local == SUSPENDING ? SUSPENDED : null;
      default -> null;
    };
    return to != null && local.canMoveTo(to) ? to : null;
  }

  /** The operator's detail when the counter-party shows the transfer TERMINATED. */
  static LocalizedText terminatedBy(String counterParty) {
    return new LocalizedText("terminated by " + counterParty + ", which shows the transfer TERMINATED when asked for"
        + " its state",
            "terminé par " + counterParty + ", qui indique le transfert TERMINATED quand on lui demande son état");
  }
}
