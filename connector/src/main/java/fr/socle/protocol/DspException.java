package fr.socle.protocol;

/**
 * A protocol request the node refuses, with the HTTP status DSP asks for and a reason for the
 * partner. Stackless: it is an expected outcome, mapped to a DSP error body at the edge.
 */
public final class DspException extends RuntimeException {

  private final int status;
  private final String code;

  public DspException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
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
