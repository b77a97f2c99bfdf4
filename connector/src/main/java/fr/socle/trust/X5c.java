package fr.socle.trust;

import com.nimbusds.jose.util.Base64;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** The {@code x5c} JWS header (RFC 7515 §4.1.6) every signature of this node carries. */
public final class X5c {

    private X5c() {
    }

    /** {@code chain}, leaf first, as standard (not URL-safe) base64 DER. */
    public static List<Base64> of(List<X509Certificate> chain) {
        List<Base64> encoded = new ArrayList<>(chain.size());
        for (X509Certificate certificate : chain) {
            try {
                encoded.add(Base64.encode(certificate.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal()
                        + " cannot be encoded", e);
            }
        }
        return List.copyOf(encoded);
    }
}
