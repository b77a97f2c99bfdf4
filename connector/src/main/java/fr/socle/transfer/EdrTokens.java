package fr.socle.transfer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import fr.socle.protocol.Dsp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/**
 * The endpoint data reference's access token: a short-lived JWS that the provider node signs with its
 * own key and alone verifies, bound to one transfer, its agreement and its consumer.
 *
 * <p>Claims: {@code iss} and {@code aud} are the provider (the token goes back to whoever signed it),
 * {@code sub} the consumer, {@code agreement} and {@code transfer} (the provider's process id) the
 * binding, {@code sid} the start it belongs to, {@code iat}/{@code exp} its life, {@code jti} a random
 * id. Each start or resume of a transfer draws a new {@code sid}, of which the transfer row keeps only
 * a hash: tokens of an earlier start stop working at once, even before they expire, and a copy of
 * the database grants nothing. A refresh keeps the {@code sid} and extends {@code exp}.
 *
 * <p>The signature proves only that this node issued the token; whether data may flow is decided per
 * request by the transfer's state (STARTED) and the policy engine's {@code access} decision.
 *
 * <p>Verification runs ordered checks, each with its own {@link Reason}: structure, {@code typ}
 * (explicit typing, RFC 8725 §3.11, so a node token or an agreement signed by the same key never
 * passes), {@code alg} before the key is used, signature, time claims, then the binding. Immutable and
 * thread-safe.
 */
public final class EdrTokens {

  static final String TYPE_NAME = "socle-edr+jwt";
  private static final JOSEObjectType TYPE = new JOSEObjectType(TYPE_NAME);
  /** Tolerated on {@code iat} only, for a clock stepped back since the token was issued. */
  static final Duration SKEW = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Why a token was refused; {@code code} is the stable snake_case name sent to the consumer. */
  public enum Reason {
    /** No token in {@code Authorization}. */
    TOKEN_MISSING(false),
    /** Not a compact JWS with a JSON claims set. */
    TOKEN_MALFORMED(false),
    /** {@code typ} is not {@value EdrTokens#TYPE_NAME}. */
    TOKEN_TYPE_INVALID(false),
    /** {@code alg} is not ES256. */
    ALGORITHM_NOT_ALLOWED(false),
    /** The signature is not this node's. */
    SIGNATURE_INVALID(false),
    /** A required claim is absent. */
    CLAIM_MISSING(false),
    /** {@code exp} has passed. */
    TOKEN_EXPIRED(false),
    /** {@code iat} lies in the future (beyond the skew). */
    TOKEN_NOT_YET_VALID(false),
    /** The token was issued for another transfer process. */
    WRONG_TRANSFER(true),
    /** The token was issued under another agreement than the transfer's. */
    WRONG_AGREEMENT(true),
    /** The token was issued to another participant than the caller. */
    WRONG_CONSUMER(true),
    /** The transfer was started again since (resume): this token's start is over. */
    TOKEN_SUPERSEDED(false);

    private final boolean misused;

    Reason(boolean misused) {
      this.misused = misused;
    }

    /** Whether a valid token is used where it does not belong, rather than the token not being acceptable. */
    public boolean misused() {
      return misused;
    }

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The outcome of a check. */
  public sealed interface Check permits Valid, Rejected {
  }

  /** A token that passed every check. */
  public record Valid(String consumer, String agreement, String transfer, String sid, Instant expires)
      implements Check {
  }

  /** A refused token: the reason and what was expected and found. */
  public record Rejected(Reason reason, String detail) implements Check {
  }

  /** How a check treats {@code exp}: requests need a live token; a refresh accepts an expired one. */
  public enum Expiry {
    /** The token must not have expired. */
    ENFORCED,
    /** An expired token is accepted (its start must still be the transfer's current one). */
    IGNORED
  }

  private final String provider;
  private final ECDSASigner signer;
  private final ECDSAVerifier verifier;
  private final Duration lifetime;
  private final Clock clock;

  /**
   * @param provider  this node's participant id
   * @param key       this node's private key (EC P-256)
   * @param publicKey its public half, from the node certificate
   * @param lifetime  how long a token lives; the consumer refreshes it when it runs out
   */
  public EdrTokens(String provider, PrivateKey key, ECPublicKey publicKey, Duration lifetime, Clock clock) {
    if (!Curve.P_256.equals(Curve.forECParameterSpec(publicKey.getParams()))) {
      throw new IllegalArgumentException("access tokens are signed ES256, which needs an EC P-256 node key");
    }
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("the access token lifetime must be positive, got " + lifetime);
    }
    try {
      this.signer = new ECDSASigner(key, Curve.P_256);
      this.verifier = new ECDSAVerifier(publicKey);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("the node key cannot sign ES256 access tokens: " + e.getMessage(), e);
    }
    this.provider = provider;
    this.lifetime = lifetime;
    this.clock = clock;
  }

  /** A fresh start id for {@link #issue}; the transfer row keeps its {@link AccessTokens#hash}. */
  public static String newStart() {
    return AccessTokens.generate();
  }

