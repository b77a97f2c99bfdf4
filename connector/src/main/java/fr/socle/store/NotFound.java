package fr.socle.store;

/** The requested row does not exist. Stackless: callers map it to 404. */
public final class NotFound extends RuntimeException {
  public NotFound(String message) {
    super(message, null, false, false);
  }
}
