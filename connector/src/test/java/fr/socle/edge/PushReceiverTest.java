package fr.socle.edge;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.dataplane.BodyRefused;
import fr.socle.protocol.Refusal;
import org.junit.jupiter.api.Test;

/** How the push receiver answers a body its checks refused: always a 4xx, with the check's code and reason. */
class PushReceiverTest {

  @Test
  void aBodyTooLargeIsA413() {
    Refusal e = PushReceiver.refusal(new BodyRefused(BodyRefused.Kind.BODY_TOO_LARGE,
        "expected at most 1024 bytes (limits.maxReceivedBytes of this node), got 2048 bytes announced"));
    assertThat(Failures.status(e.kind())).isEqualTo(413);
    assertThat(e.code()).isEqualTo("body_too_large");
    assertThat(e.getMessage()).isEqualTo("expected at most 1024 bytes (limits.maxReceivedBytes of this node),"
        + " got 2048 bytes announced");
  }

  @Test
  void everyOtherRefusalIsA400WithItsCode() {
    for (BodyRefused.Kind kind : BodyRefused.Kind.values()) {
      if (kind != BodyRefused.Kind.BODY_TOO_LARGE) {
        Refusal e = PushReceiver.refusal(new BodyRefused(kind, "why " + kind));
        assertThat(Failures.status(e.kind())).as(kind.name()).isEqualTo(400);
        assertThat(e.code()).isEqualTo(kind.name().toLowerCase(java.util.Locale.ROOT));
        assertThat(e.getMessage()).isEqualTo("why " + kind);
      }
    }
    assertThat(BodyRefused.Kind.values()).extracting(BodyRefused.Kind::code).containsExactlyInAnyOrder(
        "bad_content_length", "bad_digest", "body_too_large", "length_mismatch", "digest_mismatch");
  }

  @Test
  void aRefusedBodyIsAlwaysA4xx() {
    for (BodyRefused.Kind kind : BodyRefused.Kind.values()) {
      assertThat(Failures.status(PushReceiver.refusal(new BodyRefused(kind,
          "x")).kind())).as(kind.name()).isBetween(400, 499);
    }
  }
}
