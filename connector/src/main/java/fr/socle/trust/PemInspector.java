package fr.socle.trust;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Renders the PEM files of a federation for people: what {@code socle certs inspect} prints. The text
 * is for reading, not parsing; scripts should read the PEM files with {@link PemFiles}.
 *
 * <p>Never decrypts keys and never prints key material: only algorithms, curves, public-key
 * fingerprints and file permissions, so its output can be pasted into a support request.
 */
public final class PemInspector {

    private static final Map<String, String> KEY_PURPOSES = Map.of(
            "1.3.6.1.5.5.7.3.1", "serverAuth", "1.3.6.1.5.5.7.3.2", "clientAuth",
            "1.3.6.1.5.5.7.3.3", "codeSigning", "1.3.6.1.5.5.7.3.4", "emailProtection",
            "1.3.6.1.5.5.7.3.8", "timeStamping", "1.3.6.1.5.5.7.3.9", "OCSPSigning");
    private static final String[] KEY_USAGES = {"digitalSignature", "nonRepudiation", "keyEncipherment",
        "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};

    private static final String PBES2 = "1.2.840.113549.1.5.13";

    private PemInspector() {
    }

    public static String describe(Path file) {
        return describe(file, Clock.systemUTC());
    }

    /** Describes every PEM block in {@code file}; validity statuses are judged at {@code clock}'s now. */
    public static String describe(Path file, Clock clock) {
        List<Object> objects = PemFiles.readObjects(file);
        if (objects.isEmpty()) {
            throw new TrustException(Reason.MALFORMED_PEM, "no PEM block in " + file);
        }
        StringBuilder out = new StringBuilder();
        int certificates = (int) objects.stream().filter(X509CertificateHolder.class::isInstance).count();
        int index = 0;
        for (Object object : objects) {
            if (object instanceof X509CertificateHolder holder) {
                index++;
                out.append("certificate").append(certificates > 1 ? " " + index + " of " + certificates : "").append('\n');
                certificate(out, toCertificate(holder), clock.instant());
            } else if (object instanceof X509CRLHolder holder) {
                crl(out, toCrl(holder), clock.instant());
            } else if (object instanceof PrivateKeyInfo info) {
                out.append("private key (PKCS#8, unencrypted)\n");
                line(out, "algorithm", algorithm(info.getPrivateKeyAlgorithm()));
                permissions(out, file);
            } else if (object instanceof PEMKeyPair pair) {
                out.append("private key (traditional OpenSSL format, unencrypted)\n");
                line(out, "algorithm", algorithm(pair.getPrivateKeyInfo().getPrivateKeyAlgorithm()));
                permissions(out, file);
            } else if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                out.append("private key (PKCS#8, encrypted)\n");
                String scheme = encrypted.getEncryptionAlgorithm().getAlgorithm().getId();
                line(out, "encryption", scheme.equals(PBES2) ? "PBES2" : scheme);
                permissions(out, file);
            } else if (object instanceof SubjectPublicKeyInfo info) {
                out.append("public key (SubjectPublicKeyInfo)\n");
                line(out, "algorithm", algorithm(info.getAlgorithm()));
                line(out, "SHA-256", fingerprint(encoded(info)));
            } else {
                out.append("unrecognised PEM block: ").append(PemFiles.describe(object)).append('\n');
            }
        }
        return out.toString();
    }

