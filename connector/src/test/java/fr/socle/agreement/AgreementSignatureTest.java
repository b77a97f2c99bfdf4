package fr.socle.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.agreement.AgreementSigner.Role;
import fr.socle.testing.Federation;
import fr.socle.testing.Jws;
import fr.socle.testing.Paths;
import fr.socle.trust.JwsReason;
import fr.socle.trust.ReasonCode;
import fr.socle.trust.TrustMaterial;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Agreement signatures with the development federation's real node keys, checked both ways a
 * verifier trusts a chain: as a node (federation issuing CA and CRL) and as an auditor (root only).
 */
class AgreementSignatureTest {

  private static final Clock CLOCK = Clock.systemUTC();

  @TempDir
  static Path foreignDir;

  private static TrustMaterial provider;
  private static TrustMaterial consumer;
  private static TrustMaterial outsider;
  private static TrustMaterial foreign;
  private static AgreementVerifier node;
  private static AgreementVerifier auditor;

  @BeforeAll
  static void load() {
    provider = material(Federation.PROVIDER);
    consumer = material(Federation.CONSUMER);
    outsider = material(Federation.OUTSIDER);
    foreign = TrustMaterial.load(Federation.foreignNode(foreignDir), foreignDir);
    node = AgreementVerifier.federation(() -> provider.verifier(CLOCK));
    auditor = AgreementVerifier.offline(provider.rootCa(), CLOCK);
  }

  private static TrustMaterial material(String slug) {
    return TrustMaterial.load(Paths.certs().resolve("nodes").resolve(slug), Paths.certs());
  }

  private static JsonObject agreement() {
    return new JsonObject().put("@id", "urn:uuid:5b0c6a36-0d59-4f7e-9a43-1c7f0c3a2b11").put("@type", "Agreement")
        .put("assigner", id(provider)).put("assignee", id(consumer)).put("target", "eau-2026")
        .put("timestamp", "2026-11-26T02:00:00Z")
        .put("permission", new JsonArray().add(new JsonObject().put("action", "use")
            .put("constraint", new JsonArray().add(new JsonObject().put("leftOperand", "territory")
                .put("operator", "isPartOf").put("rightOperand", "FR-20")))))
        .put("https://w3id.org/socle/v1/purpose", "mission de service public");
  }

  private static String id(TrustMaterial m) {
    return m.participant().id().value();
  }

  static Stream<AgreementVerifier> verifiers() {
    return Stream.of(node, auditor);
  }

  @ParameterizedTest
  @MethodSource("verifiers")
  void bothPartiesSignaturesVerify(AgreementVerifier verifier) {
    JsonObject agreement = agreement();
    SignatureCheck p = verifier.verify(new AgreementSigner(provider, CLOCK).sign(agreement, Role.PROVIDER),
        agreement, Role.PROVIDER);
    SignatureCheck c = verifier.verify(new AgreementSigner(consumer, CLOCK).sign(agreement, Role.CONSUMER),
        agreement, Role.CONSUMER);
    assertThat(p).isInstanceOfSatisfying(SignatureCheck.Valid.class,
        v -> assertThat(v.participant()).isEqualTo(id(provider)));
    assertThat(c).isInstanceOfSatisfying(SignatureCheck.Valid.class,
        v -> assertThat(v.participant()).isEqualTo(id(consumer)));
  }

  @Test
  void theDigestIgnoresMemberOrderAndNumberSpelling() {
    JsonObject agreement = agreement().put("count", 1.0);
    JsonObject reordered = new JsonObject(new JsonObject().put("count", 1).mergeIn(agreement().copy()).encode());
    assertThat(AgreementSigner.digest(reordered)).isEqualTo(AgreementSigner.digest(agreement));
  }

  @ParameterizedTest
  @MethodSource("verifiers")
  void anAlteredAgreementIsADigestMismatch(AgreementVerifier verifier) {
    JsonObject agreement = agreement();
    String jws = new AgreementSigner(provider, CLOCK).sign(agreement, Role.PROVIDER);
    JsonObject altered = agreement.copy();
    altered.getJsonArray("permission").getJsonObject(0).getJsonArray("constraint").getJsonObject(0)
        .put("rightOperand", "FR");
    SignatureCheck check = verifier.verify(jws, altered, Role.PROVIDER);
    assertInvalid(check, SignatureReason.DIGEST_MISMATCH, "altered after signing (want: "
        + AgreementSigner.digest(agreement) + ", got: " + AgreementSigner.digest(altered) + ")");
  }

  @Test
  void anAlteredSignatureOrPayloadDoesNotVerify() {
    JsonObject agreement = agreement();
    String jws = new AgreementSigner(provider, CLOCK).sign(agreement, Role.PROVIDER);
    String[] parts = jws.split("\\.");
    char[] signature = parts[2].toCharArray();
    signature[10] = signature[10] == 'A' ? 'B' : 'A';
    assertInvalid(auditor.verify(parts[0] + "." + parts[1] + "." + new String(signature), agreement, Role.PROVIDER),
        JwsReason.BAD_SIGNATURE, "does not verify");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    String forged = b64(claims.put("digest", AgreementSigner.digest(agreement.copy().put("target", "x"))).encode());
    assertInvalid(auditor.verify(parts[0] + "." + forged + "." + parts[2], agreement, Role.PROVIDER),
        JwsReason.BAD_SIGNATURE, "does not verify");
  }

