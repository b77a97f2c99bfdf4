package fr.socle.trust;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Reads attributes out of X.509 distinguished names.
 *
 * <p>Works on the DER encoding through Bouncy Castle rather than on {@code X500Principal.getName()},
 * because the JDK renders organizationIdentifier as an escaped hex blob ({@code 2.5.4.97=#0c...}) and
 * string parsing of DNs is a classic source of confusion attacks (escaped commas, multi-valued RDNs).
 */
final class SubjectNames {

    private SubjectNames() {
    }

    static X500Name subject(X509Certificate certificate) {
        return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    }

    static X500Name issuer(X509Certificate certificate) {
        return X500Name.getInstance(certificate.getIssuerX500Principal().getEncoded());
    }

    /** Every value of {@code type}, including those inside multi-valued RDNs, in encoding order. */
    static List<String> values(X500Name name, ASN1ObjectIdentifier type) {
        List<String> values = new ArrayList<>();
        for (RDN rdn : name.getRDNs()) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                if (atv.getType().equals(type)) {
                    values.add(text(atv.getValue()));
                }
            }
        }
        return values;
    }

    /** The first value of {@code type}, or null. */
    static String first(X500Name name, ASN1ObjectIdentifier type) {
        List<String> values = values(name, type);
        return values.isEmpty() ? null : values.get(0);
    }

    /**
     * The DN in the usual reading order (most specific first, as RFC 4514 writes it) with readable
     * attribute names, e.g. {@code CN=X,O=X,organizationIdentifier=NTRFR-123456782,C=FR}.
     */
    static String display(X500Name name) {
        List<RDN> rdns = new ArrayList<>(List.of(name.getRDNs()));
        Collections.reverse(rdns);
        return new X500Name(BCStyle.INSTANCE, rdns.toArray(new RDN[0])).toString();
    }

    static String display(javax.security.auth.x500.X500Principal principal) {
        return display(X500Name.getInstance(principal.getEncoded()));
    }

    private static String text(ASN1Encodable value) {
        return value instanceof ASN1String s ? s.getString() : value.toString();
    }
}
