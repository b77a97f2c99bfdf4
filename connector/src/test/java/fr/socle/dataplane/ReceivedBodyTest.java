package fr.socle.dataplane;

import fr.socle.edge.Failures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The push receiver's checks on a body, one by one: size bound, Content-Length, Repr-Digest. */
class ReceivedBodyTest {

  private static final byte[] BODY = "commune;lits\n2A004;412\n".getBytes(StandardCharsets.UTF_8);

  private static String digestOf(byte[] bytes) throws Exception {
    return "sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes)) + ":";
  }

  private static BodyRefused refusal(Runnable r) {
    try {
      r.run();
    } catch (BodyRefused e) {
      return e;
    }
    throw new AssertionError("expected a refusal");
  }

  @Test
  void aWholeBodyWithItsLengthAndDigestPasses() throws Exception {
    ReceivedBody body = ReceivedBody.expect(Integer.toString(BODY.length), digestOf(BODY), 1024);
    body.accept(Buffer.buffer(BODY).slice(0, 5));
    body.accept(Buffer.buffer(BODY).slice(5, BODY.length));
    body.finish();
    assertThat(body.received()).isEqualTo(BODY.length);
  }

  @Test
  void aChunkedBodyWithoutLengthOrDigestPassesWithinTheBound() {
    ReceivedBody body = ReceivedBody.expect(null, null, BODY.length);
    body.accept(Buffer.buffer(BODY));
    body.finish();
  }

  @Test
  void anAnnouncedLengthAboveTheBoundIsRefusedBeforeAnyByte() {
    BodyRefused e = refusal(() -> ReceivedBody.expect("2048", null, 1024));
    assertThat(e.kind()).isEqualTo(BodyRefused.Kind.BODY_TOO_LARGE);
    assertThat(e.code()).isEqualTo("body_too_large");
    assertThat(e.getMessage()).isEqualTo("expected at most 1024 bytes (limits.maxReceivedBytes of this node),"
        + " got 2048 bytes announced");
  }

  @Test
  void aChunkedBodyGrowingBeyondTheBoundIsRefusedAsItArrives() {
    ReceivedBody body = ReceivedBody.expect(null, null, 10);
    body.accept(Buffer.buffer(new byte[10]));
    BodyRefused e = refusal(() -> body.accept(Buffer.buffer(new byte[1])));
    assertThat(e.kind()).isEqualTo(BodyRefused.Kind.BODY_TOO_LARGE);
    assertThat(e.getMessage()).contains("expected at most 10 bytes").contains("got more received");
  }

  @Test
  void aShortBodyIsRefusedAtItsEnd() {
    ReceivedBody body = ReceivedBody.expect("100", null, 1024);
    body.accept(Buffer.buffer(new byte[60]));
    BodyRefused e = refusal(body::finish);
    assertThat(e.kind()).isEqualTo(BodyRefused.Kind.LENGTH_MISMATCH);
    assertThat(e.code()).isEqualTo("length_mismatch");
    assertThat(e.getMessage()).isEqualTo("expected 100 bytes (Content-Length), got 60");
  }

  @Test
  void aBodyLongerThanAnnouncedIsRefusedAsItArrives() {
    ReceivedBody body = ReceivedBody.expect("4", null, 1024);
    BodyRefused e = refusal(() -> body.accept(Buffer.buffer(new byte[5])));
    assertThat(e.code()).isEqualTo("length_mismatch");
  }

  @Test
  void aWrongOrUnreadableLengthIsABadRequest() {
    assertThat(refusal(() -> ReceivedBody.expect("-1", null, 10)).code()).isEqualTo("bad_content_length");
    assertThat(refusal(() -> ReceivedBody.expect("ten", null, 10)).getMessage())
        .isEqualTo("expected a Content-Length of 0 or more bytes, got 'ten'");
  }

  @Test
  void aDigestMismatchNamesBothDigests() throws Exception {
    byte[] other = "something else".getBytes(StandardCharsets.UTF_8);
    ReceivedBody body = ReceivedBody.expect(Integer.toString(BODY.length), digestOf(other), 1024);
    body.accept(Buffer.buffer(BODY));
    BodyRefused e = refusal(body::finish);
    assertThat(e.code()).isEqualTo("digest_mismatch");
    assertThat(e.getMessage()).isEqualTo("digest mismatch (want: " + digestOf(other).replace(":", "")
        + ", got: " + digestOf(BODY).replace(":", "") + ")");
  }

  @Test
  void anUnreadableSha256DigestIsRefusedAndOtherAlgorithmsAreIgnored() {
    assertThat(refusal(() -> ReceivedBody.expect("3", "sha-256=:abc:", 10)).code()).isEqualTo("bad_digest");
    ReceivedBody body = ReceivedBody.expect("3", "sha-512=:AAAA:", 10);
    body.accept(Buffer.buffer("abc"));
    body.finish();
  }

  @Test
  void aRefusalIsAlwaysA4xx() {
    // The status is the receiver's to give (PushReceiverTest); here, that the refusal is typed and says why.
    assertThatThrownBy(() -> ReceivedBody.expect("99999999999", null, 1)).isInstanceOfSatisfying(BodyRefused.class,
        e -> assertThat(e.kind()).isEqualTo(BodyRefused.Kind.BODY_TOO_LARGE));
  }
}
