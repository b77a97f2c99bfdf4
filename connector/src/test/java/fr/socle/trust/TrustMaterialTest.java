package fr.socle.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.CRLReason;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each refusal of {@link TrustMaterial#load} is a startup failure message an operator must act on. */
class TrustMaterialTest {

    static final String NAME = "Commune d'Esempiu (dev)";
    static final String SUBJECT = "CN=" + NAME + ",O=" + NAME + ",organizationIdentifier=NTRFR-219900016,C=FR";

    @TempDir
    Path tmp;

    private final FederationPki pki = new FederationPki();
    private Path fed;
    private Path node;

    @BeforeEach
    void federation() {
        fed = tmp.resolve("fed");
        pki.initFederation(fed, "Fed", Duration.ofDays(3650));
        node = pki.issueNode(fed, NodeRequest.of("219900016", NAME)).dir();
    }

    private static TrustException refusal(Path nodeDir, Path federationDir, char[] passphrase, Clock clock) {
        try {
            TrustMaterial.load(nodeDir, federationDir, passphrase, clock);
        } catch (TrustException e) {
            return e;
        }
        throw new AssertionError("expected a refusal");
    }

    private static TrustException refusal(Path nodeDir, Path federationDir) {
        return refusal(nodeDir, federationDir, null, Clock.systemUTC());
    }

    @Test
    void loadsValidMaterial() {
        TrustMaterial material = TrustMaterial.load(node, fed);
        assertThat(material.participant()).isEqualTo(new Participant(ParticipantId.of("219900016"), NAME));
        assertThat(material.nodeChain()).hasSize(2);
        assertThat(material.nodeChain().get(1)).isEqualTo(material.issuingCa());
        assertThat(KeyMatch.matches(material.nodeKey(), material.nodeCertificate().getPublicKey())).isTrue();
        assertThat(material.verifier(Clock.systemUTC()).verify(material.nodeChain())).isInstanceOf(Verification.Verified.class);
    }

    @Test
    void missingFileNamesItsPath() throws Exception {
        Files.delete(node.resolve("node.key"));
        TrustException e = refusal(node, fed);
        assertThat(e.reason()).isEqualTo(Reason.MISSING_FILE);
        assertThat(e.getMessage()).isEqualTo("missing file: " + node.resolve("node.key").toAbsolutePath() + " (the node private key)");

        Files.delete(fed.resolve("federation.crl"));
        assertThat(refusal(node, fed).getMessage())
                .isEqualTo("missing file: " + fed.resolve("federation.crl").toAbsolutePath() + " (the federation CRL)");
    }

    @Test
    void keyThatDoesNotMatchTheCertificate() throws Exception {
        Path other = pki.issueNode(fed, NodeRequest.of("239900038", "Région Exemple (dev)")).dir();
        Files.copy(other.resolve("node.key"), node.resolve("node.key"), StandardCopyOption.REPLACE_EXISTING);
        TrustException e = refusal(node, fed);
        assertThat(e.reason()).isEqualTo(Reason.KEY_CERTIFICATE_MISMATCH);
        assertThat(e.getMessage()).isEqualTo("node key " + node.resolve("node.key") + " does not match the certificate "
                + node.resolve("node.crt") + " ('" + SUBJECT + "')");
    }

    @Test
    void expiredCertificateGivesItsDate() {
        Instant now = Instant.now();
        Path old = tmp.resolve("old");
        new FederationPki(Clock.fixed(now.minus(Duration.ofDays(1000)), ZoneOffset.UTC), new SecureRandom())
                .initFederation(old, "Old", Duration.ofDays(3650));
        Path expired = pki.issueNode(old, NodeRequest.of("219900016", NAME)
                .withValidity(now.minus(Duration.ofDays(900)), now.minus(Duration.ofDays(10)))).dir();
        pki.publishCrl(old);
        X509Certificate leaf = PemFiles.readCertificates(expired.resolve("node.crt")).get(0);

        TrustException e = refusal(expired, old, null, Clock.fixed(now, ZoneOffset.UTC));
        assertThat(e.reason()).isEqualTo(Reason.CERTIFICATE_EXPIRED);
        assertThat(e.getMessage()).isEqualTo("node certificate " + expired.resolve("node.crt") + " expired on "
                + leaf.getNotAfter().toInstant() + " (now " + now + ")");
    }

    @Test
    void notYetValidCertificate() {
        X509Certificate leaf = PemFiles.readCertificates(node.resolve("node.crt")).get(0);
        Instant before = leaf.getNotBefore().toInstant().minusSeconds(1);
        TrustException e = refusal(node, fed, null, Clock.fixed(before, ZoneOffset.UTC));
        // the CAs were issued in the same second, so whichever is checked first is not yet valid either
        assertThat(e.reason()).isEqualTo(Reason.CERTIFICATE_NOT_YET_VALID);
        assertThat(e.getMessage()).contains("is not valid before", "(now " + before + ")");
    }

    @Test
    void certificateFromAnotherFederation() {
        Path other = tmp.resolve("other");
        pki.initFederation(other, "Other", Duration.ofDays(3650));
        Path foreign = pki.issueNode(other, NodeRequest.of("219900016", NAME)).dir();
        TrustException e = refusal(foreign, fed);
        assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_ISSUER);
        assertThat(e.getMessage()).isEqualTo("node certificate " + foreign.resolve("node.crt")
                + " is not issued by the federation CA: its issuer is 'CN=Other Issuing CA,O=Other,C=FR', expected "
                + "'CN=Fed Issuing CA,O=Fed,C=FR' from " + fed.resolve("issuing-ca.crt"));
    }

    @Test
    void certificateFromAnImpostorWithTheSameNames() {
        Path impostor = tmp.resolve("impostor");
        pki.initFederation(impostor, "Fed", Duration.ofDays(3650));
        Path forged = pki.issueNode(impostor, NodeRequest.of("219900016", NAME)).dir();
        TrustException e = refusal(forged, fed);
        assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_ISSUER);
        assertThat(e.getMessage()).isEqualTo("certificate " + forged.resolve("node.crt") + " ('" + SUBJECT
                + "') is not issued by the federation CA: its signature does not verify with the key of "
                + fed.resolve("issuing-ca.crt"));
    }

    @Test
    void revokedNode() {
        FederationPki.Revocation revocation = pki.revokeNode(fed, "commune-d-esempiu-dev", CRLReason.KEY_COMPROMISE);
        TrustException e = refusal(node, fed);
        assertThat(e.reason()).isEqualTo(Reason.CERTIFICATE_REVOKED);
        assertThat(e.getMessage()).isEqualTo("node certificate serial " + Serials.format(revocation.serial()) + " was revoked on "
                + revocation.crl().getRevokedCertificates().iterator().next().getRevocationDate().toInstant()
                + " (CRL " + fed.resolve("federation.crl") + ")");
    }

    @Test
    void staleCrl() {
        Instant later = Instant.now().plus(Duration.ofDays(8));
        TrustException e = refusal(node, fed, null, Clock.fixed(later, ZoneOffset.UTC));
        assertThat(e.reason()).isEqualTo(Reason.CRL_EXPIRED);
        assertThat(e.getMessage()).isEqualTo("CRL " + fed.resolve("federation.crl") + " expired on "
                + PemFiles.readCrl(fed.resolve("federation.crl")).getNextUpdate().toInstant()
                + "; publish a fresh one with 'socle certs crl --dir <federation>'");
    }

    @Test
    void crlSignedByAnotherCa() throws Exception {
        Path impostor = tmp.resolve("impostor");
        pki.initFederation(impostor, "Fed", Duration.ofDays(3650));
        Files.copy(impostor.resolve("federation.crl"), fed.resolve("federation.crl"), StandardCopyOption.REPLACE_EXISTING);
        TrustException e = refusal(node, fed);
        assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(e.getMessage()).startsWith("CRL " + fed.resolve("federation.crl") + " is not signed by the issuing CA "
                + fed.resolve("issuing-ca.crt") + ": ");
    }

    @Test
    void encryptedKey() {
        Path locked = pki.issueNode(fed, NodeRequest.of("249900028", "Métropole Exemple (dev)")
                .withPassphrase("s3cret".toCharArray())).dir();
        assertThat(TrustMaterial.load(locked, fed, "s3cret".toCharArray(), Clock.systemUTC()).participant().id().value())
                .isEqualTo("NTRFR-249900028");
        assertThat(refusal(locked, fed, "wrong".toCharArray(), Clock.systemUTC()).getMessage())
                .isEqualTo("cannot decrypt private key " + locked.resolve("node.key") + ": wrong passphrase");
        assertThat(refusal(locked, fed).getMessage())
                .isEqualTo("private key " + locked.resolve("node.key") + " is encrypted and no passphrase was given");
    }

    @Test
    void malformedFile() throws Exception {
        Files.writeString(fed.resolve("root-ca.crt"), Files.readString(fed.resolve("federation.crl")));
        TrustException e = refusal(node, fed);
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_PEM);
        assertThat(e.getMessage()).isEqualTo("unexpected content in " + fed.resolve("root-ca.crt")
                + ": expected a CERTIFICATE block, found an X509 CRL block");
    }

    @Test
    void chainWithAForeignIssuingCa() throws Exception {
        Path other = tmp.resolve("other");
        pki.initFederation(other, "Fed", Duration.ofDays(3650));
        X509Certificate leaf = PemFiles.readCertificates(node.resolve("node.crt")).get(0);
        X509Certificate foreignCa = PemFiles.readCertificate(other.resolve("issuing-ca.crt"));
        PemFiles.writeCertificates(node.resolve("node.crt"), List.of(leaf, foreignCa));
        TrustException e = refusal(node, fed);
        assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_ISSUER);
        assertThat(e.getMessage()).startsWith("node certificate chain " + node.resolve("node.crt") + " carries an issuing CA (serial "
                + Serials.format(foreignCa.getSerialNumber()) + ") that differs from the federation's ");
    }
}
