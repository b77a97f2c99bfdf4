package fr.socle.trust;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * A node's trust material, loaded and checked once at startup: its key and certificate chain, and the
 * federation's root CA, issuing CA and CRL.
 *
 * <p>{@link #load} reads a node directory ({@code node.crt}, {@code node.key}) and the public part of a
 * federation directory ({@code root-ca.crt}, {@code issuing-ca.crt}, {@code federation.crl}; CA keys are
 * not needed and should not be on a node's machine). It refuses material the node could not use,
 * with one message that names the file and says what was expected and what was found, so that a
 * misconfigured node fails at startup instead of at its first handshake. The checks run from the
 * anchor down: root, issuing CA, node key/certificate pair, node certificate, CRL, and finally the
 * same {@link FederationVerifier} that peers' certificates go through.
 *
 * @param participant who this node is, from its certificate
 * @param nodeKey     the node's private key, paired with {@code nodeChain.get(0)}
 * @param nodeChain   node certificate then issuing CA, as presented in TLS and {@code x5c}
 */
public record TrustMaterial(Participant participant, PrivateKey nodeKey, List<X509Certificate> nodeChain,
                            X509Certificate rootCa, X509Certificate issuingCa, X509CRL crl) {

    public TrustMaterial {
        nodeChain = List.copyOf(nodeChain);
    }

    public X509Certificate nodeCertificate() {
        return nodeChain.get(0);
    }

    /** A verifier for peers' chains built on this material; rebuild it when the CRL is refreshed. */
    public FederationVerifier verifier(Clock clock) {
        return new FederationVerifier(rootCa, issuingCa, crl, clock);
    }

    /** {@link #load(Path, Path, char[], Clock)} for an unencrypted key and the system clock. */
    public static TrustMaterial load(Path nodeDir, Path federationDir) {
        return load(nodeDir, federationDir, null, Clock.systemUTC());
    }

    /**
     * Loads and checks the material.
     *
     * @param passphrase for an encrypted {@code node.key}; null when it is not encrypted
     * @throws TrustException with the first problem found
     */
    public static TrustMaterial load(Path nodeDir, Path federationDir, char[] passphrase, Clock clock) {
        Path certFile = nodeDir.resolve(FederationLayout.NODE_CERT);
        Path keyFile = nodeDir.resolve(FederationLayout.NODE_KEY);
        FederationLayout federation = new FederationLayout(federationDir);
        requireFile(federation.rootCaCert(), "the federation root CA certificate");
        requireFile(federation.issuingCaCert(), "the federation issuing CA certificate");
        requireFile(federation.crl(), "the federation CRL");
        requireFile(certFile, "the node certificate chain");
        requireFile(keyFile, "the node private key");

        Instant now = clock.instant();
        X509Certificate root = PemFiles.readCertificate(federation.rootCaCert());
        requireCurrent(root, "federation root CA", federation.rootCaCert(), now);
        requireSignedBy(root, root, federation.rootCaCert(), "is not a self-signed root CA");

        X509Certificate issuing = PemFiles.readCertificate(federation.issuingCaCert());
        requireCurrent(issuing, "federation issuing CA", federation.issuingCaCert(), now);
        if (!issuing.getIssuerX500Principal().equals(root.getSubjectX500Principal())) {
            throw new TrustException(Reason.UNTRUSTED_ISSUER, "issuing CA " + federation.issuingCaCert() + " is issued by '"
                    + display(issuing.getIssuerX500Principal()) + "', expected the root '" + display(root.getSubjectX500Principal()) + "'");
        }
        requireSignedBy(issuing, root, federation.issuingCaCert(), "is not signed by the root CA " + federation.rootCaCert());

        List<X509Certificate> chain = PemFiles.readCertificates(certFile);
        X509Certificate leaf = chain.get(0);
        PrivateKey key = PemFiles.readPrivateKey(keyFile, passphrase);
        if (!KeyMatch.matches(key, leaf.getPublicKey())) {
            throw new TrustException(Reason.KEY_CERTIFICATE_MISMATCH, "node key " + keyFile
                    + " does not match the certificate " + certFile + " ('" + display(leaf.getSubjectX500Principal()) + "')");
        }
        requireCurrent(leaf, "node", certFile, now);
        if (!leaf.getIssuerX500Principal().equals(issuing.getSubjectX500Principal())) {
            throw new TrustException(Reason.UNTRUSTED_ISSUER, "node certificate " + certFile
                    + " is not issued by the federation CA: its issuer is '" + display(leaf.getIssuerX500Principal())
                    + "', expected '" + display(issuing.getSubjectX500Principal()) + "' from " + federation.issuingCaCert());
        }
        requireSignedBy(leaf, issuing, certFile,
                "is not issued by the federation CA: its signature does not verify with the key of " + federation.issuingCaCert());
        if (chain.size() > 1 && !chain.get(1).equals(issuing)) {
            throw new TrustException(Reason.UNTRUSTED_ISSUER, "node certificate chain " + certFile
                    + " carries an issuing CA (serial " + Serials.format(chain.get(1).getSerialNumber())
                    + ") that differs from the federation's " + federation.issuingCaCert()
                    + " (serial " + Serials.format(issuing.getSerialNumber()) + ")");
        }

        X509CRL crl = PemFiles.readCrl(federation.crl());
        checkCrl(crl, issuing, leaf, federation, now);

        Participant participant = Participant.fromCertificate(leaf);
        // The same gate peers go through, so a node never presents what its peers would refuse.
        FederationVerifier verifier = new FederationVerifier(root, issuing, crl, clock);
        if (verifier.verify(List.of(leaf)) instanceof Verification.Rejected rejected) {
            throw new TrustException(rejected.reason(), "node certificate " + certFile + ": " + rejected.detail());
        }
        return new TrustMaterial(participant, key, chain.size() > 1 ? chain : List.of(leaf, issuing), root, issuing, crl);
    }

    private static void checkCrl(X509CRL crl, X509Certificate issuing, X509Certificate leaf, FederationLayout federation,
                                 Instant now) {
        if (!crl.getIssuerX500Principal().equals(issuing.getSubjectX500Principal())) {
            throw new TrustException(Reason.UNTRUSTED_ISSUER, "CRL " + federation.crl() + " is issued by '"
                    + display(crl.getIssuerX500Principal()) + "', expected the issuing CA '" + display(issuing.getSubjectX500Principal()) + "'");
        }
        try {
            crl.verify(issuing.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new TrustException(Reason.BAD_SIGNATURE, "CRL " + federation.crl()
                    + " is not signed by the issuing CA " + federation.issuingCaCert() + ": " + e.getMessage());
        }
        if (crl.getNextUpdate() == null || now.isAfter(crl.getNextUpdate().toInstant())) {
            throw new TrustException(Reason.CRL_EXPIRED, "CRL " + federation.crl() + " expired on "
                    + (crl.getNextUpdate() == null ? "(no nextUpdate)" : crl.getNextUpdate().toInstant())
                    + "; publish a fresh one with 'socle certs crl --dir <federation>'");
        }
        X509CRLEntry entry = crl.getRevokedCertificate(leaf);
        if (entry != null) {
            throw new TrustException(Reason.CERTIFICATE_REVOKED, "node certificate serial "
                    + Serials.format(leaf.getSerialNumber()) + " was revoked on " + entry.getRevocationDate().toInstant()
                    + " (CRL " + federation.crl() + ")");
        }
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new TrustException(Reason.MISSING_FILE, "missing file: " + file.toAbsolutePath() + " (" + what + ")");
        }
    }

    private static void requireCurrent(X509Certificate cert, String what, Path file, Instant now) {
        Instant notAfter = cert.getNotAfter().toInstant();
        Instant notBefore = cert.getNotBefore().toInstant();
        if (now.isAfter(notAfter)) {
            throw new TrustException(Reason.CERTIFICATE_EXPIRED,
                    what + " certificate " + file + " expired on " + notAfter + " (now " + now + ")");
        }
        if (now.isBefore(notBefore)) {
            throw new TrustException(Reason.CERTIFICATE_NOT_YET_VALID,
                    what + " certificate " + file + " is not valid before " + notBefore + " (now " + now + ")");
        }
    }

    private static void requireSignedBy(X509Certificate cert, X509Certificate issuer, Path file, String problem) {
        PublicKey key = issuer.getPublicKey();
        try {
            cert.verify(key);
        } catch (GeneralSecurityException e) {
            throw new TrustException(cert == issuer ? Reason.BAD_SIGNATURE : Reason.UNTRUSTED_ISSUER,
                    "certificate " + file + " ('" + display(cert.getSubjectX500Principal()) + "') " + problem);
        }
    }

    private static String display(javax.security.auth.x500.X500Principal principal) {
        return SubjectNames.display(principal);
    }
}
