package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.agreement.AgreementSigner;
import fr.socle.agreement.AgreementSigner.Role;
import fr.socle.agreement.AgreementVerifier;
import fr.socle.negotiation.Agreement;
import fr.socle.testing.Federation;
import fr.socle.testing.Paths;
import fr.socle.trust.JwsReason;
import fr.socle.trust.TrustMaterial;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The agreement-signature check of {@code socle audit verify}, on agreement entries as a node records them. */
class AgreementEntriesTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final TrustMaterial PROVIDER = material(Federation.PROVIDER);
  private static final TrustMaterial CONSUMER = material(Federation.CONSUMER);
  private static final AgreementVerifier AUDITOR = AgreementVerifier.offline(PROVIDER.rootCa(), CLOCK);

  private static TrustMaterial material(String slug) {
    return TrustMaterial.load(Paths.certs().resolve("nodes").resolve(slug), Paths.certs());
  }

  private static JsonObject body() {
    return new JsonObject().put("@id", "urn:uuid:0b7e8d0e-2f0a-4f53-9d3c-7a1c2e4b5f60").put("@type", "Agreement")
        .put("assigner", PROVIDER.participant().id().value()).put("assignee", CONSUMER.participant().id().value())
        .put("target", "eau-2026");
  }

  /** An AGREEMENT entry as the provider records it: at agreement (countersignature pending), then countersigned. */
  private static JsonObject entry(long seq, JsonObject body, Agreement.Signatures signatures) {
    Agreement a = new Agreement(body.getString("@id"), "n-1", "eau-2026", PROVIDER.participant().id().value(),
        CONSUMER.participant().id().value(), body, Instant.parse("2026-11-26T02:00:00Z"), 0, signatures);
    return new JsonObject().put("seq", seq).put("type", "AGREEMENT").put("subject", a.id()).put("payload", a.toJson());
  }

  private static Agreement.Signatures bothSigned(JsonObject body) {
    return Agreement.Signatures.byProvider(new AgreementSigner(PROVIDER, CLOCK).sign(body, Role.PROVIDER))
        .withConsumer(new AgreementSigner(CONSUMER, CLOCK).sign(body, Role.CONSUMER));
  }

  @Test
  void signedEntriesVerifyAndPendingCountersignaturesAreNamed() {
    JsonObject body = body();
    Agreement.Signatures signed = bothSigned(body);
    JsonArray entries = new JsonArray()
        .add(new JsonObject().put("seq", 0).put("type", "DECISION").put("payload", new JsonObject()))
        .add(entry(1, body, Agreement.Signatures.byProvider(signed.provider())))
        .add(entry(2, body, signed));
    AuditReport.Check check = AgreementEntries.check(AUDITOR, entries);
    assertThat(check.ok()).as(check.message()).isTrue();
    assertThat(check.message()).isEqualTo("2 agreement entries, 3 signatures verified; not signed: entry 1 consumer "
        + "PENDING");
  }

  @Test
  void anAlteredAgreementInAnEntryFailsNamingTheEntryAndTheCheck() {
    JsonObject body = body();
    JsonObject entry = entry(4, body, bothSigned(body));
    entry.getJsonObject("payload").getJsonObject("agreement").put("target", "autre");
    AuditReport.Check check = AgreementEntries.check(AUDITOR, new JsonArray().add(entry));
    assertThat(check.failure()).isEqualTo(JwsReason.BAD_SIGNATURE);
    assertThat(check.message()).startsWith("entry 4 (agreement " + body.getString("@id")
        + "): provider signature: digest_mismatch: the agreement was altered after signing");
  }

  @Test
  void aSignatureRecordedAsSignedButMissingFails() {
    JsonObject body = body();
    JsonObject entry = entry(7, body, bothSigned(body));
    entry.getJsonObject("payload").getJsonObject("signatures").getJsonObject("consumer").putNull("jws");
    AuditReport.Check check = AgreementEntries.check(AUDITOR, new JsonArray().add(entry));
    assertThat(check.failure()).isEqualTo(JwsReason.UNSIGNED);
    assertThat(check.message()).isEqualTo("entry 7: the consumer signature is recorded as SIGNED but absent");
  }

  @Test
  void anExportWithoutAgreementsHasNothingToReport() {
    assertThat(AgreementEntries.check(AUDITOR, new JsonArray())).isNull();
  }
}
