package fr.socle.process;

import fr.socle.policy.LocalizedText;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.PartnerState;
import fr.socle.store.Conflict;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps both DSP state machines share, run by a {@link StepRunner}: asking the counter-party for
 * its record of a process resumed at start-up, following that record when a message is refused for
 * good or before giving up (convergence), committing a step's move, giving up after the last attempt.
 * A subclass says what differs: its store, its state machine's moves from each state, and which
 * partner states it may follow.
 *
 * <p>Convergence moves a process only forward along its own state machine, only where the
 * counter-party's state proves a message of this node was delivered or is no longer needed, and never
 * to a state that needs what only a message carries (an agreement, a countersignature, a data
 * address): a GET is signed by no one. A counter-party that shows the process TERMINATED ends it here
 * too.
 */
public abstract class ProcessSteps<P extends ProcessRow<S>, S extends Enum<S> & ProcessState<S>> {

  /** What a partner's own record of a process looks like on the DSP wire. */
  public record PartnerRecord(String path, String type, Set<String> states) {
  }

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final String noun;
  private final PartnerRecord partnerRecord;
  protected final DspClient client;
  /**
   * Processes resumed at start-up whose counter-party is to be asked for its state before their next
   * step; bounded by the unfinished processes, each removed at its first step.
   */
  private final Set<String> toAsk = ConcurrentHashMap.newKeySet();

  /** @param noun "negotiation" or "transfer", for logs */
  protected ProcessSteps(String noun, PartnerRecord partnerRecord, DspClient client) {
    this.noun = noun;
    this.partnerRecord = partnerRecord;
    this.client = client;
  }

  /** Reads the row. */
  protected abstract Future<P> find(String id);

  /** Runs the step of {@code p}'s state; true when it moved and may have another step. */
  protected abstract Future<Boolean> stepIn(P p);

  /** Whether the next move is the counter-party's (or an operator's), so that nothing is resent. */
  protected abstract boolean waitsForCounterParty(P p);

  /** The state {@code local}, on {@code role}'s side, moves to when the partner shows {@code partner}; or null. */
  protected abstract S target(Role role, S local, String partner);

  /** The state machine's final failure state. */
  protected abstract S terminated();

  /**
   * Moves {@code p} from its state to {@code to}, recording {@code note} (why, for the audit) and,
   * when not null, {@code detail} (for the operator); fails with {@link Conflict} when it moved meanwhile.
   */
  protected abstract Future<P> moveTo(P p, S to, String note, LocalizedText detail);

  /** The operator's detail when the counter-party shows the process TERMINATED. */
  protected abstract LocalizedText terminatedByCounterParty(P p);

  /** Marks a process resumed at start-up: its counter-party is asked for its state first. */
  public final void resumed(String id) {
    toAsk.add(id);
  }

  /** The runner's step: the counter-party's record first for a resumed process waiting for it. */
  public final Future<Boolean> step(String id) {
    return find(id).compose(p -> {
      if (!toAsk.contains(id)) {
        return stepIn(p);
      }
      if (!waitsForCounterParty(p)) {
        // This node sends or acts next: the counter-party's answer to that will tell.
        toAsk.remove(id);
        return stepIn(p);
      }
      return converge(p).transform(asked -> {
        if (asked.succeeded()) {
          toAsk.remove(id);
          return asked.result() ? Future.succeededFuture(true) : stepIn(p);
        }
        if (asked.cause() instanceof PartnerState.Unusable || DspClient.PeerRefused.definitiveIn(asked.cause()) != null) {
          toAsk.remove(id);
          log.warn("{} {}: the state {} shows cannot be used, it stays {}: {}", noun, id, p.counterPartyId(),
              p.state(), asked.cause().getMessage());
          return stepIn(p);
        }
        // Perhaps restarting too: asked again, with the runner's back-off.
        return Future.failedFuture(new NotAsked(asked.cause()));
      });
    });
  }

  /** The counter-party could not be asked for its state; never a reason to end a process. */
  static final class NotAsked extends RuntimeException {
    NotAsked(Throwable cause) {
      super("its counter-party could not be asked for its state: " + cause.getMessage(), cause, false, false);
    }
  }

