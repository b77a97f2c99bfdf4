package fr.socle.trust;

import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** Provisional participant id extraction; replaced by the federation PKI's version. */
public record ParticipantId(String value) {

  private static final String ORGANIZATION_IDENTIFIER = "2.5.4.97";

  public static ParticipantId fromCertificate(X509Certificate certificate) {
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName("RFC2253")).getRdns()) {
        if (rdn.getType().equalsIgnoreCase(ORGANIZATION_IDENTIFIER) || rdn.getType().equalsIgnoreCase("OID."
            + ORGANIZATION_IDENTIFIER)) {
          Object v = rdn.getValue();
          String s = v instanceof byte[] b ? decode(b) : v.toString();
          return new ParticipantId(s);
        }
      }
    } catch (InvalidNameException e) {
      throw new IllegalArgumentException(e);
    }
    throw new IllegalArgumentException("certificate has no organizationIdentifier");
  }

  private static String decode(byte[] der) {
    // DER string: tag, length, value (short form suffices for these identifiers).
    return new String(der, 2, der[1], java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return value;
  }
}
