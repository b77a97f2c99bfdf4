package fr.socle.negotiation;

/**
 * Chooses a negotiation's next move at the points where this node would otherwise decide on its own
 * (the provider asking its policy engine, the consumer verifying an agreement) or wait for its
 * operator (a consumer holding an offer).
 *
 * <p>Production nodes use {@link #NONE}, which always leaves the node's own behaviour in place.
 * Conformance tests give the node a scripted hook through its constructor, so that the scenarios of
 * the DSP technology compatibility kit (counter-offers, terminations at each step) can be played
 * without the node knowing any of their identifiers.
 */
@FunctionalInterface
public interface NegotiationHook {

  /** Leaves every decision to the node. */
  NegotiationHook NONE = n -> Move.DEFAULT;

  /** What to do next; a move that does not apply to the role and state is a bug of the hook. */
  enum Move {
    /** The node's own behaviour: decide with the policy engine, verify, finalize, or wait. */
    DEFAULT,
    /** Nothing for now: wait for the counter-party or the operator. */
    WAIT,
    /** Provider in REQUESTED: send the offer instead of deciding. */
    OFFER,
    /** Consumer in OFFERED: accept the provider's offer. */
    ACCEPT,
    /** Consumer in OFFERED: answer the offer with a counter-request. */
    REQUEST,
    /** Either side, any unfinished state: terminate. */
    TERMINATE
  }

  /** Called each time {@code n} settles in a state where this node has the next move. */
  Move next(Negotiation n);
}
