package fr.socle.process;

/** A state of a DSP process (negotiation or transfer) as the shared moves see it. */
public interface ProcessState {

  /** The state's DSP name, as partners show it. */
  String dspState();

  /** Whether nothing moves the process any further. */
  boolean isFinal();
}
