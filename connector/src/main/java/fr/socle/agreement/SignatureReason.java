package fr.socle.agreement;

import fr.socle.trust.ReasonCode;
import java.util.Locale;

/**
 * Why an agreement signature was refused once its JWS held: the agreement's own bindings, in the order
 * {@link AgreementVerifier} checks them. Refusals of the JWS itself ({@code malformed},
 * {@code untrusted_chain}...) and of its claims ({@code invalid_claim}) are
 * {@link fr.socle.trust.JwsReason}s. The {@link #code()} values appear in DSP errors, the management
 * API and auditors' reports: add constants, never rename them.
 */
public enum SignatureReason implements ReasonCode {
  /** The signature is the other party's: a provider signature where the consumer's is expected, or back. */
  ROLE_MISMATCH,
  /** The signer's certificate is not the participant the agreement names for that role. */
  SIGNER_MISMATCH,
  /** The signature is for another agreement id. */
  AGREEMENT_ID_MISMATCH,
  /** The agreement was altered after signing: its canonical digest is not the signed one. */
  DIGEST_MISMATCH;

  /** The stable snake_case code, e.g. {@code digest_mismatch}. */
  @Override
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
