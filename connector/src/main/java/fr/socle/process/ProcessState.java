package fr.socle.process;

/** A state of a DSP process (negotiation or transfer) as the shared moves see it. */
public interface ProcessState<S extends ProcessState<S>> {

  /** The state's DSP name, as partners show it. */
  String dspState();

  /** Whether nothing moves the process any further. */
  boolean isFinal();

  /** Whether the state machine allows a move from this state to {@code target}. */
  boolean canMoveTo(S target);

  /** Whether this state is {@code target} or lies past it: a redelivered message asks for nothing new. */
  boolean hasReached(S target);
}
