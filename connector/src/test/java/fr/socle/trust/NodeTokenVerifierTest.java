package fr.socle.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import fr.socle.testing.Jws;
import fr.socle.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CRLReason;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each check of {@link NodeTokenVerifier}, one refusal per test with its reason and message, on a
 * federation built in a temporary directory. Every token differs from an accepted one by exactly the
 * property under test, so removing a check makes its test fail (the token would be accepted).
 */
class NodeTokenVerifierTest {

  static final String CALLER = "219900016";
  static final String SELF = "239900038";
  static final String OTHER = "249900028";

  @TempDir
  static Path tmp;

  static Path fed;
  static TrustMaterial caller;
  static TrustMaterial other;
  static TrustMaterial self;
  static TrustMaterial expired;

  private MutableClock clock;
  private FederationTrust federation;
  private NodeTokenVerifier verifier;

  @BeforeAll
  static void federation() {
    // Built ten days ago with a month-long CRL, so that a node certificate valid one day is expired now
    // while the CRL is still current.
    Instant past = Instant.now().minus(Duration.ofDays(10));
    FederationPki pki = new FederationPki(Clock.fixed(past, java.time.ZoneOffset.UTC), new SecureRandom());
    fed = tmp.resolve("fed");
    pki.initFederation(fed, "Fed", Duration.ofDays(3650), Duration.ofDays(30));
    caller = TrustMaterial.load(pki.issueNode(fed, NodeRequest.of(CALLER, "Caller")).dir(), fed);
    self = TrustMaterial.load(pki.issueNode(fed, NodeRequest.of(SELF, "Self")).dir(), fed);
    other = TrustMaterial.load(pki.issueNode(fed, NodeRequest.of(OTHER, "Other")).dir(), fed);
    Path expiredDir = pki.issueNode(fed, NodeRequest.of("209900042", "Expired").withValidity(Duration.ofDays(1))).dir();
    // TrustMaterial.load refuses an expired node certificate, as it should: assemble it by hand.
    List<X509Certificate> expiredChain = PemFiles.readCertificates(expiredDir.resolve("node.crt"));
    expired = new TrustMaterial(Participant.fromCertificate(expiredChain.get(0)),
        PemFiles.readPrivateKey(expiredDir.resolve("node.key"), null), expiredChain, caller.rootCa(),
            caller.issuingCa(),
        caller.crl());
  }

  @BeforeEach
  void verifier() {
    clock = new MutableClock(Instant.now());
    federation = new FederationTrust(self, new FederationLayout(fed).crl(), clock);
    verifier = new NodeTokenVerifier(self.participant().id(), federation, new ReplayCache(1000, clock), clock);
  }

  // ---- building tokens -------------------------------------------------------------------------

  private static List<Base64> x5c(List<X509Certificate> chain) throws Exception {
    List<Base64> encoded = new ArrayList<>();
    for (X509Certificate certificate : chain) {
      encoded.add(Base64.encode(certificate.getEncoded()));
    }
    return encoded;
  }

  private JWSHeader.Builder header(TrustMaterial who) throws Exception {
    return new JWSHeader.Builder(JWSAlgorithm.ES256).type(NodeTokenVerifier.TYPE).x509CertChain(x5c(who.nodeChain()));
  }

