package fr.socle.trust;

import java.security.cert.X509Certificate;

/** The outcome of {@link FederationVerifier#verify}: a refusal is an expected value, not an exception. */
public sealed interface Verification permits Verification.Verified, Verification.Rejected {

    /** The chain belongs to the federation; {@code participant} is what authorisation may use. */
    record Verified(Participant participant, X509Certificate certificate) implements Verification {
    }

    /** The chain was refused; {@code detail} says what was expected and what was found. */
    record Rejected(Reason reason, String detail) implements Verification {

        public TrustException toException() {
            return new TrustException(reason, detail);
        }
    }
}