  /**
   * After the runner's last attempt: the counter-party's own record first, which may show the process
   * further on (this node's message was delivered, or is no longer needed); else it ends here. A
   * counter-party that could not be asked at start-up ends nothing: it is asked again at the next start.
   */
  public final Future<Void> giveUp(String id, Throwable cause) {
    if (cause instanceof NotAsked) {
      toAsk.remove(id);
      log.warn("{} {}: {}; it stays as it is until the next start", noun, id, cause.getMessage());
      return Future.succeededFuture();
    }
    return find(id).compose(p -> p.state().isFinal() ? Future.succeededFuture()
        : converge(p).otherwise(false).compose(moved -> moved ? Future.succeededFuture()
            : moveTo(p, terminated(), null, new LocalizedText("gave up: " + cause.getMessage(), null)).mapEmpty()));
  }

  /** Commits a step's move; a conflict means a partner's message moved the row first, which is fine. */
  protected final Future<Boolean> advanced(P p, S to, Future<P> moving) {
    return moving.map(moved -> {
      log.debug("{} {} ({}): {} -> {}", noun, p.id(), p.role(), p.state(), to);
      return true;
    }).recover(e -> e instanceof Conflict ? Future.succeededFuture(true) : Future.failedFuture(e));
  }

  /**
   * A message the counter-party refused: when for good, its own record may show why (it moved on
   * without hearing this node, which was down), and the process follows it. Otherwise, or when it
   * cannot follow, the step fails with {@code cause} and is retried, then given up.
   */
  protected final Future<Boolean> refused(P p, Throwable cause) {
    if (DspClient.PeerRefused.definitiveIn(cause) == null) {
      return Future.failedFuture(cause);
    }
    return converge(p).otherwise(false)
        .compose(moved -> moved ? Future.succeededFuture(true) : Future.failedFuture(cause));
  }

  /**
   * Asks the counter-party for its state and moves {@code p} to match it where {@link #target} says
   * so. Succeeds with true when {@code p} moved (or something else moved it meanwhile), false when it
   * stays; fails when the counter-party could not be asked or answered something unusable
   * ({@link PartnerState.Unusable}).
   */
  protected final Future<Boolean> converge(P p) {
    if (p.counterPartyPid() == null) {
      // The counter-party's process id was never heard: there is nothing to ask for.
      return Future.succeededFuture(false);
    }
    return client.get(p.counterPartyAddress(), partnerRecord.path() + p.counterPartyPid(), p.counterPartyId())
        .map(answer -> PartnerState.read(answer, partnerRecord.type(), p.providerPid(), p.consumerPid(),
            partnerRecord.states()))
        .compose(partner -> {
          S to = target(p.role(), p.state(), partner.state());
          if (to == null) {
            log.info("{} {} ({}) stays {}: {} shows it {}", noun, p.id(), p.role(), p.state(), p.counterPartyId(),
                partner.state());
            return Future.succeededFuture(false);
          }
          String note = "converged: " + p.counterPartyId() + " shows the " + noun + " " + partner.state();
          return moveTo(p, to, note, to == terminated() ? terminatedByCounterParty(p) : null).map(moved -> {
            log.info("{} {} ({}): {} -> {}, as {} shows it {}", noun, p.id(), p.role(), p.state(), to,
                p.counterPartyId(), partner.state());
            return true;
          }).recover(e -> e instanceof Conflict ? Future.succeededFuture(true) : Future.failedFuture(e));
        });
  }

  /** Whether a request's answer is the counter-party's process {@code providerPid}/{@code consumerPid}, TERMINATED. */
  protected final boolean terminatedIn(JsonObject answer, String providerPid, String consumerPid) {
    try {
      return "TERMINATED".equals(PartnerState.read(answer, partnerRecord.type(), providerPid, consumerPid,
          partnerRecord.states()).state());
    } catch (PartnerState.Unusable e) {
      // Other connectors may answer with less; the process's messages will tell.
      return false;
    }
  }
}
