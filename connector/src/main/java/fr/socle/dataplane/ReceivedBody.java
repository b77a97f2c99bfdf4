package fr.socle.dataplane;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The checks a push receiver runs on a body as it arrives, kept free of I/O so that each one is
 * tested alone: a size bound before and during the body, the announced {@code Content-Length}
 * matched exactly, and the SHA-256 of {@code Repr-Digest} (RFC 9530) when the sender gives one.
 * A body that fails any check is refused with a {@link BodyRefused} saying which check, what was
 * expected and what was found; the receiver then keeps nothing of it.
 *
 * <p>Not thread-safe: one instance per request, fed on that request's event loop.
 */
public final class ReceivedBody {

  private final long maxBytes;
  private final long expectedLength;
  private final byte[] expectedDigest;
  private final MessageDigest digest;
  private long received;

  private ReceivedBody(long maxBytes, long expectedLength, byte[] expectedDigest) {
    this.maxBytes = maxBytes;
    this.expectedLength = expectedLength;
    this.expectedDigest = expectedDigest;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  /**
   * Checks the head of a push: {@code contentLength} (null when the body is chunked) within
   * {@code maxBytes}, and {@code reprDigest} readable when given.
   */
  public static ReceivedBody expect(String contentLength, String reprDigest, long maxBytes) {
    long length = -1;
    if (contentLength != null) {
      try {
        length = Long.parseLong(contentLength.trim());
      } catch (NumberFormatException e) {
        length = -2;
      }
      if (length < 0) {
        throw new BodyRefused(BodyRefused.Kind.BAD_CONTENT_LENGTH, "expected a Content-Length of 0 or more bytes,"
            + " got '" + contentLength + "'");
      }
      if (length > maxBytes) {
        throw tooLarge(maxBytes, length + " bytes announced");
      }
    }
    try {
      return new ReceivedBody(maxBytes, length, ReprDigest.sha256(reprDigest));
    } catch (IllegalArgumentException e) {
      throw new BodyRefused(BodyRefused.Kind.BAD_DIGEST, e.getMessage());
    }
  }

  /** Takes the next chunk; refuses it when the body grows beyond its bound or its announced length. */
  public void accept(Buffer chunk) {
    received += chunk.length();
    if (received > maxBytes) {
      throw tooLarge(maxBytes, "more received");
    }
    if (expectedLength >= 0 && received > expectedLength) {
      throw new BodyRefused(BodyRefused.Kind.LENGTH_MISMATCH, "expected " + expectedLength
          + " bytes (Content-Length), got more");
    }
    // The chunk's own memory: getBytes() would copy every byte received into a new array first.
    digest.update(((BufferInternal) chunk).getByteBuf().nioBuffer());
  }

  /** At the end of the body: the length and digest must be the announced ones; returns the SHA-256. */
  public byte[] finish() {
    if (expectedLength >= 0 && received != expectedLength) {
      throw new BodyRefused(BodyRefused.Kind.LENGTH_MISMATCH, "expected " + expectedLength
          + " bytes (Content-Length), got " + received);
    }
    byte[] actual = digest.digest();
    if (expectedDigest != null && !MessageDigest.isEqual(expectedDigest, actual)) {
      throw new BodyRefused(BodyRefused.Kind.DIGEST_MISMATCH, "digest mismatch (want: sha-256="
          + Base64.getEncoder().encodeToString(expectedDigest) + ", got: sha-256="
          + Base64.getEncoder().encodeToString(actual) + ")");
    }
    return actual;
  }

  public long received() {
    return received;
  }

  /** The length the sender announced ({@code Content-Length}), or -1 when it sends the body chunked. */
  public long announced() {
    return expectedLength;
  }

  private static BodyRefused tooLarge(long maxBytes, String found) {
    return new BodyRefused(BodyRefused.Kind.BODY_TOO_LARGE, "expected at most " + maxBytes + " bytes"
        + " (limits.maxReceivedBytes of this node), got " + found);
  }
}
