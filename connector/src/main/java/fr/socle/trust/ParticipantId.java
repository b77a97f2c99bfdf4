package fr.socle.trust;

import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The identity of a participant in a Socle federation: {@code NTRFR-<SIREN>}.
 *
 * <p>The same string is the organizationIdentifier (OID 2.5.4.97) of the participant's certificate, the
 * way eIDAS qualified seal certificates identify legal persons (ETSI EN 319 412-1 §5.1.4: "NTR" for a
 * national trade register, then the ISO 3166 country code). Deriving the id from the certificate, and
 * never from a claim the peer sends, is what binds data-space identities to the federation PKI.
 */
public record ParticipantId(Siren siren) {

    /** The organizationIdentifier prefix for identifiers from the French SIRENE register. */
    public static final String PREFIX = "NTRFR-";

    public ParticipantId {
        if (siren == null) {
            throw new TrustException(Reason.INVALID_SIREN, "SIREN is missing");
        }
    }

    public static ParticipantId of(String siren) {
        return new ParticipantId(Siren.parse(siren));
    }

    /** Parses {@code NTRFR-<SIREN>}, as found in an organizationIdentifier or a DSP message. */
    public static ParticipantId parse(String value) {
        if (value == null || !value.startsWith(PREFIX)) {
            throw new TrustException(Reason.UNSUPPORTED_IDENTIFIER_SCHEME,
                    "participant id must start with '" + PREFIX + "', got '" + value + "'");
        }
        return new ParticipantId(Siren.parse(value.substring(PREFIX.length())));
    }

    /**
     * Extracts the participant id from the certificate's subject organizationIdentifier. Refuses a
     * subject with zero or several such attributes: with several, which participant signed is ambiguous.
     */
    public static ParticipantId fromCertificate(X509Certificate certificate) {
        List<String> values = SubjectNames.values(SubjectNames.subject(certificate), BCStyle.ORGANIZATION_IDENTIFIER);
        String subject = SubjectNames.display(certificate.getSubjectX500Principal());
        if (values.isEmpty()) {
            throw new TrustException(Reason.MISSING_ORGANIZATION_IDENTIFIER,
                    "certificate '" + subject + "' has no organizationIdentifier (2.5.4.97) in its subject");
        }
        if (values.size() > 1) {
            throw new TrustException(Reason.MULTIPLE_ORGANIZATION_IDENTIFIERS,
                    "certificate '" + subject + "' has " + values.size() + " organizationIdentifier values, expected 1: "
                            + values);
        }
        String value = values.get(0);
        if (!value.startsWith(PREFIX)) {
            throw new TrustException(Reason.UNSUPPORTED_IDENTIFIER_SCHEME,
                    "organizationIdentifier of '" + subject + "' must start with '" + PREFIX + "', got '" + value + "'");
        }
        try {
            return new ParticipantId(Siren.parse(value.substring(PREFIX.length())));
        } catch (TrustException e) {
            throw new TrustException(Reason.INVALID_SIREN,
                    "organizationIdentifier of '" + subject + "': " + e.getMessage());
        }
    }

    /** {@code NTRFR-<SIREN>}. */
    public String value() {
        return PREFIX + siren.value();
    }

    @Override
    public String toString() {
        return value();
    }
}
