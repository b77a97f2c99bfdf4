package fr.socle.trust;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;

/**
 * Signs the short-lived token a node puts on every call to a partner (see {@link NodeTokenVerifier}
 * for what the partner checks, and why).
 *
 * <p>Each token is for one callee ({@code aud}), lives {@link #LIFETIME}, and has a fresh random
 * {@code jti}: a token captured from one call is worthless against another node, after a minute, or
 * a second time. The {@code x5c} chain is the node certificate then the issuing CA, exactly what the
 * node presents in TLS, so the callee can bind the token to the connection.
 *
 * <p>Immutable and thread-safe. The signer is built once, in the constructor, so a node key that
 * cannot sign ES256 stops the node at startup instead of failing its first call.
 */
public final class NodeTokenIssuer {

  /** Covers a slow call and some clock difference; short, so replay caches stay small. */
  public static final Duration LIFETIME = Duration.ofSeconds(60);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String issuer;
  private final ECDSASigner signer;
  private final List<Base64> x5c;
  private final Clock clock;

  public NodeTokenIssuer(TrustMaterial material, Clock clock) {
    this.issuer = material.participant().id().value();
    this.clock = clock;
    X509Certificate leaf = material.nodeCertificate();
    if (!(leaf.getPublicKey() instanceof ECPublicKey key)
        || !Curve.P_256.equals(Curve.forECParameterSpec(key.getParams()))) {
      throw new TrustException(Reason.INVALID_ARGUMENT, "node tokens are signed ES256, which needs an EC P-256"
          + " node key; the node certificate has a " + leaf.getPublicKey().getAlgorithm() + " key");
    }
    try {
      this.signer = new ECDSASigner(material.nodeKey(), Curve.P_256);
    } catch (JOSEException e) {
      throw new TrustException(Reason.INVALID_ARGUMENT, "the node key cannot sign ES256 tokens: " + e.getMessage(), e);
    }
    this.x5c = X5c.of(material.nodeChain());
  }

  /** This node's participant id, the {@code iss} and {@code sub} of its tokens. */
  public String issuer() {
    return issuer;
  }

  /** A compact JWS for a call to {@code audience}, a participant id {@code NTRFR-<SIREN>}. */
  public String issue(String audience) {
    if (audience == null || audience.isBlank()) {
      // A token without a callee would be accepted by any partner that forgot to check aud.
      throw new IllegalArgumentException("a node token needs the callee's participant id");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(issuer)
        .audience(audience)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(LIFETIME)))
        .jwtID(Base64URL.encode(id).toString())
        .build();
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(NodeTokenVerifier.TYPE).x509CertChain(x5c)
        .build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      // The key and curve were checked in the constructor, so this is a JCA fault, not bad input.
      throw new IllegalStateException("signing a node token failed", e);
    }
    return jwt.serialize();
  }
}
