package fr.socle.transfer;

import static fr.socle.transfer.TransferState.COMPLETED;
import static fr.socle.transfer.TransferState.STARTED;
import static fr.socle.transfer.TransferState.STARTING;
import static fr.socle.transfer.TransferState.SUSPENDED;
import static fr.socle.transfer.TransferState.SUSPENDING;
import static fr.socle.transfer.TransferState.TERMINATED;

import fr.socle.negotiation.Role;
import fr.socle.policy.LocalizedText;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.PartnerState;
import fr.socle.store.Conflict;
import fr.socle.transfer.TransferStore.Change;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a transfer level with the counter-party's own record of it (DSP {@code GET /transfers/:pid})
 * when messages alone no longer can: after a restart in a state where this node waits for the
 * counter-party, when a message of this node is refused for good, and before giving up.
 *
 * <p>Only forward moves the state machine allows are made, each recorded and audited like any other
 * (with a note saying it was read back), and never one that needs what only a message carries: a
 * consumer never takes a data address, nor a provider a resumption its policy engine has not allowed,
 * from a GET. A counter-party that shows the transfer COMPLETED or TERMINATED ends it here too.
 */
final class TransferConvergence {

  private static final Logger LOG = LoggerFactory.getLogger(TransferConvergence.class);

  private final TransferStore store;
  private final DspClient client;

  TransferConvergence(TransferStore store, DspClient client) {
    this.store = store;
    this.client = client;
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

  /**
   * Asks the counter-party for its state and moves {@code t} to match it where {@link #target} says
   * so. Succeeds with true when {@code t} moved (or something else moved it meanwhile), false when it
   * stays; fails when the counter-party could not be asked or answered something unusable
   * ({@link PartnerState.Unusable}).
   */
  Future<Boolean> converge(Transfer t) {
    if (t.counterPartyPid() == null) {
      // The counter-party's process id was never heard: there is nothing to ask for.
      return Future.succeededFuture(false);
    }
    return client.get(t.counterPartyAddress(), "/transfers/" + t.counterPartyPid(), t.counterPartyId())
        .map(answer -> PartnerState.read(answer, "TransferProcess", t.providerPid(), t.consumerPid(),
            PartnerState.TRANSFER_STATES))
        .compose(partner -> {
          TransferState to = target(t.role(), t.state(), partner.state());
          if (to == null) {
            LOG.info("transfer {} ({}) stays {}: {} shows it {}", t.id(), t.role(), t.state(), t.counterPartyId(),
                partner.state());
            return Future.succeededFuture(false);
          }
          Change change = Change.to(t.state(), to).withNote("converged: " + t.counterPartyId()
              + " shows the transfer " + partner.state());
          if (to == TERMINATED) {
            change = change.withDetail(new LocalizedText("terminated by " + t.counterPartyId()
                + ", which shows the transfer TERMINATED when asked for its state",
                "terminé par " + t.counterPartyId() + ", qui indique le transfert TERMINATED quand on lui"
                + " demande son état"));
          }
          return store.move(t.id(), change).map(moved -> {
            LOG.info("transfer {} ({}): {} -> {}, as {} shows it {}", t.id(), t.role(), t.state(), to,
                t.counterPartyId(), partner.state());
            return true;
          }).recover(e -> e instanceof Conflict ? Future.succeededFuture(true) : Future.failedFuture(e));
        });
  }
}
