package fr.socle.agreement;

import fr.socle.trust.ReasonCode;
import java.security.cert.X509Certificate;
import java.time.Instant;

/** The outcome of {@link AgreementVerifier#verify}: a refusal is an expected value, not an exception. */
public sealed interface SignatureCheck permits SignatureCheck.Valid, SignatureCheck.Invalid {

  /** The signature holds: {@code participant} signed the agreement as {@code role} at {@code signedAt}. */
  record Valid(AgreementSigner.Role role, String participant, X509Certificate certificate, Instant signedAt)
      implements SignatureCheck {
  }

  /**
   * The signature was refused, for a {@link fr.socle.trust.JwsReason} or a {@link SignatureReason};
   * {@code detail} says what was expected and what was found.
   */
  record Invalid(ReasonCode reason, String detail) implements SignatureCheck {

    /** One line, {@code code: detail}, for errors and reports. */
    public String summary() {
      return reason.code() + ": " + detail;
    }
  }
}
