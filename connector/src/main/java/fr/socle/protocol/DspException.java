package fr.socle.protocol;

/**
 * A protocol request the node refuses, with the HTTP status DSP asks for and a reason for the
 * partner. Stackless: it is an expected outcome, mapped to a DSP error body at the edge.
 */
public final class DspException extends RuntimeException {

  private final int status;
  private final String code;
  private final String frenchMessage;

  public DspException(int status, String code, String message) {
    this(status, code, message, null);
  }

  /** @param frenchMessage the same reason in French, sent beside the English one; may be null */
  public DspException(int status, String code, String message, String frenchMessage) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.frenchMessage = frenchMessage;
  }

  /** The reason in French, or null. */
  public String frenchMessage() {
    return frenchMessage;
  }

  public static DspException badRequest(String message) {
    return new DspException(400, "bad_request", message);
  }

  public static DspException notFound(String message) {
    return new DspException(404, "not_found", message);
  }

  public static DspException forbidden(String message) {
    return new DspException(403, "forbidden", message);
  }

  public static DspException conflict(String message) {
    return new DspException(409, "invalid_state", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