    private static void certificate(StringBuilder out, X509Certificate cert, Instant now) {
        line(out, "subject", SubjectNames.display(cert.getSubjectX500Principal()));
        line(out, "issuer", SubjectNames.display(cert.getIssuerX500Principal()));
        line(out, "serial", Serials.format(cert.getSerialNumber()));
        Instant notBefore = cert.getNotBefore().toInstant();
        Instant notAfter = cert.getNotAfter().toInstant();
        String status = now.isAfter(notAfter) ? "EXPIRED on " + notAfter
                : now.isBefore(notBefore) ? "NOT YET VALID until " + notBefore : "valid now";
        line(out, "validity", notBefore + " .. " + notAfter + " (" + status + ")");
        line(out, "public key", algorithm(SubjectPublicKeyInfo.getInstance(cert.getPublicKey().getEncoded()).getAlgorithm()));
        line(out, "signature", cert.getSigAlgName());
        int pathLen = cert.getBasicConstraints();
        line(out, "CA", pathLen < 0 ? "no" : pathLen == Integer.MAX_VALUE ? "yes" : "yes, pathLen " + pathLen);
        boolean[] usage = cert.getKeyUsage();
        if (usage != null) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < usage.length && i < KEY_USAGES.length; i++) {
                if (usage[i]) {
                    names.add(KEY_USAGES[i]);
                }
            }
            line(out, "key usage", String.join(", ", names));
        }
        try {
            List<String> purposes = cert.getExtendedKeyUsage();
            if (purposes != null) {
                line(out, "extended key usage",
                        String.join(", ", purposes.stream().map(p -> KEY_PURPOSES.getOrDefault(p, p)).toList()));
            }
            Collection<List<?>> altNames = cert.getSubjectAlternativeNames();
            if (altNames != null) {
                List<String> names = new ArrayList<>();
                for (List<?> altName : altNames) {
                    int type = (Integer) altName.get(0);
                    names.add((type == 2 ? "DNS:" : type == 7 ? "IP:" : "type" + type + ":") + altName.get(1));
                }
                line(out, "subject alt names", String.join(", ", names));
            }
        } catch (CertificateParsingException e) {
            line(out, "extensions", "unreadable: " + e.getMessage());
        }
        List<String> identifiers = SubjectNames.values(SubjectNames.subject(cert), BCStyle.ORGANIZATION_IDENTIFIER);
        if (!identifiers.isEmpty()) {
            line(out, "organizationIdentifier", String.join(", ", identifiers));
            try {
                line(out, "participant id", ParticipantId.fromCertificate(cert) + " (" + Participant.displayName(cert) + ")");
            } catch (TrustException e) {
                line(out, "participant id", "none: " + e.getMessage());
            }
        }
        try {
            line(out, "SHA-256", fingerprint(cert.getEncoded()));
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void crl(StringBuilder out, X509CRL crl, Instant now) {
        out.append("CRL\n");
        line(out, "issuer", SubjectNames.display(crl.getIssuerX500Principal()));
        line(out, "CRL number", Revocations.number(crl).toString());
        line(out, "this update", crl.getThisUpdate().toInstant().toString());
        if (crl.getNextUpdate() != null) {
            Instant next = crl.getNextUpdate().toInstant();
            line(out, "next update", next + (now.isAfter(next) ? " (STALE: publish a new CRL)" : ""));
        }
        List<Revocations.Entry> entries = Revocations.entries(crl);
        line(out, "revoked", Integer.toString(entries.size()));
        for (Revocations.Entry entry : entries) {
            out.append("    ").append(Serials.format(entry.serial())).append("  ").append(entry.revokedAt())
                    .append("  ").append(Revocations.rfcName(entry.reason())).append('\n');
        }
    }

    private static void permissions(StringBuilder out, Path file) {
        try {
            line(out, "permissions", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing meaningful to show
        }
    }

    private static String algorithm(AlgorithmIdentifier id) {
        ASN1ObjectIdentifier oid = id.getAlgorithm();
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey) && id.getParameters() instanceof ASN1ObjectIdentifier curve) {
            String name = NISTNamedCurves.getName(curve);
            if (name == null) {
                name = ECNamedCurveTable.getName(curve);
            }
            return "EC " + (name != null ? name : curve.getId());
        }
        if (oid.getId().equals("1.2.840.113549.1.1.1")) {
            return "RSA";
        }
        return oid.getId();
    }

    private static byte[] encoded(SubjectPublicKeyInfo info) {
        try {
            return info.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fingerprint(byte[] der) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append("  ").append(String.format("%-24s", label + ":")).append(value).append('\n');
    }

    private static X509Certificate toCertificate(X509CertificateHolder holder) {
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new TrustException(Reason.MALFORMED_PEM, "unreadable certificate: " + e.getMessage(), e);
        }
    }

    private static X509CRL toCrl(X509CRLHolder holder) {
        try {
            return new JcaX509CRLConverter().getCRL(holder);
        } catch (CRLException e) {
            throw new TrustException(Reason.MALFORMED_PEM, "unreadable CRL: " + e.getMessage(), e);
        }
    }
}
