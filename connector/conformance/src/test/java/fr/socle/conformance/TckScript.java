package fr.socle.conformance;

import fr.socle.negotiation.Negotiation;
import fr.socle.negotiation.NegotiationHook;
import fr.socle.negotiation.NegotiationState;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferHook;
import fr.socle.transfer.TransferState;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The behaviour each scenario of the DSP TCK expects from the connector under test, keyed by the
 * dataset (negotiations) or agreement (transfers) the scenario uses: the kit only checks what goes
 * over the wire, so a real connector has to be told when to offer, suspend or terminate. This is
 * test code; the node only knows the {@link NegotiationHook} and {@link TransferHook} seams.
 *
 * <p>A script is a queue of (state, move): each time a process settles in a new state (a new
 * {@code updatedAt}), the head is played if its state matches; otherwise the node does what it
 * would do anyway ({@code DEFAULT}: the provider asks OPA, the consumer verifies agreements and
 * holds offers). A process asked twice in the same visit gets the same answer, since the step
 * runner may re-run a step.
 */
final class TckScript implements NegotiationHook, TransferHook {

  private static final long KIT_BOOKKEEPING_PAUSE_MILLIS = 100;

  private record Step<S, M>(S state, M move) {
  }

  private record Visit(String state, Instant at, Object move) {
  }

  private final Map<String, List<Step<NegotiationState, NegotiationHook.Move>>> negotiations = new HashMap<>();
  private final Map<String, List<Step<TransferState, TransferHook.Move>>> transfers = new HashMap<>();
  private final Map<String, Deque<Step<NegotiationState, NegotiationHook.Move>>> negotiationQueues = new HashMap<>();
  private final Map<String, Deque<Step<TransferState, TransferHook.Move>>> transferQueues = new HashMap<>();
  private final Map<String, Visit> visits = new HashMap<>();

  TckScript() {
    NegotiationState requested = NegotiationState.REQUESTED;
    NegotiationState offered = NegotiationState.OFFERED;
    NegotiationState accepted = NegotiationState.ACCEPTED;
    NegotiationState agreed = NegotiationState.AGREED;
    NegotiationState verified = NegotiationState.VERIFIED;
    NegotiationHook.Move offer = NegotiationHook.Move.OFFER;
    NegotiationHook.Move terminate = NegotiationHook.Move.TERMINATE;
    NegotiationHook.Move wait = NegotiationHook.Move.WAIT;
    NegotiationHook.Move accept = NegotiationHook.Move.ACCEPT;

    // Provider scenarios (CN_01 to CN_03): the kit is the consumer.
    negotiation("ACN0101", requested, offer);
    negotiation("ACN0102", requested, offer, requested, terminate);
    negotiation("ACN0103", requested, offer);
    negotiation("ACN0201", requested, terminate);
    negotiation("ACN0202", requested, wait);
    negotiation("ACN0204", requested, offer);
    negotiation("ACN0205", requested, offer, offered, terminate);
    negotiation("ACN0206", requested, offer, accepted, terminate);
    negotiation("ACN0207", verified, terminate);
    negotiation("ACN0302", requested, offer);
    negotiation("ACN0303", requested, offer, accepted, wait);
    negotiation("ACN0304", requested, offer, requested, wait);
    // Consumer scenarios (CN_C_01 to CN_C_03): the kit is the provider.
    negotiation("ACNC0101", offered, accept);
    negotiation("ACNC0102", offered, NegotiationHook.Move.REQUEST);
    negotiation("ACNC0103", offered, terminate);
    negotiation("ACNC0202", requested, terminate);
    negotiation("ACNC0203", agreed, terminate);
    negotiation("ACNC0205", offered, accept);
    negotiation("ACNC0304", offered, accept);
    negotiation("ACNC0305", offered, accept);
    negotiation("ACNC0306", offered, accept, agreed, wait);

    TransferState reqd = TransferState.REQUESTED;
    TransferState started = TransferState.STARTED;
    TransferState suspended = TransferState.SUSPENDED;
    TransferHook.Move stop = TransferHook.Move.TERMINATE;
    TransferHook.Move complete = TransferHook.Move.COMPLETE;
    TransferHook.Move suspend = TransferHook.Move.SUSPEND;
    // Provider scenarios (TP_01 to TP_03): a request is started once OPA allows it, unless held here.
    transfer("ATP0101", started, stop);
    transfer("ATP0102", started, complete);
    transfer("ATP0103", started, suspend, suspended, stop);
    transfer("ATP0104", started, suspend, suspended, TransferHook.Move.RESUME, started, complete);
    transfer("ATP0105", reqd, stop);
    transfer("ATP0205", reqd, TransferHook.Move.WAIT);
    transfer("ATP0301", reqd, TransferHook.Move.WAIT);
    transfer("ATP0302", reqd, TransferHook.Move.WAIT);
    // Consumer scenarios (TP_C_01 to TP_C_03).
    transfer("ATPC0201", started, stop);
    transfer("ATPC0202", started, complete);
    transfer("ATPC0203", started, suspend, suspended, stop);
    transfer("ATPC0205", reqd, stop);
  }