  private JWTClaimsSet.Builder claims(TrustMaterial who) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    String id = who.participant().id().value();
    return new JWTClaimsSet.Builder().issuer(id).subject(id).audience("NTRFR-" + SELF).issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(60))).jwtID(UUID.randomUUID().toString());
  }

  private static String sign(JWSHeader header, JWTClaimsSet claims, PrivateKey key) throws Exception {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(new ECDSASigner(key, Curve.P_256));
    return jwt.serialize();
  }

  /** The caller's token with one change to its claims. */
  private String callerToken(UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
    return sign(header(caller).build(), change.apply(claims(caller)).build(), caller.nodeKey());
  }

  private Verification verifyFromCaller(String token) {
    return verifier.verify(token, caller.nodeCertificate());
  }

  private static void assertRejected(Verification result, Reason reason, String... fragments) {
    assertThat(result).isInstanceOf(Verification.Rejected.class);
    Verification.Rejected rejected = (Verification.Rejected) result;
    assertThat(rejected.reason()).as(rejected.detail()).isEqualTo(reason);
    if (fragments.length > 0) {
      assertThat(rejected.detail()).contains(fragments);
    }
  }

  // ---- accepted ------------------------------------------------------------------------------

  @Test
  void tokenFromTheIssuerAndItsConnectionIsAccepted() {
    String token = new NodeTokenIssuer(caller, clock).issue("NTRFR-" + SELF);
    Verification result = verifier.verify(token, caller.nodeCertificate());
    assertThat(result).isInstanceOf(Verification.Verified.class);
    assertThat(((Verification.Verified) result).participant().id().value()).isEqualTo("NTRFR-" + CALLER);
  }

  @Test
  void issuedTokensHaveTheProfile() throws Exception {
    SignedJWT jwt = SignedJWT.parse(new NodeTokenIssuer(caller, clock).issue("NTRFR-" + SELF));
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("socle-node+jwt"));
    assertThat(jwt.getHeader().getX509CertChain()).isEqualTo(x5c(caller.nodeChain()));
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo("NTRFR-" + CALLER).isEqualTo(claims.getSubject());
    assertThat(claims.getAudience()).containsExactly("NTRFR-" + SELF);
    assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
        .isEqualTo(NodeTokenIssuer.LIFETIME).isLessThanOrEqualTo(Duration.ofMinutes(5));
    String otherId = SignedJWT.parse(new NodeTokenIssuer(caller, clock).issue("NTRFR-" + SELF)).getJWTClaimsSet()
        .getJWTID();
    assertThat(claims.getJWTID()).hasSizeGreaterThanOrEqualTo(22).isNotEqualTo(otherId);
  }

  @Test
  void clockSkewWithinThirtySecondsIsTolerated() throws Exception {
    String late = callerToken(c -> c.expirationTime(Date.from(clock.instant().minusSeconds(20)))
        .issueTime(Date.from(clock.instant().minusSeconds(80))));
    assertThat(verifyFromCaller(late)).isInstanceOf(Verification.Verified.class);
    String early = callerToken(c -> c.issueTime(Date.from(clock.instant().plusSeconds(20)))
        .expirationTime(Date.from(clock.instant().plusSeconds(80))));
    assertThat(verifyFromCaller(early)).isInstanceOf(Verification.Verified.class);
  }

  // ---- 1-4: structure, typ, alg, x5c --------------------------------------------------------------

  @Test
  void missingToken() {
    assertRejected(verifier.verify(null, caller.nodeCertificate()), Reason.TOKEN_MISSING, "node token is required");
    assertRejected(verifier.verify(" ", caller.nodeCertificate()), Reason.TOKEN_MISSING);
  }

  @Test
  void malformedTokens() throws Exception {
    assertRejected(verifyFromCaller("not-a-jwt"), Reason.TOKEN_MALFORMED, "not a compact JWS: 1 parts, want 3");
    assertRejected(verifyFromCaller("a.b.c.d.e"), Reason.TOKEN_MALFORMED, "5 parts, want 3");
    assertRejected(verifyFromCaller("e30.e30.e30x"), Reason.TOKEN_MALFORMED, "does not parse");
    String[] good = callerToken(c -> c).split("\\.");
    String notJsonClaims = Base64URL.encode("[1,2]".getBytes(StandardCharsets.UTF_8)).toString();
    assertRejected(verifyFromCaller(good[0] + "." + notJsonClaims + "." + good[2]), Reason.TOKEN_MALFORMED);
  }

  @Test
  void wrongOrMissingType() throws Exception {
    String plainJwt = sign(header(caller).type(JOSEObjectType.JWT).build(), claims(caller).build(), caller.nodeKey());
    assertRejected(verifyFromCaller(plainJwt), Reason.TOKEN_TYPE_INVALID, "typ is 'JWT', want 'socle-node+jwt'");
    String untyped = sign(header(caller).type(null).build(), claims(caller).build(), caller.nodeKey());
    assertRejected(verifyFromCaller(untyped), Reason.TOKEN_TYPE_INVALID, "typ is absent");
  }

  @Test
  void algNoneIsRefusedBeforeAnyKeyLookup() throws Exception {
    String header = "{\"alg\":\"none\",\"typ\":\"socle-node+jwt\",\"x5c\":[\"" + x5c(caller.nodeChain()).get(0) + "\"]}";
    String token = Base64URL.encode(header.getBytes(StandardCharsets.UTF_8)) + "."
        + Base64URL.encode(claims(caller).build().toString().getBytes(StandardCharsets.UTF_8)) + ".";
    assertRejected(verifyFromCaller(token), Reason.TOKEN_ALGORITHM_NOT_ALLOWED, "unsigned node token: alg 'none'");
  }

  @Test
  void hmacKeyedWithThePublicKeyIsRefused() throws Exception {
    // The classic confusion: a verifier that took the certificate's public key as an HMAC secret.
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(NodeTokenVerifier.TYPE)
        .x509CertChain(x5c(caller.nodeChain())).build(), claims(caller).build());
    jwt.sign(new MACSigner(caller.nodeCertificate().getPublicKey().getEncoded()));
    assertRejected(verifyFromCaller(jwt.serialize()), Reason.TOKEN_ALGORITHM_NOT_ALLOWED, "alg 'HS256' is not allowed");
  }

  @Test
  void rsaIsRefused() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair rsa = generator.generateKeyPair();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(NodeTokenVerifier.TYPE)
        .x509CertChain(x5c(caller.nodeChain())).build(), claims(caller).build());
    jwt.sign(new RSASSASigner((RSAPrivateKey) rsa.getPrivate()));
    assertRejected(verifyFromCaller(jwt.serialize()), Reason.TOKEN_ALGORITHM_NOT_ALLOWED, "alg 'RS256' is not allowed");
  }

  @Test
  void criticalHeaderIsRefused() throws Exception {
    String token = sign(header(caller).criticalParams(java.util.Set.of("exp")).build(), claims(caller).build(),
        caller.nodeKey());
    assertRejected(verifyFromCaller(token), Reason.TOKEN_MALFORMED, "critical header parameters");
  }

  @Test
  void missingX5c() throws Exception {
    String token = sign(header(caller).x509CertChain(null).build(), claims(caller).build(), caller.nodeKey());
    assertRejected(verifyFromCaller(token), Reason.TOKEN_X5C_MISSING, "found none");
  }

  /** The pipeline's order (see SignedJwsTest): each token is wrong twice and refused for the earlier step. */
  @Test
  void checksRunInThePipelineOrder() throws Exception {
    TrustMaterial foreign = foreignNode("order", "Fédération étrangère");
    String type = NodeTokenVerifier.TYPE_NAME;
    JsonObject claims = new JsonObject(claims(foreign).build().toJSONObject());
    assertRejected(verifier.verify(Jws.compact(Jws.header("none", "JWT", foreign.nodeChain()), claims, null),
        foreign.nodeCertificate()), Reason.TOKEN_TYPE_INVALID, "typ is 'JWT'");
    assertRejected(verifier.verify(Jws.compact(Jws.header("none", type, foreign.nodeChain()), claims, null),
        foreign.nodeCertificate()), Reason.TOKEN_ALGORITHM_NOT_ALLOWED, "alg 'none'");
    assertRejected(verifier.verify(Jws.compact(Jws.header("ES256", type, foreign.nodeChain()), claims,
        caller.nodeKey()), foreign.nodeCertificate()), Reason.UNTRUSTED_ISSUER, "expected the federation issuing CA");
  }

  // ---- 5: the chain belongs to the federation -------------------------------------------------------

  @Test
  void expiredCertificate() throws Exception {
    String token = sign(header(expired).build(), claims(expired).build(), expired.nodeKey());
    assertRejected(verifier.verify(token, expired.nodeCertificate()), Reason.CERTIFICATE_EXPIRED, "expired on",
        "'CN=Expired");
  }

  @Test
  void certificateFromAnotherCa() throws Exception {
    TrustMaterial foreign = foreignNode("foreign", "Fédération étrangère");
    String token = sign(header(foreign).build(), claims(foreign).build(), foreign.nodeKey());
    assertRejected(verifier.verify(token, foreign.nodeCertificate()), Reason.UNTRUSTED_ISSUER,
        "expected the federation issuing CA 'CN=Fed Issuing CA");
  }

  @Test
  void certificateFromAnotherCaWithTheSameName() throws Exception {
    TrustMaterial impostor = foreignNode("impostor", "Fed");
    String token = sign(header(impostor).build(), claims(impostor).build(), impostor.nodeKey());
    assertRejected(verifier.verify(token, impostor.nodeCertificate()), Reason.BAD_SIGNATURE,
        "does not verify with the federation CA key");
  }

  private static TrustMaterial foreignNode(String dir, String name) {
    FederationPki pki = new FederationPki();
    Path foreign = tmp.resolve(dir);
    pki.initFederation(foreign, name, Duration.ofDays(3650));
    return TrustMaterial.load(pki.issueNode(foreign, NodeRequest.of(CALLER, "Caller")).dir(), foreign);
  }

  @Test
  void wrongSirenChecksum() throws Exception {
    // The PKI refuses to issue this, so it is built by hand and signed with the federation's issuing key.
    X509Certificate issuing = caller.issuingCa();
    CertificateIssuer issuer = new CertificateIssuer(new SecureRandom());
    KeyPair keys = issuer.generateKeyPair();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.C, "FR")
        .addRDN(BCStyle.ORGANIZATION_IDENTIFIER, "NTRFR-219900017").addRDN(BCStyle.O, "Bad").addRDN(BCStyle.CN, "Bad")
        .build();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    X509Certificate bad = issuer.node(subject, keys.getPublic(), List.of("localhost"), List.of(), issuing,
        PemFiles.readPrivateKey(new FederationLayout(fed).issuingCaKey(), null), now.minusSeconds(60),
        now.plus(Duration.ofDays(1)));
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(NodeTokenVerifier.TYPE)
        .x509CertChain(x5c(List.of(bad, issuing))).build();
    String token = sign(header, claims(caller).issuer("NTRFR-219900017").subject("NTRFR-219900017").build(),
        keys.getPrivate());
    assertRejected(verifier.verify(token, bad), Reason.INVALID_SIREN, "219900017", "Luhn");
  }

  @Test
  void revokedCertificateIsRefusedOnceTheNewCrlIsReloaded() throws Exception {
    FederationPki pki = new FederationPki();
    Path dir = pki.issueNode(fed, NodeRequest.of("259900017", "Revoked").withSlug("revoked-" + UUID.randomUUID()
        .toString().substring(0, 8))).dir();
    TrustMaterial revoked = TrustMaterial.load(dir, fed);
    FederationVerifier before = federation.verifier();
    assertThat(verifier.verify(new NodeTokenIssuer(revoked, clock).issue("NTRFR-" + SELF),
        revoked.nodeCertificate())).isInstanceOf(Verification.Verified.class);

    pki.revokeNode(fed, dir.getFileName().toString(), CRLReason.KEY_COMPROMISE);
    assertThat(federation.reload()).isTrue();
    assertRejected(verifier.verify(new NodeTokenIssuer(revoked, clock).issue("NTRFR-" + SELF),
        revoked.nodeCertificate()), Reason.CERTIFICATE_REVOKED, "was revoked on", "keyCompromise");
    // Verifiers are immutable: the one taken before the reload still holds the old CRL.
    assertThat(before.verify(revoked.nodeChain())).isInstanceOf(Verification.Verified.class);
    assertThat(federation.reload()).as("unchanged file").isFalse();
  }

  /**
   * A CA whose clock runs a minute ahead dates the revocation a minute from now; the JDK's PKIX
   * checker alone would keep trusting the certificate until then.
   */
  @Test
  void aCertificateListedInTheCrlIsRevokedWhateverTheRevocationDate() throws Exception {
    Path dir = new FederationPki().issueNode(fed, NodeRequest.of("269900015", "Ahead").withSlug("ahead-"
        + UUID.randomUUID().toString().substring(0, 8))).dir();
    TrustMaterial listed = TrustMaterial.load(dir, fed);
    new FederationPki(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1)), new SecureRandom())
        .revokeNode(fed, dir.getFileName().toString(), CRLReason.SUPERSEDED);
    assertThat(federation.reload()).isTrue();
    assertThat(federation.crl().getRevokedCertificate(listed.nodeCertificate()).getRevocationDate().toInstant())
        .isAfter(clock.instant());
    assertRejected(verifier.verify(new NodeTokenIssuer(listed, clock).issue("NTRFR-" + SELF),
        listed.nodeCertificate()), Reason.CERTIFICATE_REVOKED, "was revoked on", "superseded");
  }

  @Test
  void staleCrlRefusesEveryPeer() throws Exception {
    Instant nextUpdate = federation.crl().getNextUpdate().toInstant();
    // Five minutes late: within the 15 minutes the JDK's revocation checker still tolerates.
    clock.set(nextUpdate.plus(Duration.ofMinutes(5)));
    assertRejected(verifyFromCaller(new NodeTokenIssuer(caller, clock).issue("NTRFR-" + SELF)),
        Reason.REVOCATION_UNKNOWN, "the federation CRL is stale since " + nextUpdate, "socle certs crl");
    clock.set(nextUpdate.plus(Duration.ofHours(1)));
    assertRejected(verifyFromCaller(new NodeTokenIssuer(caller, clock).issue("NTRFR-" + SELF)),
        Reason.REVOCATION_UNKNOWN, "stale since " + nextUpdate);
  }

  // ---- 6: signature -----------------------------------------------------------------------------

  @Test
  void signedByAnotherKey() throws Exception {
    String token = sign(header(caller).build(), claims(caller).build(), other.nodeKey());
    assertRejected(verifyFromCaller(token), Reason.TOKEN_SIGNATURE_INVALID,
        "does not verify with the key of the x5c certificate 'Caller' (NTRFR-" + CALLER + ")");
  }

  @Test
  void claimsAlteredAfterSigning() throws Exception {
    String[] parts = callerToken(c -> c).split("\\.");
    String altered = Base64URL.encode(claims(caller).audience("NTRFR-" + SELF).claim("extra", true).build().toString()
        .getBytes(StandardCharsets.UTF_8)).toString();
    assertRejected(verifyFromCaller(parts[0] + "." + altered + "." + parts[2]), Reason.TOKEN_SIGNATURE_INVALID);
  }

  // ---- 7: claims --------------------------------------------------------------------------------

  @Test
  void everyRequiredClaimIsRequired() throws Exception {
    for (String name : List.of("iss", "sub", "aud", "iat", "exp", "jti")) {
      String token = callerToken(c -> c.claim(name, null));
      assertRejected(verifyFromCaller(token), Reason.TOKEN_CLAIM_MISSING, "claim '" + name + "' is required");
    }
  }

  @Test
  void issuerOrSubjectOtherThanTheCertificate() throws Exception {
    assertRejected(verifyFromCaller(callerToken(c -> c.issuer("NTRFR-" + OTHER))), Reason.TOKEN_ISSUER_MISMATCH,
        "expected iss 'NTRFR-" + CALLER + "' (the participant of the x5c certificate), got 'NTRFR-" + OTHER + "'");
    assertRejected(verifyFromCaller(callerToken(c -> c.subject("NTRFR-" + OTHER))), Reason.TOKEN_ISSUER_MISMATCH,
        "expected sub 'NTRFR-" + CALLER + "'");
  }

  @Test
  void wrongAudience() throws Exception {
    assertRejected(verifyFromCaller(callerToken(c -> c.audience("NTRFR-" + OTHER))), Reason.TOKEN_AUDIENCE_MISMATCH,
        "expected aud 'NTRFR-" + SELF + "' (this node), got [NTRFR-" + OTHER + "]");
    assertRejected(verifyFromCaller(callerToken(c -> c.audience(List.of("NTRFR-" + SELF, "NTRFR-" + OTHER)))),
        Reason.TOKEN_AUDIENCE_MISMATCH, "got [NTRFR-" + SELF + ", NTRFR-" + OTHER + "]");
  }

  @Test
  void expiredToken() throws Exception {
    String token = callerToken(c -> c);
    clock.advance(Duration.ofSeconds(91));
    assertRejected(verifyFromCaller(token), Reason.TOKEN_EXPIRED, "the token expired at", "skew 30 s");
  }

  @Test
  void tokenFromTheFuture() throws Exception {
    Instant later = clock.instant().plusSeconds(31).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    assertRejected(verifyFromCaller(callerToken(c -> c.issueTime(Date.from(later))
        .expirationTime(Date.from(later.plusSeconds(60))))), Reason.TOKEN_NOT_YET_VALID, "iat " + later);
    assertRejected(verifyFromCaller(callerToken(c -> c.notBeforeTime(Date.from(later)))), Reason.TOKEN_NOT_YET_VALID,
        "nbf " + later);
  }

  @Test
  void lifetimeLongerThanFiveMinutesOrNotPositive() throws Exception {
    Instant iat = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    assertRejected(verifyFromCaller(callerToken(c -> c.expirationTime(Date.from(iat.plusSeconds(301))))),
        Reason.TOKEN_LIFETIME_INVALID, "at most 300 s, got 301 s");
    assertThat(verifyFromCaller(callerToken(c -> c.expirationTime(Date.from(iat.plusSeconds(300))))))
        .isInstanceOf(Verification.Verified.class);
    assertRejected(verifyFromCaller(callerToken(c -> c.expirationTime(Date.from(iat)))), Reason.TOKEN_LIFETIME_INVALID,
        "got 0 s");
  }

  // ---- 8-9: replay, binding ----------------------------------------------------------------------

  @Test
  void replayedJti() throws Exception {
    String token = callerToken(c -> c);
    assertThat(verifyFromCaller(token)).isInstanceOf(Verification.Verified.class);
    assertRejected(verifyFromCaller(token), Reason.TOKEN_REPLAYED, "of NTRFR-" + CALLER + " was already used");
    // Same jti from another issuer: ids are scoped by issuer.
    String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
    String others = sign(header(other).build(), claims(other).jwtID(jti).build(), other.nodeKey());
    assertThat(verifier.verify(others, other.nodeCertificate())).isInstanceOf(Verification.Verified.class);
  }

  @Test
  void fullReplayCacheRefusesRatherThanForgets() throws Exception {
    NodeTokenVerifier small = new NodeTokenVerifier(self.participant().id(), federation, new ReplayCache(1, clock),
        clock);
    assertThat(small.verify(callerToken(c -> c), caller.nodeCertificate())).isInstanceOf(Verification.Verified.class);
    assertRejected(small.verify(callerToken(c -> c), caller.nodeCertificate()), Reason.REPLAY_CACHE_FULL,
        "holds 1 unexpired token ids");
    clock.advance(NodeTokenIssuer.LIFETIME.plus(NodeTokenVerifier.SKEW).plusSeconds(1));
    assertThat(small.verify(callerToken(c -> c), caller.nodeCertificate())).isInstanceOf(Verification.Verified.class);
  }

  @Test
  void aMemberFloodingValidCallsFillsOnlyItsOwnShare() throws Exception {
    NodeTokenVerifier shared = new NodeTokenVerifier(self.participant().id(), federation, new ReplayCache(10, 3, clock),
        clock);
    for (int i = 0; i < 3; i++) {
      assertThat(shared.verify(callerToken(c -> c), caller.nodeCertificate())).isInstanceOf(Verification.Verified.class);
    }
    assertRejected(shared.verify(callerToken(c -> c), caller.nodeCertificate()), Reason.REPLAY_CACHE_FULL,
        "NTRFR-" + CALLER + " has 3 unexpired token ids on this node, its share");
    // Another member is not locked out by the first one's flood.
    String others = sign(header(other).build(), claims(other).build(), other.nodeKey());
    assertThat(shared.verify(others, other.nodeCertificate())).isInstanceOf(Verification.Verified.class);
    clock.advance(NodeTokenIssuer.LIFETIME.plus(NodeTokenVerifier.SKEW).plusSeconds(1));
    assertThat(shared.verify(callerToken(c -> c), caller.nodeCertificate())).isInstanceOf(Verification.Verified.class);
  }

  @Test
  void x5cOtherThanTheTlsCertificate() throws Exception {
    // A valid token of the caller, carried by a connection that the other member opened.
    assertRejected(verifier.verify(callerToken(c -> c), other.nodeCertificate()), Reason.TLS_CERTIFICATE_MISMATCH,
        "is not the TLS client certificate", "'CN=Other");
    assertRejected(verifier.verify(callerToken(c -> c), null), Reason.MISSING_CERTIFICATE, "no TLS client certificate");
  }
}
