package fr.socle.trust;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads and writes the PEM files of a federation: certificates, CRLs, public keys and PKCS#8 private
 * keys, plain or encrypted (PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC, readable by OpenSSL and OPA).
 *
 * <p>Every write goes to a temporary file in the target directory and is then moved over the target, so
 * a crash never leaves a half-written key or CRL where a node would load it. Private keys get owner-only
 * permissions from the moment the file exists (a permission attribute at creation, not a chmod
 * afterwards), which closes the window in which another local user could open it. On file systems
 * without POSIX permissions the files get the platform defaults.
 *
 * <p>Parsed objects are returned as JDK types from the default providers, so that JSSE and
 * {@code CertPathValidator} accept them; Bouncy Castle's provider is only used for the PBE ciphers.
 */
public final class PemFiles {

    /** OWASP's 2023 floor for PBKDF2-HMAC-SHA256; costs about a second once per node start. */
    static final int PBKDF2_ITERATIONS = 600_000;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();

    private PemFiles() {
    }

    // ---- reading -------------------------------------------------------------------------------

    /** Every certificate in the file, in file order; at least one. */
    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : readObjects(file)) {
            if (!(object instanceof X509CertificateHolder holder)) {
                throw malformed(file, "a CERTIFICATE block", describe(object));
            }
            try {
                certificates.add(converter.getCertificate(holder));
            } catch (CertificateException e) {
                throw new TrustException(Reason.MALFORMED_PEM, "unreadable certificate in " + file + ": " + e.getMessage(), e);
            }
        }
        if (certificates.isEmpty()) {
            throw malformed(file, "a CERTIFICATE block", "no PEM block");
        }
        return certificates;
    }

    /** The single certificate in the file. */
    public static X509Certificate readCertificate(Path file) {
        List<X509Certificate> certificates = readCertificates(file);
        if (certificates.size() != 1) {
            throw malformed(file, "exactly one CERTIFICATE block", certificates.size() + " certificates");
        }
        return certificates.get(0);
    }

    public static X509CRL readCrl(Path file) {
        List<Object> objects = readObjects(file);
        if (objects.size() != 1 || !(objects.get(0) instanceof X509CRLHolder holder)) {
            throw malformed(file, "one X509 CRL block", objects.isEmpty() ? "no PEM block" : describe(objects.get(0)));
        }
        try {
            return new JcaX509CRLConverter().getCRL(holder);
        } catch (CRLException e) {
            throw new TrustException(Reason.MALFORMED_PEM, "unreadable CRL in " + file + ": " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublicKey(Path file) {
        List<Object> objects = readObjects(file);
        if (objects.size() != 1 || !(objects.get(0) instanceof SubjectPublicKeyInfo info)) {
            throw malformed(file, "one PUBLIC KEY block", objects.isEmpty() ? "no PEM block" : describe(objects.get(0)));
        }
        try {
            return new JcaPEMKeyConverter().getPublicKey(info);
        } catch (IOException e) {
            throw new TrustException(Reason.MALFORMED_PEM, "unreadable public key in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a PKCS#8 private key, decrypting it when it is encrypted. {@code passphrase} may be null for
     * a plain key; it is ignored when the key turns out to be plain.
     */
    public static PrivateKey readPrivateKey(Path file, char[] passphrase) {
        List<Object> objects = readObjects(file);
        if (objects.size() != 1) {
            throw malformed(file, "one PRIVATE KEY block", objects.isEmpty() ? "no PEM block" : objects.size() + " PEM blocks");
        }
        Object object = objects.get(0);
        PrivateKeyInfo info;
        if (object instanceof PrivateKeyInfo plain) {
            info = plain;
        } else if (object instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo(); // "EC PRIVATE KEY" as written by `openssl ecparam -genkey`
        } else if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
            info = decrypt(file, encrypted, passphrase);
        } else {
            throw malformed(file, "a PRIVATE KEY or ENCRYPTED PRIVATE KEY block", describe(object));
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException e) {
            throw new TrustException(Reason.MALFORMED_PEM, "unreadable private key in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether the file holds an encrypted PKCS#8 key, i.e. needs a passphrase. */
    public static boolean isEncryptedKey(Path file) {
        List<Object> objects = readObjects(file);
        return objects.size() == 1 && objects.get(0) instanceof PKCS8EncryptedPrivateKeyInfo;
    }

    private static PrivateKeyInfo decrypt(Path file, PKCS8EncryptedPrivateKeyInfo encrypted, char[] passphrase) {
        if (passphrase == null || passphrase.length == 0) {
            throw new TrustException(Reason.PASSPHRASE_REQUIRED,
                    "private key " + file + " is encrypted and no passphrase was given");
        }
        try {
            return encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(passphrase));
        } catch (PKCSException | RuntimeException e) {
            // A wrong key usually breaks the CBC padding, and in the rare case it does not, the plaintext
            // fails to parse as PrivateKeyInfo: both mean the same thing to the operator.
            throw new TrustException(Reason.WRONG_PASSPHRASE,
                    "cannot decrypt private key " + file + ": wrong passphrase", e);
        } catch (OperatorCreationException e) {
            throw new TrustException(Reason.MALFORMED_PEM,
                    "unsupported encryption for private key " + file + ": " + e.getMessage(), e);
        }
    }

    /** All PEM objects in the file as Bouncy Castle parses them; for inspection. */
    static List<Object> readObjects(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1); // never fails to decode: PEMParser judges the content
        } catch (NoSuchFileException e) {
            throw new TrustException(Reason.MISSING_FILE, "missing file: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new TrustException(Reason.IO_ERROR, "cannot read " + file.toAbsolutePath() + ": " + e, e);
        }
        List<Object> objects = new ArrayList<>();
        try (Reader reader = new StringReader(text); PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new TrustException(Reason.MALFORMED_PEM, "malformed PEM in " + file + ": " + e.getMessage(), e);
        }
        return objects;
    }

    // ---- writing -------------------------------------------------------------------------------

    public static void writeCertificates(Path file, List<X509Certificate> certificates) {
        writeAtomically(file, pem(certificates.toArray()), false);
    }

    public static void writeCertificate(Path file, X509Certificate certificate) {
        writeCertificates(file, List.of(certificate));
    }

    public static void writeCrl(Path file, X509CRL crl) {
        writeAtomically(file, pem(crl), false);
    }

    /** Writes the SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}). */
    public static void writePublicKey(Path file, PublicKey key) {
        writeAtomically(file, pem(key), false);
    }

    /**
     * Writes a PKCS#8 key, encrypted when {@code passphrase} is non-null and non-empty, with owner-only
     * permissions where the file system supports them.
     */
    public static void writePrivateKey(Path file, PrivateKey key, char[] passphrase) {
        try {
            JcaPKCS8Generator generator;
            if (passphrase == null || passphrase.length == 0) {
                generator = new JcaPKCS8Generator(key, null);
            } else {
                generator = new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                        .setPRF(PKCS8Generator.PRF_HMACSHA256)
                        .setIterationCount(PBKDF2_ITERATIONS)
                        .setRandom(RANDOM)
                        .setProvider(BC)
                        .setPassword(passphrase)
                        .build());
            }
            writeAtomically(file, pem(generator.generate()), true);
        } catch (OperatorCreationException | IOException e) {
            throw new TrustException(Reason.IO_ERROR, "cannot encode private key for " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] pem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new TrustException(Reason.IO_ERROR, "cannot encode PEM: " + e.getMessage(), e);
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void writeAtomically(Path file, byte[] content, boolean secret) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
            FileAttribute<?>[] attributes = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(secret ? OWNER_ONLY : WORLD_READABLE)}
                    : new FileAttribute<?>[0];
            temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", attributes);
            Files.write(temp, content);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original failure is the one worth reporting
                }
            }
            throw new TrustException(Reason.IO_ERROR, "cannot write " + target + ": " + e, e);
        }
    }

    // ---- messages ------------------------------------------------------------------------------

    private static TrustException malformed(Path file, String expected, String found) {
        return new TrustException(Reason.MALFORMED_PEM,
                "unexpected content in " + file + ": expected " + expected + ", found " + found);
    }

    static String describe(Object pemObject) {
        if (pemObject instanceof X509CertificateHolder) {
            return "a CERTIFICATE block";
        } else if (pemObject instanceof X509CRLHolder) {
            return "an X509 CRL block";
        } else if (pemObject instanceof PrivateKeyInfo || pemObject instanceof PEMKeyPair) {
            return "a PRIVATE KEY block";
        } else if (pemObject instanceof PKCS8EncryptedPrivateKeyInfo) {
            return "an ENCRYPTED PRIVATE KEY block";
        } else if (pemObject instanceof SubjectPublicKeyInfo) {
            return "a PUBLIC KEY block";
        }
        return "a " + pemObject.getClass().getSimpleName();
    }
}