  @Test
  void aSignatureUnderAnotherNodesCertificateDoesNotVerify() {
    JsonObject agreement = agreement();
    String jws = new AgreementSigner(provider, CLOCK).sign(agreement, Role.PROVIDER);
    String otherHeader = new AgreementSigner(outsider, CLOCK).sign(agreement, Role.PROVIDER).split("\\.")[0];
    String[] parts = jws.split("\\.");
    assertInvalid(auditor.verify(otherHeader + "." + parts[1] + "." + parts[2], agreement, Role.PROVIDER),
        JwsReason.BAD_SIGNATURE, "does not verify with the key of");
  }

  @Test
  void aSignerOtherThanTheNamedPartyIsRefused() {
    JsonObject agreement = agreement();
    assertInvalid(auditor.verify(new AgreementSigner(outsider, CLOCK).sign(agreement, Role.PROVIDER), agreement,
        Role.PROVIDER), SignatureReason.SIGNER_MISMATCH, "signed by " + id(outsider)
        + ", but the agreement's assigner is '" + id(provider) + "'");
  }

  @Test
  void aProviderSignatureIsNotACountersignature() {
    JsonObject agreement = agreement();
    assertInvalid(auditor.verify(new AgreementSigner(provider, CLOCK).sign(agreement, Role.PROVIDER), agreement,
        Role.CONSUMER), SignatureReason.ROLE_MISMATCH, "signed as 'provider', want 'consumer'");
  }

  @ParameterizedTest
  @MethodSource("verifiers")
  void aCertificateOfAnotherFederationIsUntrusted(AgreementVerifier verifier) {
    JsonObject agreement = agreement().put("assigner", id(foreign));
    assertInvalid(verifier.verify(new AgreementSigner(foreign, CLOCK).sign(agreement, Role.PROVIDER), agreement,
        Role.PROVIDER), JwsReason.UNTRUSTED_CHAIN, "");
  }

  @Test
  void anAuditorWithTheWrongRootRefusesTheChain() {
    JsonObject agreement = agreement();
    AgreementVerifier wrongRoot = AgreementVerifier.offline(foreign.rootCa(), CLOCK);
    assertInvalid(wrongRoot.verify(new AgreementSigner(provider, CLOCK).sign(agreement, Role.PROVIDER), agreement,
        Role.PROVIDER), JwsReason.UNTRUSTED_CHAIN, "does not chain to root");
  }

  @Test
  void headerTamperingIsRefusedBeforeAnyKeyIsUsed() {
    JsonObject agreement = agreement();
    String[] parts = new AgreementSigner(provider, CLOCK).sign(agreement, Role.PROVIDER).split("\\.");
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    assertInvalid(auditor.verify(b64(header.copy().put("alg", "none").encode()) + "." + parts[1] + ".", agreement,
        Role.PROVIDER), JwsReason.UNSIGNED, "unsigned");
    assertInvalid(auditor.verify(b64(header.copy().put("alg", "HS256").encode()) + "." + parts[1] + "." + parts[2],
        agreement, Role.PROVIDER), JwsReason.ALG_NOT_ALLOWED, "alg 'HS256' is not allowed, want 'ES256'");
    assertInvalid(auditor.verify(b64(header.copy().put("typ", "JWT").encode()) + "." + parts[1] + "." + parts[2],
        agreement, Role.PROVIDER), JwsReason.WRONG_TYPE, "typ is 'JWT', want 'socle-agreement+jws'");
    JsonObject noChain = header.copy();
    noChain.remove("x5c");
    assertInvalid(auditor.verify(b64(noChain.encode()) + "." + parts[1] + "." + parts[2], agreement, Role.PROVIDER),
        JwsReason.MISSING_X5C, "no x5c");
    assertInvalid(auditor.verify("not-a-jws", agreement, Role.PROVIDER), JwsReason.MALFORMED, "1 parts, want 3");
    assertInvalid(auditor.verify(null, agreement, Role.PROVIDER), JwsReason.UNSIGNED, "no provider signature");
  }

  /** The pipeline's order (see SignedJwsTest): each signature is wrong twice and refused for the earlier step. */
  @ParameterizedTest
  @MethodSource("verifiers")
  void checksRunInThePipelineOrder(AgreementVerifier verifier) {
    JsonObject agreement = agreement();
    String signed = new AgreementSigner(provider, CLOCK).sign(agreement, Role.PROVIDER);
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(signed.split("\\.")[1]),
        StandardCharsets.UTF_8));
    assertInvalid(verifier.verify(Jws.compact(Jws.header("none", "JWT", foreign.nodeChain()), claims, null),
        agreement, Role.PROVIDER), JwsReason.WRONG_TYPE, "typ is 'JWT'");
    assertInvalid(verifier.verify(Jws.compact(Jws.header("none", AgreementSigner.TYPE, foreign.nodeChain()), claims,
        null), agreement, Role.PROVIDER), JwsReason.UNSIGNED, "alg 'none'");
    assertInvalid(verifier.verify(Jws.compact(Jws.header("ES256", AgreementSigner.TYPE, foreign.nodeChain()), claims,
        provider.nodeKey()), agreement, Role.PROVIDER), JwsReason.UNTRUSTED_CHAIN, "(untrusted_issuer)");
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertInvalid(SignatureCheck check, ReasonCode reason, String detail) {
    assertThat(check).isInstanceOfSatisfying(SignatureCheck.Invalid.class, invalid -> {
      assertThat(invalid.reason()).as(invalid.detail()).isEqualTo(reason);
      assertThat(invalid.detail()).contains(detail);
    });
  }
}
