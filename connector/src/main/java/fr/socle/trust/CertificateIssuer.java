package fr.socle.trust;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds and signs the four kinds of certificate of a federation. Profile (RFC 5280):
 *
 * <ul>
 *   <li>all: EC P-256 keys, ECDSA with SHA-256, random 128-bit serial (unpredictable serials are what
 *       defeated chosen-prefix collision forgeries), subject and authority key identifiers;</li>
 *   <li>root CA: self-signed, CA with no path length limit, keyCertSign and cRLSign;</li>
 *   <li>issuing CA: CA with pathLen 0, so a node certificate can never act as a CA;</li>
 *   <li>policy signer: end entity certified by the root, digitalSignature only;</li>
 *   <li>node: end entity with organizationIdentifier, SAN, digitalSignature (all that TLS 1.3 with ECDSA
 *       needs: the key signs the handshake, key agreement uses ephemeral ECDHE keys), and
 *       serverAuth plus clientAuth because a node is both sides of mTLS.</li>
 * </ul>
 *
 * <p>Critical flags follow RFC 5280 §4.2.1.3 and §4.2.1.9: keyUsage and basicConstraints critical,
 * extendedKeyUsage not, so that software which does not understand it still validates the chain.
 */
final class CertificateIssuer {

    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    static final String CURVE = "secp256r1";

    private final SecureRandom random;

    CertificateIssuer(SecureRandom random) {
        this.random = random;
    }

    KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available in this JDK", e);
        }
    }

    /** {@code CN=<cn>, O=<organization>, C=FR} in reading order; encoded most general first. */
    static X500Name caName(String commonName, String organization) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "FR")
                .addRDN(BCStyle.O, organization)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    /** {@code CN=<name>, O=<name>, organizationIdentifier=NTRFR-<SIREN>, C=FR} in reading order. */
    static X500Name nodeName(String name, ParticipantId participant) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "FR")
                .addRDN(BCStyle.ORGANIZATION_IDENTIFIER, participant.value())
                .addRDN(BCStyle.O, name)
                .addRDN(BCStyle.CN, name)
                .build();
    }

    X509Certificate rootCa(X500Name subject, KeyPair keys, Instant notBefore, Instant notAfter) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(subject, subject, keys.getPublic(), notBefore, notAfter)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(keys.getPublic()));
            return sign(builder, keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build root CA certificate", e);
        }
    }

    X509Certificate issuingCa(X500Name subject, PublicKey key, X509Certificate root, PrivateKey rootKey,
                              Instant notBefore, Instant notAfter) {
        try {
            X509v3CertificateBuilder builder = issuedBy(root, subject, key, notBefore, notAfter)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return sign(builder, rootKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build issuing CA certificate", e);
        }
    }

    X509Certificate policySigner(X500Name subject, PublicKey key, X509Certificate root, PrivateKey rootKey,
                                 Instant notBefore, Instant notAfter) {
        try {
            X509v3CertificateBuilder builder = issuedBy(root, subject, key, notBefore, notAfter)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            return sign(builder, rootKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build policy-signing certificate", e);
        }
    }

    X509Certificate node(X500Name subject, PublicKey key, List<String> dnsNames, List<String> ipAddresses,
                         X509Certificate issuingCa, PrivateKey issuingKey, Instant notBefore, Instant notAfter) {
        GeneralName[] altNames = new GeneralName[dnsNames.size() + ipAddresses.size()];
        int i = 0;
        for (String dns : dnsNames) {
            altNames[i++] = new GeneralName(GeneralName.dNSName, dns);
        }
        for (String ip : ipAddresses) {
            altNames[i++] = new GeneralName(GeneralName.iPAddress, ip);
        }
        try {
            X509v3CertificateBuilder builder = issuedBy(issuingCa, subject, key, notBefore, notAfter)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames));
            return sign(builder, issuingKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build node certificate", e);
        }
    }

    /** A positive serial of 128 random bits; zero is excluded because RFC 5280 requires positive. */
    BigInteger serial() {
        BigInteger serial;
        do {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            serial = new BigInteger(1, bytes);
        } while (serial.signum() == 0);
        return serial;
    }

    private X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key,
                                             Instant notBefore, Instant notAfter) {
        return new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(notBefore), Date.from(notAfter), subject, key);
    }

    private X509v3CertificateBuilder issuedBy(X509Certificate issuer, X500Name subject, PublicKey key,
                                              Instant notBefore, Instant notAfter)
            throws GeneralSecurityException, CertIOException {
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        return builder(SubjectNames.subject(issuer), subject, key, notBefore, notAfter)
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key))
                // Key id only: naming the issuer's serial too would tie every certificate to one
                // issuer certificate and break chains when a CA certificate is renewed with the same key.
                .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer.getPublicKey()));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer(key)));
    }

    static ContentSigner signer(PrivateKey key) {
        try {
            return new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign with " + SIGNATURE_ALGORITHM, e);
        }
    }
}
