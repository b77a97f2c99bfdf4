package fr.socle.dataplane;

import java.util.Locale;

/**
 * A received body that failed one of {@link ReceivedBody}'s checks: which one ({@link Kind}) and, in
 * the message, what was expected and what was found. Stackless: it is an expected outcome, which
 * whoever answers the sender turns into its reply.
 */
public final class BodyRefused extends RuntimeException {

  /** Which check failed; {@link #code} is its stable snake_case name, told to the sender. */
  public enum Kind {
    /** {@code Content-Length} is not a number of 0 or more. */
    BAD_CONTENT_LENGTH,
    /** {@code Repr-Digest} gives a SHA-256 that cannot be read. */
    BAD_DIGEST,
    /** The body is, or is announced, larger than this node accepts. */
    BODY_TOO_LARGE,
    /** The body is longer or shorter than its {@code Content-Length}. */
    LENGTH_MISMATCH,
    /** The body's SHA-256 is not the one {@code Repr-Digest} announced. */
    DIGEST_MISMATCH;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Kind kind;

  public BodyRefused(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return kind.code();
  }
}
