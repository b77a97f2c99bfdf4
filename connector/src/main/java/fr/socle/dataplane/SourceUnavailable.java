package fr.socle.dataplane;

/** An asset's source could not be read; the message says which source and why. Stackless. */
public final class SourceUnavailable extends RuntimeException {

  public SourceUnavailable(String message) {
    super(message, null, false, false);
  }
}
