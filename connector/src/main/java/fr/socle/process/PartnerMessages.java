package fr.socle.process;

import fr.socle.protocol.DspMessage;
import fr.socle.protocol.Refusal;
import fr.socle.store.Conflict;
import fr.socle.store.NotFound;
import fr.socle.store.TooManyOpen;
import io.vertx.core.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both state machines check and do when a partner's DSP message arrives for one of their
 * processes: that the message is the counter-party's and names this very process on both sides, then
 * the move it asks for, idempotent for a redelivery and refused out of turn.
 */
public final class PartnerMessages {

  private static final Logger LOG = LoggerFactory.getLogger(PartnerMessages.class);

  private PartnerMessages() {
  }

  /**
   * Returns {@code p} when {@code caller} is its counter-party and {@code message} names both this
   * node's process id and the counter-party's own (once known); refuses otherwise. Another
   * participant gets the answer an unknown id gets, so it learns nothing about others' processes; the
   * right participant naming another of its processes is refused, not taken for this one.
   */
  public static <P extends ProcessRow<?>> P owned(P p, String noun, String caller, DspMessage message) {
    if (!caller.equals(p.counterPartyId())) {
      throw Refusal.notFound("no " + noun + " '" + p.id() + "'");
    }
    String ours = p.role() == Role.PROVIDER ? "providerPid" : "consumerPid";
    String theirs = p.role() == Role.PROVIDER ? "consumerPid" : "providerPid";
    if (!p.id().equals(message.requireString(ours))) {
      throw Refusal.invalid(ours + " " + message.body().getString(ours) + " does not match the path " + p.id());
    }
    String claimed = message.requireString(theirs);
    if (p.counterPartyPid() != null && !p.counterPartyPid().equals(claimed)) {
      throw Refusal.invalid(theirs + " " + claimed + " does not match " + p.counterPartyPid());
    }
    return p;
  }

  /**
   * The move a partner's message asks for: nothing when {@code p} is already there or past it (a
   * redelivery), a refusal when its state machine does not allow it (out of turn, or a concurrent
   * move won), else {@code write} and a kick of its next step.
   */
  public static <P extends ProcessRow<S>, S extends Enum<S> & ProcessState<S>> Future<P> transition(String noun, P p,
      S to, Supplier<Future<P>> write, StepRunner runner) {
    if (p.state().hasReached(to)) {
      return Future.succeededFuture(p);
    }
    if (!p.state().canMoveTo(to)) {
      return Future.failedFuture(Refusal.invalidState(noun + " " + p.id() + " is " + p.state().dspState()
          + " and cannot become " + to.dspState()));
    }
    return write.get()
        .recover(e -> Future.failedFuture(e instanceof Conflict ? Refusal.invalidState(e.getMessage()) : e))
        .onSuccess(moved -> {
          LOG.debug("{} {} ({}): {} -> {} on the counter-party's message", noun, moved.id(), moved.role(), p.state(),
              to);
          runner.kick(moved.id());
        });
  }

  /**
   * The store's unknown id as the refusal a partner reads, for a lookup by the id a partner's message
   * names.
   */
  public static <T> Future<T> unknown(Throwable e) {
    return Future.failedFuture(e instanceof NotFound ? Refusal.notFound(e.getMessage()) : e);
  }

  /** Turns the store's limit on a partner's open processes into the refusal a partner reads. */
  public static <T> Function<Throwable, Future<T>> openLimit(String noun) {
    return e -> Future.failedFuture(e instanceof TooManyOpen tooMany
        ? new Refusal(Refusal.Kind.TOO_MANY, "too_many_open_" + noun + "s", tooMany.getMessage()) : e);
  }
}
