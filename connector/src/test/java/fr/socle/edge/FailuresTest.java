package fr.socle.edge;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.policy.Decision;
import fr.socle.policy.DecisionUnavailable;
import fr.socle.policy.LocalizedText;
import fr.socle.policy.Scope;
import fr.socle.protocol.Refusal;
import fr.socle.store.Conflict;
import fr.socle.store.NotFound;
import io.vertx.ext.web.handler.HttpException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The one mapping from what the core refuses to HTTP: every refusal a 4xx, a race a 409, nothing a silent 500. */
class FailuresTest {

  @Test
  void everyKindOfRefusalIsAClientErrorExceptTheNodesOwnSourceAndStorage() {
    assertThat(Arrays.stream(Refusal.Kind.values()).filter(k -> Failures.status(k) >= 500))
        .containsExactlyInAnyOrder(Refusal.Kind.SOURCE_FAILED, Refusal.Kind.CANNOT_STORE);
    assertThat(Arrays.stream(Refusal.Kind.values()).mapToInt(Failures::status)).allMatch(s -> s >= 400 && s < 600);
    assertThat(Failures.status(Refusal.Kind.CONFLICT)).isEqualTo(409);
    assertThat(Failures.status(Refusal.Kind.UNAUTHENTICATED)).isEqualTo(401);
  }

  @Test
  void aRefusalKeepsItsCodeAndBothLanguages() {
    Failures.Failure f = Failures.known(new Refusal(Refusal.Kind.FORBIDDEN, "access_denied", "refused", "refusé"));
    assertThat(f).isEqualTo(new Failures.Failure(403, "Forbidden", "access_denied", "refused", "refusé", -1));
  }

  @Test
  void twoRequestsRacingForOneRowAreAConflictNotAnInternalError() {
    Failures.Failure f = Failures.known(new Conflict("agreement urn:uuid:1 was used concurrently"));
    assertThat(f.status()).isEqualTo(409);
    assertThat(f.reason()).isEqualTo("agreement urn:uuid:1 was used concurrently");
    assertThat(Failures.known(new NotFound("no transfer 't'")).status()).isEqualTo(404);
  }

  @Test
  void anUndecidedPolicyIsA503WithWhenToRetry() {
    DecisionUnavailable e = DecisionUnavailable.of(Decision.failClosed(Scope.CATALOG, Decision.ENGINE_UNAVAILABLE,
        "OPA injoignable", "OPA is down"), new LocalizedText("the catalog", "le catalogue"));
    Failures.Failure f = Failures.known(e);
    assertThat(f.status()).isEqualTo(503);
    assertThat(f.code()).isEqualTo(Decision.ENGINE_UNAVAILABLE);
    assertThat(f.retryAfterSeconds()).isEqualTo(DecisionUnavailable.RETRY_AFTER_SECONDS);
  }

  @Test
  void aBodyOverTheLimitIsA413AndAnythingElseUnknownIsNotRecognised() {
    assertThat(Failures.known(new HttpException(413)).code()).isEqualTo("body_too_large");
    assertThat(Failures.known(new IllegalStateException("a bug"))).isNull();
    assertThat(Failures.known(new HttpException(500))).isNull();
  }
}
