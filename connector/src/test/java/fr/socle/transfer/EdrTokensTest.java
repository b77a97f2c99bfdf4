package fr.socle.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import fr.socle.process.Role;
import fr.socle.testing.MutableClock;
import fr.socle.transfer.EdrTokens.Expiry;
import fr.socle.transfer.EdrTokens.Reason;
import fr.socle.transfer.EdrTokens.Rejected;
import fr.socle.transfer.EdrTokens.Valid;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

/** The checks of the data plane's signed access tokens, each refusal with its own reason and message. */
class EdrTokensTest {

  private static final String PROVIDER = "NTRFR-239900038";
  private static final String CONSUMER = "NTRFR-219900016";
  private static final String OTHER = "NTRFR-200046977";
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final KeyPair key = ecKey();
  private final EdrTokens tokens = new EdrTokens(PROVIDER, key.getPrivate(), (ECPublicKey) key.getPublic(),
      Duration.ofMinutes(5), clock);
  private final String sid = EdrTokens.newStart();
  private final Transfer transfer = transfer("tp-1", "agr-1", sid);

  private static KeyPair ecKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Transfer transfer(String id, String agreement, String sid) {
    return new Transfer(id, Role.PROVIDER, TransferState.STARTED, CONSUMER, "cp-1", "https://consumer", agreement,
        "HttpData-PULL", null, AccessTokens.hash(sid), null, T0, T0);
  }

  private Rejected rejected(String token, String caller, Transfer t) {
    EdrTokens.Check check = tokens.verify(token, caller, t, Expiry.ENFORCED);
    assertThat(check).isInstanceOf(Rejected.class);
    return (Rejected) check;
  }