  private void negotiation(String datasetId, Object... steps) {
    List<Step<NegotiationState, NegotiationHook.Move>> list = new ArrayList<>();
    for (int i = 0; i < steps.length; i += 2) {
      list.add(new Step<>((NegotiationState) steps[i], (NegotiationHook.Move) steps[i + 1]));
    }
    negotiations.put(datasetId, list);
  }

  private void transfer(String agreementId, Object... steps) {
    List<Step<TransferState, TransferHook.Move>> list = new ArrayList<>();
    for (int i = 0; i < steps.length; i += 2) {
      list.add(new Step<>((TransferState) steps[i], (TransferHook.Move) steps[i + 1]));
    }
    transfers.put(agreementId, list);
  }

  @Override
  public synchronized NegotiationHook.Move next(Negotiation n) {
    Deque<Step<NegotiationState, NegotiationHook.Move>> queue = negotiationQueues.computeIfAbsent(n.id(),
        id -> new ArrayDeque<>(negotiations.getOrDefault(n.assetId(), List.of())));
    return (NegotiationHook.Move) play("n:" + n.id(), n.state().name(), n.updatedAt(), queue, n.state(),
        NegotiationHook.Move.DEFAULT);
  }

  @Override
  public synchronized TransferHook.Move next(Transfer t) {
    Deque<Step<TransferState, TransferHook.Move>> queue = transferQueues.computeIfAbsent(t.id(),
        id -> new ArrayDeque<>(transfers.getOrDefault(t.agreementId(), List.of())));
    return (TransferHook.Move) play("t:" + t.id(), t.state().name(), t.updatedAt(), queue, t.state(),
        TransferHook.Move.DEFAULT);
  }

  private <S, M> Object play(String key, String state, Instant at, Deque<Step<S, M>> queue, S current,
      Object fallback) {
    Visit last = visits.get(key);
    if (last != null && last.state().equals(state) && last.at().equals(at)) {
      return last.move();
    }
    Object move = fallback;
    if (!queue.isEmpty() && queue.peek().state().equals(current)) {
      move = queue.poll().move();
    }
    visits.put(key, new Visit(state, at, move));
    giveTheKitTimeToRecordItsOwnState();
    return move;
  }

  /**
   * The kit records the state its own message leads to only once our acknowledgement is back (for
   * example, it sends an agreement and then marks itself AGREED). A node that answers at once can
   * reach the kit first, which then finds its process in a state it did not expect and fails the
   * scenario ("TERMINATED is a final state"). Real partners accept messages in any order the
   * protocol allows; this pause only keeps the kit's bookkeeping ahead of the node. It blocks the
   * node's event loop briefly, which is acceptable in this harness and nowhere else.
   */
  private static void giveTheKitTimeToRecordItsOwnState() {
    try {
      Thread.sleep(KIT_BOOKKEEPING_PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
