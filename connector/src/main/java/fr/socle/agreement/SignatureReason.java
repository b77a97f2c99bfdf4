package fr.socle.agreement;

import java.util.Locale;

/**
 * Why an agreement signature was refused, in the order {@link AgreementVerifier} checks. The
 * {@link #code()} values appear in DSP errors, the management API and auditors' reports: add
 * constants, never rename them.
 */
public enum SignatureReason {
  /** The signature is not a compact JWS with a JSON header and payload. */
  MALFORMED,
  /** The {@code typ} header is not {@value AgreementSigner#TYPE}. */
  WRONG_TYPE,
  /** The {@code alg} header is {@code none} or the signature part is empty. */
  UNSIGNED,
  /** The {@code alg} header is not ES256. */
  ALG_NOT_ALLOWED,
  /** The {@code x5c} header is absent or empty. */
  MISSING_X5C,
  /** The {@code x5c} chain does not lead to the federation root, or its leaf is not a node certificate. */
  UNTRUSTED_CHAIN,
  /** The signature does not verify with the key of the {@code x5c} leaf. */
  BAD_SIGNATURE,
  /** A required claim is absent or of the wrong type. */
  INVALID_CLAIM,
  /** The signature is the other party's: a provider signature where the consumer's is expected, or back. */
  ROLE_MISMATCH,
  /** The signer's certificate is not the participant the agreement names for that role. */
  SIGNER_MISMATCH,
  /** The signature is for another agreement id. */
  AGREEMENT_ID_MISMATCH,
  /** The agreement was altered after signing: its canonical digest is not the signed one. */
  DIGEST_MISMATCH;

  /** The stable snake_case code, e.g. {@code digest_mismatch}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
