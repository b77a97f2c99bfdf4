package fr.socle.protocol;

/**
 * A request the node refuses: what kind of refusal, a stable DSP error code and the reason for the
 * partner (in French too when known). The core says what went wrong; the edge alone chooses the
 * HTTP status for each {@link Kind}. Stackless: an expected outcome, not a fault.
 */
public final class Refusal extends RuntimeException {

  /** What kind of refusal, from which the edge derives the status. */
  public enum Kind {
    /** The message, body or parameter is not what the protocol allows. */
    INVALID,
    /** The caller could not be authenticated (node token, access token). */
    UNAUTHENTICATED,
    /** The caller is known but may not do this (not its process, policy denied). */
    FORBIDDEN,
    /** No such process, dataset or transfer for this caller. */
    NOT_FOUND,
    /** The process is not in a state where this message applies, or the id names another one. */
    CONFLICT,
    /** The body exceeds this node's limit. */
    TOO_LARGE,
    /** The caller holds as much as this node allows it; it may retry when some ends. */
    TOO_MANY,
    /** The data source behind this node failed. */
    SOURCE_FAILED,
    /** This node cannot store what it receives. */
    CANNOT_STORE
  }

  private final Kind kind;
  private final String code;
  private final String frenchMessage;

  public Refusal(Kind kind, String code, String message) {
    this(kind, code, message, null);
  }

  /** @param frenchMessage the same reason in French, sent beside the English one; may be null */
  public Refusal(Kind kind, String code, String message, String frenchMessage) {
    super(message, null, false, false);
    this.kind = kind;
    this.code = code;
    this.frenchMessage = frenchMessage;
  }

  public static Refusal invalid(String message) {
    return new Refusal(Kind.INVALID, "bad_request", message);
  }

  public static Refusal notFound(String message) {
    return new Refusal(Kind.NOT_FOUND, "not_found", message);
  }

  public static Refusal forbidden(String message) {
    return new Refusal(Kind.FORBIDDEN, "forbidden", message);
  }

  public static Refusal invalidState(String message) {
    return new Refusal(Kind.CONFLICT, "invalid_state", message);
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }

  /** The reason in French, or null. */
  public String frenchMessage() {
    return frenchMessage;
  }
}
