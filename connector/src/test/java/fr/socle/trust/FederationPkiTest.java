package fr.socle.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CRLReason;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FederationPkiTest {

    static final String SIREN = "219900016";
    static final String NAME = "Commune d'Esempiu (dev)";

    @TempDir
    Path tmp;

    private final FederationPki pki = new FederationPki();

    private Path federation(String dirName, String name) {
        Path dir = tmp.resolve(dirName);
        pki.initFederation(dir, name, Duration.ofDays(3650));
        return dir;
    }

    /** PKIX exactly as a JDK-only peer would run it: root anchor, CRL for the leaf, no network. */
    static void pkixValidate(List<X509Certificate> chain, Path federationDir, Instant at) throws Exception {
        FederationLayout layout = new FederationLayout(federationDir);
        CertPathValidator validator = CertPathValidator.getInstance("PKIX");
        PKIXRevocationChecker revocation = (PKIXRevocationChecker) validator.getRevocationChecker();
        revocation.setOptions(EnumSet.of(PKIXRevocationChecker.Option.ONLY_END_ENTITY,
                PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK));
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(PemFiles.readCertificate(layout.rootCaCert()), null)));
        parameters.setDate(java.util.Date.from(at));
        parameters.addCertPathChecker(revocation);
        parameters.addCertStore(CertStore.getInstance("Collection",
                new CollectionCertStoreParameters(List.of(PemFiles.readCrl(layout.crl())))));
        validator.validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
    }

    @Test
    void initWritesTheLayout() throws Exception {
        Path dir = federation("fed", "Fédération Socle (test)");
        FederationLayout layout = new FederationLayout(dir);
        X509Certificate root = PemFiles.readCertificate(layout.rootCaCert());
        X509Certificate issuing = PemFiles.readCertificate(layout.issuingCaCert());
        X509Certificate policy = PemFiles.readCertificate(layout.policySigningCert());

        assertThat(root.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
        assertThat(root.getKeyUsage()).containsExactly(false, false, false, false, false, true, true, false, false);
        root.verify(root.getPublicKey());
        assertThat(issuing.getBasicConstraints()).isZero();
        issuing.verify(root.getPublicKey());
        assertThat(policy.getBasicConstraints()).isEqualTo(-1);
        assertThat(policy.getKeyUsage()).containsExactly(true, false, false, false, false, false, false, false, false);
        policy.verify(root.getPublicKey());
        assertThat(PemFiles.readPublicKey(layout.policySigningPublicKey())).isEqualTo(policy.getPublicKey());
        assertThat(KeyMatch.matches(PemFiles.readPrivateKey(layout.policySigningKey(), null), policy.getPublicKey())).isTrue();
        assertThat(Files.readString(layout.policySigningPublicKey())).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(Files.readString(layout.rootCaKey())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PemFiles.readCertificates(layout.caChain())).containsExactly(issuing, root);
        assertThat(SubjectNames.display(root.getSubjectX500Principal()))
                .isEqualTo("CN=Fédération Socle (test) Root CA,O=Fédération Socle (test),C=FR");

        X509CRL crl = PemFiles.readCrl(layout.crl());
        crl.verify(issuing.getPublicKey());
        assertThat(crl.getRevokedCertificates()).isNull();
        assertThat(FederationPki.crlNumber(crl)).isEqualTo(BigInteger.ONE);
        assertThat(Duration.between(crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant())).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void initRefusesAnExistingFederation() {
        Path dir = federation("fed", "Fed");
        assertThatThrownBy(() -> pki.initFederation(dir, "Fed", Duration.ofDays(10)))
                .isInstanceOfSatisfying(TrustException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ALREADY_EXISTS))
                .hasMessage("a federation already exists in " + dir.toAbsolutePath() + " (root-ca.key is present); choose an empty directory");
    }

    @Test
    void issuedNodeValidatesAndCarriesItsIdentity() throws Exception {
        Path dir = federation("fed", "Fed");
        FederationPki.IssuedNode node = pki.issueNode(dir, NodeRequest.of(SIREN, NAME)
                .withSubjectAltNames(List.of("node.esempiu.example", "localhost"), List.of("127.0.0.1", "::1")));
        List<X509Certificate> chain = PemFiles.readCertificates(node.dir().resolve("node.crt"));
        X509Certificate leaf = chain.get(0);

        assertThat(node.slug()).isEqualTo("commune-d-esempiu-dev");
        assertThat(chain).hasSize(2);
        assertThat(chain.get(1)).isEqualTo(PemFiles.readCertificate(dir.resolve("issuing-ca.crt")));
        pkixValidate(chain, dir, Instant.now());

        assertThat(SubjectNames.display(leaf.getSubjectX500Principal()))
                .isEqualTo("CN=" + NAME + ",O=" + NAME + ",organizationIdentifier=NTRFR-219900016,C=FR");
        assertThat(ParticipantId.fromCertificate(leaf)).isEqualTo(node.participantId());
        assertThat(ParticipantId.parse(node.participantId().value())).isEqualTo(ParticipantId.of(SIREN));
        assertThat(Participant.displayName(leaf)).isEqualTo(NAME);
        Collection<List<?>> altNames = leaf.getSubjectAlternativeNames();
        assertThat(altNames).containsExactlyInAnyOrder(List.of(2, "node.esempiu.example"), List.of(2, "localhost"),
                List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(leaf.getKeyUsage()[0]).isTrue();
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getSerialNumber().signum()).isPositive();
        assertThat(leaf.getSerialNumber().bitLength()).isBetween(100, 128);
        assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");
        // AKI of the leaf is the SKI of the issuing CA
        assertThat(leaf.getExtensionValue("2.5.29.35")).isNotNull();

        Verification verification = new FederationVerifier(PemFiles.readCertificate(dir.resolve("root-ca.crt")), chain.get(1),
                PemFiles.readCrl(dir.resolve("federation.crl")), Clock.systemUTC()).verify(chain);
        assertThat(verification).isInstanceOfSatisfying(Verification.Verified.class,
                v -> assertThat(v.participant()).isEqualTo(new Participant(ParticipantId.of(SIREN), NAME)));
    }

    @Test
    void defaultsToLocalhostAndLoopback() throws Exception {
        Path dir = federation("fed", "Fed");
        X509Certificate leaf = pki.issueNode(dir, NodeRequest.of(SIREN, NAME)).certificate();
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
                .isEqualTo(NodeRequest.DEFAULT_VALIDITY);
    }

    @Test
    void serialsAreRandom() {
        Path dir = federation("fed", "Fed");
        BigInteger a = pki.issueNode(dir, NodeRequest.of(SIREN, "A")).certificate().getSerialNumber();
        BigInteger b = pki.issueNode(dir, NodeRequest.of(SIREN, "B")).certificate().getSerialNumber();
        assertThat(a).isNotEqualTo(b).isNotEqualTo(a.add(BigInteger.ONE));
    }

    @Test
    void revokedNodeFailsPkixWithTheNewCrl() throws Exception {
        Path dir = federation("fed", "Fed");
        FederationPki.IssuedNode node = pki.issueNode(dir, NodeRequest.of(SIREN, NAME));
        FederationPki.IssuedNode other = pki.issueNode(dir, NodeRequest.of("239900038", "Région Exemple (dev)"));
        List<X509Certificate> chain = PemFiles.readCertificates(node.dir().resolve("node.crt"));

        FederationPki.Revocation revocation = pki.revokeNode(dir, node.slug(), CRLReason.KEY_COMPROMISE);

        assertThat(revocation.slug()).contains(node.slug());
        assertThat(FederationPki.crlNumber(revocation.crl())).isEqualTo(BigInteger.TWO);
        assertThat(FederationPki.revokedSerials(PemFiles.readCrl(dir.resolve("federation.crl"))))
                .containsExactly(node.certificate().getSerialNumber());
        assertThatThrownBy(() -> pkixValidate(chain, dir, Instant.now()))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(CertPathValidatorException.BasicReason.REVOKED));
        pkixValidate(PemFiles.readCertificates(other.dir().resolve("node.crt")), dir, Instant.now());

        FederationVerifier verifier = TrustMaterial.load(other.dir(), dir).verifier(Clock.systemUTC());
        assertThat(verifier.verify(chain)).isInstanceOfSatisfying(Verification.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(Reason.CERTIFICATE_REVOKED);
            assertThat(r.detail()).isEqualTo("certificate '" + SubjectNames.display(chain.get(0).getSubjectX500Principal())
                    + "' (serial " + Serials.format(node.certificate().getSerialNumber()) + ") was revoked on "
                    + revocation.crl().getRevokedCertificate(chain.get(0)).getRevocationDate().toInstant() + ", reason keyCompromise");
        });
    }

    @Test
    void revocationKeepsEntriesAndNumbersGrow() {
        Path dir = federation("fed", "Fed");
        BigInteger a = pki.issueNode(dir, NodeRequest.of(SIREN, "A")).certificate().getSerialNumber();
        BigInteger b = pki.issueNode(dir, NodeRequest.of(SIREN, "B")).certificate().getSerialNumber();
        pki.revoke(dir, a, CRLReason.SUPERSEDED);
        FederationPki.Revocation second = pki.revoke(dir, b, CRLReason.UNSPECIFIED);
        X509CRL republished = pki.publishCrl(dir, Duration.ofDays(30));

        assertThat(FederationPki.crlNumber(second.crl())).isEqualTo(BigInteger.valueOf(3));
        assertThat(FederationPki.crlNumber(republished)).isEqualTo(BigInteger.valueOf(4));
        assertThat(FederationPki.revokedSerials(republished)).containsExactlyInAnyOrder(a, b);
        assertThat(republished.getRevokedCertificate(a).getRevocationReason()).isEqualTo(CRLReason.SUPERSEDED);
        // RFC 5280 §5.3.1: no reason code extension for "unspecified"
        assertThat(republished.getRevokedCertificate(b).getRevocationReason()).isNull();
        assertThat(Duration.between(republished.getThisUpdate().toInstant(), republished.getNextUpdate().toInstant()))
                .isEqualTo(Duration.ofDays(30));
        // without a period, publishing keeps the current one
        X509CRL again = pki.publishCrl(dir);
        assertThat(Duration.between(again.getThisUpdate().toInstant(), again.getNextUpdate().toInstant())).isEqualTo(Duration.ofDays(30));

        assertThatThrownBy(() -> pki.revoke(dir, a, CRLReason.KEY_COMPROMISE))
                .isInstanceOfSatisfying(TrustException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ALREADY_REVOKED))
                .hasMessageStartingWith("serial " + Serials.format(a) + " is already revoked since ");
        assertThatThrownBy(() -> pki.revokeNode(dir, "nobody", CRLReason.KEY_COMPROMISE))
                .hasMessage("no node 'nobody' in " + dir.resolve("nodes").toAbsolutePath() + " (known: a, b)");
    }

    @Test
    void expiredCertificateFails() throws Exception {
        Instant now = Instant.now();
        Path dir = tmp.resolve("old");
        // A federation created three years ago, whose node certificate ran from two years ago to one.
        new FederationPki(Clock.fixed(now.minus(Duration.ofDays(1095)), ZoneOffset.UTC), new SecureRandom())
                .initFederation(dir, "Old", Duration.ofDays(3650));
        Instant notAfter = now.minus(Duration.ofDays(365));
        FederationPki.IssuedNode node = pki.issueNode(dir,
                NodeRequest.of(SIREN, NAME).withValidity(now.minus(Duration.ofDays(730)), notAfter));
        pki.publishCrl(dir);
        List<X509Certificate> chain = PemFiles.readCertificates(node.dir().resolve("node.crt"));

        assertThatThrownBy(() -> pkixValidate(chain, dir, now))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(CertPathValidatorException.BasicReason.EXPIRED));
        FederationVerifier verifier = new FederationVerifier(PemFiles.readCertificate(dir.resolve("root-ca.crt")), chain.get(1),
                PemFiles.readCrl(dir.resolve("federation.crl")), Clock.fixed(now, ZoneOffset.UTC));
        assertThat(verifier.verify(chain)).isEqualTo(new Verification.Rejected(Reason.CERTIFICATE_EXPIRED,
                "certificate 'CN=" + NAME + ",O=" + NAME + ",organizationIdentifier=NTRFR-219900016,C=FR' expired on "
                        + chain.get(0).getNotAfter().toInstant() + " (now " + now + ")"));
    }

    @Test
    void certificateFromAnotherFederationFails() throws Exception {
        Path ours = federation("ours", "Fed");
        Path theirs = federation("theirs", "Other");
        // Same name as ours: the DNs match, only the keys differ.
        Path impostor = federation("impostor", "Fed");
        List<X509Certificate> foreign = PemFiles.readCertificates(pki.issueNode(theirs, NodeRequest.of(SIREN, NAME)).dir().resolve("node.crt"));
        List<X509Certificate> forged = PemFiles.readCertificates(pki.issueNode(impostor, NodeRequest.of(SIREN, NAME)).dir().resolve("node.crt"));

        assertThatThrownBy(() -> pkixValidate(foreign, ours, Instant.now())).isInstanceOf(CertPathValidatorException.class);
        assertThatThrownBy(() -> pkixValidate(forged, ours, Instant.now())).isInstanceOf(CertPathValidatorException.class);

        FederationVerifier verifier = new FederationVerifier(PemFiles.readCertificate(ours.resolve("root-ca.crt")),
                PemFiles.readCertificate(ours.resolve("issuing-ca.crt")), PemFiles.readCrl(ours.resolve("federation.crl")),
                Clock.systemUTC());
        assertThat(verifier.verify(foreign)).isInstanceOfSatisfying(Verification.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(Reason.UNTRUSTED_ISSUER);
            assertThat(r.detail()).isEqualTo("certificate 'CN=" + NAME + ",O=" + NAME
                    + ",organizationIdentifier=NTRFR-219900016,C=FR' is issued by 'CN=Other Issuing CA,O=Other,C=FR', "
                    + "expected the federation issuing CA 'CN=Fed Issuing CA,O=Fed,C=FR'");
        });
        assertThat(verifier.verify(forged)).isInstanceOfSatisfying(Verification.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.BAD_SIGNATURE));
        assertThat(verifier.verify(List.of())).isInstanceOfSatisfying(Verification.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.MISSING_CERTIFICATE));
    }

    @Test
    void policySignerIsNotANode() throws Exception {
        Path dir = federation("fed", "Fed");
        FederationVerifier verifier = new FederationVerifier(PemFiles.readCertificate(dir.resolve("root-ca.crt")),
                PemFiles.readCertificate(dir.resolve("issuing-ca.crt")), PemFiles.readCrl(dir.resolve("federation.crl")),
                Clock.systemUTC());
        assertThat(verifier.verify(List.of(PemFiles.readCertificate(dir.resolve("policy-signing.crt")))))
                .isInstanceOfSatisfying(Verification.Rejected.class, r -> assertThat(r.reason()).isEqualTo(Reason.UNTRUSTED_ISSUER));
        assertThat(verifier.verify(List.of(PemFiles.readCertificate(dir.resolve("issuing-ca.crt")))))
                .isInstanceOfSatisfying(Verification.Rejected.class, r -> assertThat(r.reason()).isEqualTo(Reason.UNTRUSTED_ISSUER));
    }

    @Test
    void keyFilesAreOwnerOnly() throws Exception {
        Path dir = federation("fed", "Fed");
        Path nodeDir = pki.issueNode(dir, NodeRequest.of(SIREN, NAME)).dir();
        for (Path key : List.of(dir.resolve("root-ca.key"), dir.resolve("issuing-ca.key"), dir.resolve("policy-signing.key"),
                nodeDir.resolve("node.key"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).as(key.toString()).isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir.resolve("node.crt")))).isEqualTo("rw-r--r--");
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        }
    }

    @Test
    void encryptedKeyNeedsTheRightPassphrase() throws Exception {
        Path dir = federation("fed", "Fed");
        FederationPki.IssuedNode node = pki.issueNode(dir, NodeRequest.of(SIREN, NAME).withPassphrase("correct horse".toCharArray()));
        Path key = node.dir().resolve("node.key");

        assertThat(Files.readString(key)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(PemFiles.isEncryptedKey(key)).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        PrivateKey decrypted = PemFiles.readPrivateKey(key, "correct horse".toCharArray());
        assertThat(KeyMatch.matches(decrypted, node.certificate().getPublicKey())).isTrue();

        assertThatThrownBy(() -> PemFiles.readPrivateKey(key, "battery staple".toCharArray()))
                .isInstanceOfSatisfying(TrustException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_PASSPHRASE))
                .hasMessage("cannot decrypt private key " + key + ": wrong passphrase");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(key, null))
                .isInstanceOfSatisfying(TrustException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PASSPHRASE_REQUIRED))
                .hasMessage("private key " + key + " is encrypted and no passphrase was given");
    }

    @Test
    void refusesBadRequestsBeforeWritingAnything() throws Exception {
        Path dir = federation("fed", "Fed");
        assertRefused(dir, NodeRequest.of("123456788", NAME), Reason.INVALID_SIREN, "SIREN 123456788 fails the Luhn checksum");
        assertRefused(dir, NodeRequest.of(SIREN, NAME).withSubjectAltNames(List.of("127.0.0.1"), null), Reason.INVALID_ARGUMENT,
                "'127.0.0.1' is an IP address, not a DNS name; pass it as an IP address");
        assertRefused(dir, NodeRequest.of(SIREN, NAME).withSubjectAltNames(List.of("*.example.fr"), null), Reason.INVALID_ARGUMENT,
                "invalid DNS name '*.example.fr': expected ASCII labels of letters, digits and inner hyphens, no wildcard");
        assertRefused(dir, NodeRequest.of(SIREN, NAME).withSubjectAltNames(null, List.of("10.0.0.0/8")), Reason.INVALID_ARGUMENT,
                "invalid IP address '10.0.0.0/8': expected an IPv4 or IPv6 literal without prefix length");
        assertRefused(dir, NodeRequest.of(SIREN, NAME).withSlug("../escape"), Reason.INVALID_ARGUMENT,
                "node slug must be 1-63 lowercase ASCII letters or digits separated by single hyphens, got '../escape'");
        assertRefused(dir, NodeRequest.of(SIREN, "x".repeat(65)), Reason.INVALID_ARGUMENT,
                "node name must be at most 64 characters, got 65: '" + "x".repeat(65) + "'");
        assertRefused(dir, NodeRequest.of(SIREN, NAME).withValidity(Duration.ofDays(4000)), Reason.INVALID_VALIDITY,
                null);
        assertThat(dir.resolve("nodes")).doesNotExist();

        pki.issueNode(dir, NodeRequest.of(SIREN, NAME));
        assertRefused(dir, NodeRequest.of(SIREN, NAME), Reason.ALREADY_EXISTS, "node 'commune-d-esempiu-dev' already exists in "
                + dir.resolve("nodes/commune-d-esempiu-dev").toAbsolutePath() + "; revoke it and remove the directory, or choose another slug");
    }

    private void assertRefused(Path dir, NodeRequest request, Reason reason, String message) {
        assertThatThrownBy(() -> pki.issueNode(dir, request)).isInstanceOfSatisfying(TrustException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            if (message != null) {
                assertThat(e.getMessage()).isEqualTo(message);
            }
        });
    }

    @Test
    void slugsAreLowercaseAscii() {
        assertThat(FederationLayout.slugOf("Région Exemple (dev)")).isEqualTo("region-exemple-dev");
        assertThat(FederationLayout.slugOf("Métropole Exemple (dev)")).isEqualTo("metropole-exemple-dev");
        assertThat(FederationLayout.slugOf("  Île--de   Beauté ")).isEqualTo("ile-de-beaute");
        assertThatThrownBy(() -> FederationLayout.slugOf("((()))")).isInstanceOf(TrustException.class);
    }

    @Test
    void parsesSerialsAndReasons() {
        assertThat(Serials.parse("0x0A:bC")).isEqualTo(BigInteger.valueOf(0xabc));
        assertThatThrownBy(() -> Serials.parse("xyz"))
                .hasMessage("serial must be 1-40 hexadecimal digits (RFC 5280 allows 20 octets), got 'xyz'");
        assertThat(FederationPki.parseRevocationReason("keyCompromise")).isEqualTo(CRLReason.KEY_COMPROMISE);
        assertThat(FederationPki.parseRevocationReason("cessation-of-operation")).isEqualTo(CRLReason.CESSATION_OF_OPERATION);
        assertThatThrownBy(() -> FederationPki.parseRevocationReason("certificateHold")).hasMessage(
                "unknown revocation reason 'certificateHold', expected one of unspecified, keyCompromise, caCompromise, "
                        + "affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn");
    }

    @Test
    void inspectDescribesCertificatesCrlsAndKeys() {
        Path dir = federation("fed", "Fed");
        FederationPki.IssuedNode node = pki.issueNode(dir, NodeRequest.of(SIREN, NAME));
        pki.revokeNode(dir, node.slug(), CRLReason.SUPERSEDED);

        String cert = FederationPki.inspect(node.dir().resolve("node.crt"));
        assertThat(cert).contains("certificate 1 of 2", "participant id:         NTRFR-219900016 (" + NAME + ")",
                "subject alt names:      DNS:localhost, IP:127.0.0.1", "extended key usage:     serverAuth, clientAuth",
                "serial:                 " + Serials.format(node.certificate().getSerialNumber()), "public key:             EC P-256",
                "CA:                     yes, pathLen 0");
        assertThat(FederationPki.inspect(dir.resolve("federation.crl"))).contains("CRL number:             2",
                "    " + Serials.format(node.certificate().getSerialNumber()), "superseded");
        assertThat(FederationPki.inspect(node.dir().resolve("node.key")))
                .contains("private key (PKCS#8, unencrypted)", "permissions:            rw-------")
                .doesNotContain("BEGIN");
        assertThat(FederationPki.inspect(dir.resolve("policy-signing.pub.pem"))).contains("public key (SubjectPublicKeyInfo)");
    }
}