  /** A token for transfer {@code t} (a provider's row) in the start {@code sid}. */
  public String issue(Transfer t, String sid) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(provider).audience(provider)
        .subject(t.counterPartyId()).claim("agreement", t.agreementId()).claim("transfer", t.id())
        .claim("sid", sid).issueTime(Date.from(now)).expirationTime(Date.from(now.plus(lifetime)))
        .jwtID(Base64URL.encode(id).toString()).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(TYPE).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing an access token failed: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /**
   * Checks {@code token} presented by {@code caller} (authenticated by mTLS and its node token) for
   * the transfer {@code t}, this provider's row for the path's process id.
   */
  public Check verify(String token, String caller, Transfer t, Expiry expiry) {
    if (token == null || token.isBlank()) {
      return new Rejected(Reason.TOKEN_MISSING, "an access token is required in Authorization (Bearer)");
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return new Rejected(Reason.TOKEN_MALFORMED, "the access token is not a signed JWT: " + e.getMessage());
    }
    if (!TYPE.equals(jwt.getHeader().getType())) {
      return new Rejected(Reason.TOKEN_TYPE_INVALID, "expected typ '" + TYPE_NAME + "', got "
          + jwt.getHeader().getType());
    }
    if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
      return new Rejected(Reason.ALGORITHM_NOT_ALLOWED, "expected alg ES256, got " + jwt.getHeader().getAlgorithm());
    }
    try {
      if (!jwt.verify(verifier)) {
        return new Rejected(Reason.SIGNATURE_INVALID, "the access token is not signed by this node (" + provider + ")");
      }
    } catch (JOSEException e) {
      return new Rejected(Reason.SIGNATURE_INVALID, "the access token's signature cannot be checked: "
          + e.getMessage());
    }
    String agreement;
    String transfer;
    String sid;
    try {
      agreement = claims.getStringClaim("agreement");
      transfer = claims.getStringClaim("transfer");
      sid = claims.getStringClaim("sid");
    } catch (ParseException e) {
      return new Rejected(Reason.TOKEN_MALFORMED, "a binding claim is not a string: " + e.getMessage());
    }
    Date issued = claims.getIssueTime();
    Date expires = claims.getExpirationTime();
    String absent = firstMissing(new String[] {"sub", "agreement", "transfer", "sid", "iat", "exp"},
        claims.getSubject(), agreement, transfer, sid, issued, expires);
    if (absent != null) {
      return new Rejected(Reason.CLAIM_MISSING, "the access token has no '" + absent + "' claim");
    }
    if (!provider.equals(claims.getIssuer()) || !claims.getAudience().equals(List.of(provider))) {
      // Same key, other role: only this node's own data-plane tokens name it as issuer and audience.
      return new Rejected(Reason.TOKEN_TYPE_INVALID, "expected iss and aud " + provider + ", got iss "
          + claims.getIssuer() + " and aud " + claims.getAudience());
    }
    Instant now = clock.instant();
    if (issued.toInstant().isAfter(now.plus(SKEW))) {
      return new Rejected(Reason.TOKEN_NOT_YET_VALID, "the access token is issued at " + issued.toInstant()
          + ", after now (" + now + ")");
    }
    // No skew on exp: this node both set it and reads it, on the same clock.
    if (expiry == Expiry.ENFORCED && !now.isBefore(expires.toInstant())) {
      return new Rejected(Reason.TOKEN_EXPIRED, "the access token expired at " + expires.toInstant() + " (now "
          + now + "); refresh it");
    }
    if (!transfer.equals(t.id())) {
      return new Rejected(Reason.WRONG_TRANSFER, "the access token is for transfer " + transfer + ", not " + t.id());
    }
    if (!agreement.equals(t.agreementId())) {
      return new Rejected(Reason.WRONG_AGREEMENT, "the access token is under agreement " + agreement
          + ", the transfer under " + t.agreementId());
    }
    if (!claims.getSubject().equals(caller) || !caller.equals(t.counterPartyId())) {
      return new Rejected(Reason.WRONG_CONSUMER, "the access token was issued to " + claims.getSubject()
          + ", the caller is " + caller);
    }
    if (!AccessTokens.matches(sid, t.tokenHash())) {
      return new Rejected(Reason.TOKEN_SUPERSEDED, "the transfer was started again since this access token was"
          + " issued; use the data address of its latest start");
    }
    return new Valid(caller, agreement, transfer, sid, expires.toInstant());
  }

  private static String firstMissing(String[] names, Object... values) {
    for (int i = 0; i < names.length; i++) {
      if (values[i] == null) {
        return names[i];
      }
    }
    return null;
  }

  /** The data address a consumer receives: where to pull from and the bearer token to send. */
  public static JsonObject dataAddress(String endpoint, String token) {
    return new JsonObject().put("@type", "DataAddress").put("endpointType", Dsp.HTTP_ENDPOINT_TYPE)
        .put("endpoint", endpoint)
        .put("endpointProperties", new JsonArray()
            .add(new JsonObject().put("@type", "EndpointProperty").put("name", "authorization").put("value", token))
            .add(new JsonObject().put("@type", "EndpointProperty").put("name", "authType").put("value", "bearer")));
  }
}
