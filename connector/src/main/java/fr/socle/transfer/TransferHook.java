package fr.socle.transfer;

/**
 * Chooses a transfer's next move at the points where this node would otherwise decide on its own
 * (a provider asking its policy engine whether to start) or wait for its operator or data plane (a
 * started or suspended transfer).
 *
 * <p>Production nodes use {@link #NONE}. Conformance tests give the node a scripted hook through its
 * constructor to play the DSP technology compatibility kit's scenarios (suspensions, resumptions,
 * completions and terminations from either side) without the node knowing their identifiers.
 */
@FunctionalInterface
public interface TransferHook {

  /** Leaves every decision to the node. */
  TransferHook NONE = t -> Move.DEFAULT;

  /** What to do next; a move that does not apply to the role and state is a bug of the hook. */
  enum Move {
    /** The node's own behaviour: the provider decides on a request; otherwise wait. */
    DEFAULT,
    /** Nothing for now. */
    WAIT,
    /** Either side, STARTED: suspend. */
    SUSPEND,
    /** Provider, SUSPENDED: start again with a fresh data address. */
    RESUME,
    /** Either side, STARTED: complete. */
    COMPLETE,
    /** Either side, any unfinished state: terminate. */
    TERMINATE
  }

  /** Called each time {@code t} settles in a state where this node may make the next move. */
  Move next(Transfer t);
}
