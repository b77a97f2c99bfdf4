package fr.socle.trust;

import java.util.Locale;

/**
 * Why {@link SignedJws} refused a compact JWS, in the order of its steps, then the two refusals that
 * callers' claim checks share. Agreement signatures and audit tree heads answer these codes; node
 * tokens answer their own {@code token_*} codes, mapped from these in {@link NodeTokenVerifier}.
 */
public enum JwsReason implements ReasonCode {
  /**
   * Not three base64url parts with a JSON object header naming an {@code alg} and a JSON object
   * payload; or a critical header parameter, since none is implemented (RFC 7515 §4.1.11).
   */
  MALFORMED,
  /** The {@code typ} header is not the one the caller expects. */
  WRONG_TYPE,
  /** The {@code alg} header is {@code none}, or the signature part is empty. */
  UNSIGNED,
  /** The {@code alg} header is not ES256 (HMAC and RSA included). */
  ALG_NOT_ALLOWED,
  /** The {@code x5c} header is absent or empty. */
  MISSING_X5C,
  /** The {@code x5c} chain does not decode, or the {@link FederationVerifier} refused it. */
  UNTRUSTED_CHAIN,
  /** The signature does not verify with the EC P-256 key of the {@code x5c} leaf. */
  BAD_SIGNATURE,
  /** A claim the caller requires is absent (checked once the signature holds). */
  MISSING_CLAIM,
  /** A claim is present but of the wrong type or format. */
  INVALID_CLAIM;

  @Override
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
