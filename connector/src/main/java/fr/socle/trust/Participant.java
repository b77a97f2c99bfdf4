package fr.socle.trust;

import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * A participant as its certificate presents it: the id that authorises, and a name for people.
 *
 * @param id          from the subject's organizationIdentifier; the only field to base decisions on
 * @param displayName the subject's O, else its CN, else the whole DN; for logs and screens only
 */
public record Participant(ParticipantId id, String displayName) {

    public static Participant fromCertificate(X509Certificate certificate) {
        return new Participant(ParticipantId.fromCertificate(certificate), displayName(certificate));
    }

    /** The subject's O, else its CN, else the full subject DN. */
    public static String displayName(X509Certificate certificate) {
        X500Name subject = SubjectNames.subject(certificate);
        String organization = SubjectNames.first(subject, BCStyle.O);
        if (organization != null && !organization.isBlank()) {
            return organization;
        }
        String commonName = SubjectNames.first(subject, BCStyle.CN);
        if (commonName != null && !commonName.isBlank()) {
            return commonName;
        }
        return SubjectNames.display(subject);
    }
}