  @Test
  void aTokenIsValidForItsTransferAgreementAndConsumerUntilItExpires() {
    String token = tokens.issue(transfer, sid);
    clock.advance(Duration.ofMinutes(5).minusSeconds(1));
    EdrTokens.Check check = tokens.verify(token, CONSUMER, transfer, Expiry.ENFORCED);
    assertThat(check).isInstanceOf(Valid.class);
    assertThat(((Valid) check).expires()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    assertThat(((Valid) check).sid()).isEqualTo(sid);
  }

  @Test
  void anExpiredTokenIsRefusedForDataButAcceptedForARefresh() {
    String token = tokens.issue(transfer, sid);
    clock.advance(Duration.ofMinutes(5));
    Rejected r = rejected(token, CONSUMER, transfer);
    assertThat(r.reason()).isEqualTo(Reason.TOKEN_EXPIRED);
    assertThat(r.reason().misused()).isFalse();
    assertThat(r.detail()).contains("expired at 2026-03-01T10:05:00Z").contains("now 2026-03-01T10:05:00Z");
    assertThat(tokens.verify(token, CONSUMER, transfer, Expiry.IGNORED)).isInstanceOf(Valid.class);
  }

  @Test
  void aTokenSignedByAnotherKeyIsForged() {
    EdrTokens other = new EdrTokens(PROVIDER, ecKey().getPrivate(), (ECPublicKey) ecKey().getPublic(),
        Duration.ofMinutes(5), clock);
    Rejected r = rejected(other.issue(transfer, sid), CONSUMER, transfer);
    assertThat(r.reason()).isEqualTo(Reason.SIGNATURE_INVALID);
    assertThat(r.detail()).contains(PROVIDER);
    // Forged also when only the payload is swapped under a genuine signature.
    String genuine = tokens.issue(transfer, sid);
    String[] parts = genuine.split("\\.");
    String swapped = parts[0] + "." + tokens.issue(transfer("tp-2", "agr-1", sid), sid).split("\\.")[1] + "."
        + parts[2];
    assertThat(rejected(swapped, CONSUMER, transfer).reason()).isEqualTo(Reason.SIGNATURE_INVALID);
  }

  @Test
  void aTokenOfAnotherTransferOrAgreementIsForbidden() {
    Rejected r = rejected(tokens.issue(transfer("tp-2", "agr-2", sid), sid), CONSUMER, transfer);
    assertThat(r.reason()).isEqualTo(Reason.WRONG_TRANSFER);
    assertThat(r.reason().misused()).isTrue();
    assertThat(r.detail()).isEqualTo("the access token is for transfer tp-2, not tp-1");
    Rejected agreement = rejected(tokens.issue(transfer("tp-1", "agr-2", sid), sid), CONSUMER, transfer);
    assertThat(agreement.reason()).isEqualTo(Reason.WRONG_AGREEMENT);
    assertThat(agreement.detail()).isEqualTo("the access token is under agreement agr-2, the transfer under agr-1");
  }

  @Test
  void aTokenUsedByAnotherParticipantIsForbidden() {
    Rejected r = rejected(tokens.issue(transfer, sid), OTHER, transfer);
    assertThat(r.reason()).isEqualTo(Reason.WRONG_CONSUMER);
    assertThat(r.detail()).isEqualTo("the access token was issued to " + CONSUMER + ", the caller is " + OTHER);
  }

  @Test
  void aTokenOfAnEarlierStartIsSuperseded() {
    String token = tokens.issue(transfer, sid);
    Transfer resumed = transfer("tp-1", "agr-1", EdrTokens.newStart());
    Rejected r = rejected(token, CONSUMER, resumed);
    assertThat(r.reason()).isEqualTo(Reason.TOKEN_SUPERSEDED);
    // Expired or not, a superseded token gets no refresh either.
    assertThat(tokens.verify(token, CONSUMER, resumed, Expiry.IGNORED)).isInstanceOf(Rejected.class);
  }

  @Test
  void missingMalformedAndMistypedTokensAreRefusedWithTheirOwnReason() throws Exception {
    assertThat(rejected(null, CONSUMER, transfer).reason()).isEqualTo(Reason.TOKEN_MISSING);
    assertThat(rejected("forged", CONSUMER, transfer).reason()).isEqualTo(Reason.TOKEN_MALFORMED);
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(PROVIDER).audience(PROVIDER).subject(CONSUMER)
        .claim("agreement", "agr-1").claim("transfer", "tp-1").claim("sid", sid).issueTime(Date.from(T0))
        .expirationTime(Date.from(T0.plusSeconds(60))).build();
    // Signed by the same node key, but a node token (another typ): never an access token.
    SignedJWT nodeToken = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
        .type(new JOSEObjectType("socle-node+jwt")).build(), claims);
    nodeToken.sign(new ECDSASigner(key.getPrivate(), Curve.P_256));
    Rejected typ = rejected(nodeToken.serialize(), CONSUMER, transfer);
    assertThat(typ.reason()).isEqualTo(Reason.TOKEN_TYPE_INVALID);
    assertThat(typ.detail()).isEqualTo("expected typ 'socle-edr+jwt', got socle-node+jwt");
    SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
        .type(new JOSEObjectType(EdrTokens.TYPE_NAME)).build(), claims);
    hmac.sign(new MACSigner(new byte[32]));
    Rejected alg = rejected(hmac.serialize(), CONSUMER, transfer);
    assertThat(alg.reason()).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
    assertThat(alg.detail()).isEqualTo("expected alg ES256, got HS256");
    SignedJWT noSid = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
        .type(new JOSEObjectType(EdrTokens.TYPE_NAME)).build(),
        new JWTClaimsSet.Builder(claims).claim("sid", null).build());
    noSid.sign(new ECDSASigner(key.getPrivate(), Curve.P_256));
    Rejected missing = rejected(noSid.serialize(), CONSUMER, transfer);
    assertThat(missing.reason()).isEqualTo(Reason.CLAIM_MISSING);
    assertThat(missing.detail()).isEqualTo("the access token has no 'sid' claim");
  }
}
