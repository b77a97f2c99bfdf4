package fr.socle.trust;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Decides whether a node token (the JWT a partner puts on each protocol call, see
 * {@link NodeTokenIssuer}) authenticates the partner at the other end of a TLS connection.
 *
 * <p>Threat: TLS client authentication alone says who opened the connection, once; the token says who
 * sends this request, to whom, now. It closes three gaps: a connection that outlives a revocation (the
 * chain is checked here against the CRL in force at each request), a request forwarded or replayed by
 * another member (the audience, the single-use {@code jti} and the binding to the TLS certificate),
 * and a request kept for later (a lifetime of at most five minutes).
 *
 * <p>{@link #verify} runs these checks in this order and stops at the first failure, each with its
 * own {@link Reason}:
 * <ol>
 *   <li>a token is present ({@code token_missing});</li>
 *   <li>the JWS, by {@link SignedJws} with {@code typ} {@value #TYPE_NAME}: structure
 *       ({@code token_malformed}), type ({@code token_type_invalid}), alg ES256 and a signature
 *       ({@code token_algorithm_not_allowed}), no critical header ({@code token_malformed}), x5c
 *       ({@code token_x5c_missing}), the leaf belongs to the federation now: issuing CA, validity,
 *       revocation against the CRL in force, node usage, participant id with a valid SIREN
 *       ({@link FederationVerifier}'s reasons), then the signature ({@code token_signature_invalid});</li>
 *   <li>claims: iss, sub, aud, iat, exp, jti present ({@code token_claim_missing}); iss and sub are the
 *       leaf's participant ({@code token_issuer_mismatch}); aud is exactly this node
 *       ({@code token_audience_mismatch}); exp not passed, iat and nbf not in the future, each with
 *       {@link #SKEW} ({@code token_expired}, {@code token_not_yet_valid}); exp after iat by at most
 *       {@link #MAX_LIFETIME} ({@code token_lifetime_invalid});</li>
 *   <li>jti not seen before from this issuer ({@code token_replayed}, {@code replay_cache_full});</li>
 *   <li>last, the binding: the leaf is the TLS client certificate of the connection
 *       ({@code missing_certificate}, {@code tls_certificate_mismatch}).</li>
 * </ol>
 * The {@code jti} is recorded at its check, so a token presented with the wrong TLS certificate is
 * burnt: it was stolen, and its owner has sent it already.
 *
 * <p>Immutable: the profile and this node's id are fixed at construction; the federation verifier is
 * read from {@link FederationTrust} at each call so that a reloaded CRL applies at once.
 */
public final class NodeTokenVerifier {

  static final String TYPE_NAME = "socle-node+jwt";
  /** The {@code typ} of node tokens. */
  public static final JOSEObjectType TYPE = new JOSEObjectType(TYPE_NAME);
  /** Clock difference tolerated between nodes, in both directions. */
  public static final Duration SKEW = Duration.ofSeconds(30);
  /** The longest a token may live, from iat to exp. */
  public static final Duration MAX_LIFETIME = Duration.ofSeconds(300);

  /** Checked in this order, so a token missing several is always refused for the same one. */
  private static final List<String> REQUIRED_CLAIMS = List.of("aud", "exp", "iat", "iss", "jti", "sub");

  private final String self;
  private final SignedJws jws;
  private final ReplayCache replays;
  private final Clock clock;

  /**
   * @param self       this node's participant id, the only accepted audience
   * @param federation the chain verifier in force
   * @param replays    where jti values are remembered; one per node, shared by all its endpoints
   */
  public NodeTokenVerifier(ParticipantId self, FederationTrust federation, ReplayCache replays, Clock clock) {
    this.self = self.value();
    this.jws = SignedJws.named("node token", TYPE_NAME, federation::verifier);
    this.replays = replays;
    this.clock = clock;
  }

  /**
   * Verifies {@code token} received over a connection whose TLS client certificate is
   * {@code tlsCertificate}.
   *
   * @param token          the compact JWS, without any {@code Bearer} prefix; null when absent
   * @param tlsCertificate the connection's client certificate (leaf); null when there is none
   */
  public Verification verify(String token, X509Certificate tlsCertificate) {
    if (token == null || token.isBlank()) {
      return reject(Reason.TOKEN_MISSING, "a node token is required (a JWT signed by the calling node)");
    }
    SignedJws.Outcome outcome = jws.verify(token);
    if (outcome instanceof SignedJws.Refused refused) {
      return refusal(refused);
    }
    return checkClaims((SignedJws.Signed) outcome, tlsCertificate);
  }

  /**
   * The one place where the pipeline's refusals become node-token codes, which partners and tests
   * know; a chain the federation refused keeps the federation's own reason, as for TLS.
   */
  private static Verification.Rejected refusal(SignedJws.Refused refused) {
    if (refused.chain() != null) {
      return refused.chain();
    }
    Reason reason = switch (refused.reason()) {
      case MALFORMED, INVALID_CLAIM -> Reason.TOKEN_MALFORMED;
      case WRONG_TYPE -> Reason.TOKEN_TYPE_INVALID;
      case UNSIGNED, ALG_NOT_ALLOWED -> Reason.TOKEN_ALGORITHM_NOT_ALLOWED;
      // Without a chain the federation could read (absent, or x5c that does not decode).
      case MISSING_X5C, UNTRUSTED_CHAIN -> Reason.TOKEN_X5C_MISSING;
      case BAD_SIGNATURE -> Reason.TOKEN_SIGNATURE_INVALID;
      case MISSING_CLAIM -> Reason.TOKEN_CLAIM_MISSING;
    };
    return reject(reason, refused.detail());
  }

  private Verification checkClaims(SignedJws.Signed signed, X509Certificate tlsCertificate) {
    JWTClaimsSet claims;
    try {
      claims = JWTClaimsSet.parse(signed.claims().getMap());
    } catch (ParseException e) {
      return reject(Reason.TOKEN_MALFORMED, "the token's claims do not parse: " + e.getMessage());
    }
    for (String name : REQUIRED_CLAIMS) {
      if (claims.getClaim(name) == null) {
        return reject(Reason.TOKEN_CLAIM_MISSING, "claim '" + name + "' is required, found claims "
            + claims.getClaims().keySet().stream().sorted().toList());
      }
    }
    X509Certificate leaf = signed.signer();
    String participant = signed.participant().id().value();
    Verification.Rejected claimProblem = checkIdentity(claims, participant);
    if (claimProblem == null) {
      claimProblem = checkTimes(claims);
    }
    if (claimProblem != null) {
      return claimProblem;
    }
    // Single use. Kept until the last instant the token could still pass the exp check.
    Instant forgetAfter = claims.getExpirationTime().toInstant().plus(SKEW);
    switch (replays.firstUse(participant, claims.getJWTID(), forgetAfter)) {
      case REPLAYED -> {
        return reject(Reason.TOKEN_REPLAYED, "jti '" + claims.getJWTID() + "' of " + participant + " was already used");
      }
      case FULL -> {
        return reject(Reason.REPLAY_CACHE_FULL, replays.size() >= replays.capacity()
            ? "this node holds " + replays.capacity() + " unexpired token ids and accepts no more until some expire"
            : participant + " has " + replays.perIssuer() + " unexpired token ids on this node, its share, and may"
                + " send no more calls until some expire");
      }
      case FIRST_USE -> {
        // accepted
      }
      default -> throw new IllegalStateException("unknown replay outcome");
    }
    // Binding to the connection.
    if (tlsCertificate == null) {
      return reject(Reason.MISSING_CERTIFICATE,
          "the connection carries no TLS client certificate to bind the token to");
    }
    if (!tlsCertificate.equals(leaf)) {
      return reject(Reason.TLS_CERTIFICATE_MISMATCH, "the token's x5c certificate (serial "
          + Serials.format(leaf.getSerialNumber()) + ", " + participant + ") is not the TLS client certificate (serial "
          + Serials.format(tlsCertificate.getSerialNumber()) + ", '"
          + SubjectNames.display(tlsCertificate.getSubjectX500Principal()) + "')");
    }
    return new Verification.Verified(signed.participant(), leaf);
  }

  private Verification.Rejected checkIdentity(JWTClaimsSet claims, String participant) {
    for (String name : List.of("iss", "sub")) {
      Object value = claims.getClaim(name);
      if (!participant.equals(value)) {
        return reject(Reason.TOKEN_ISSUER_MISMATCH, "expected " + name + " '" + participant
            + "' (the participant of the x5c certificate), got '" + value + "'");
      }
    }
    // Exactly one audience: a token naming several nodes could be replayed by each to the others,
    // since every node keeps its own replay cache.
    List<String> audience = claims.getAudience();
    if (audience.size() != 1 || !self.equals(audience.get(0))) {
      return reject(Reason.TOKEN_AUDIENCE_MISMATCH, "expected aud '" + self + "' (this node), got " + audience);
    }
    return null;
  }

  private Verification.Rejected checkTimes(JWTClaimsSet claims) {
    Instant now = clock.instant();
    Instant issuedAt;
    Instant expires;
    Date notBefore;
    try {
      issuedAt = claims.getIssueTime().toInstant();
      expires = claims.getExpirationTime().toInstant();
      notBefore = claims.getNotBeforeTime();
    } catch (RuntimeException e) {
      return reject(Reason.TOKEN_MALFORMED, "iat, exp and nbf must be numeric dates: " + e.getMessage());
    }
    if (now.isAfter(expires.plus(SKEW))) {
      return reject(Reason.TOKEN_EXPIRED, "the token expired at " + expires + " (now " + now + ", skew "
          + SKEW.toSeconds() + " s)");
    }
    if (issuedAt.isAfter(now.plus(SKEW))) {
      return reject(Reason.TOKEN_NOT_YET_VALID, "iat " + issuedAt + " is in the future (now " + now + ", skew "
          + SKEW.toSeconds() + " s)");
    }
    if (notBefore != null && notBefore.toInstant().isAfter(now.plus(SKEW))) {
      return reject(Reason.TOKEN_NOT_YET_VALID, "nbf " + notBefore.toInstant() + " is in the future (now " + now
          + ", skew " + SKEW.toSeconds() + " s)");
    }
    Duration lifetime = Duration.between(issuedAt, expires);
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      return reject(Reason.TOKEN_LIFETIME_INVALID, "exp must be after iat by at most " + MAX_LIFETIME.toSeconds()
          + " s, got " + lifetime.toSeconds() + " s (iat " + issuedAt + ", exp " + expires + ")");
    }
    return null;
  }

  private static Verification.Rejected reject(Reason reason, String detail) {
    return new Verification.Rejected(reason, detail);
  }
}
