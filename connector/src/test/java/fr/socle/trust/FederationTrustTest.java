package fr.socle.trust;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.MutableClock;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.CRLReason;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading the federation CRL on a running node: what is installed, what is refused and kept. */
class FederationTrustTest {

  @TempDir
  Path tmp;

  private final FederationPki pki = new FederationPki();
  private Path fed;
  private FederationLayout layout;
  private TrustMaterial self;
  private TrustMaterial peer;
  private FederationTrust trust;

  @BeforeEach
  void federation() {
    fed = tmp.resolve("fed");
    layout = pki.initFederation(fed, "Fed", Duration.ofDays(3650));
    self = TrustMaterial.load(pki.issueNode(fed, NodeRequest.of("239900038", "Self")).dir(), fed);
    peer = TrustMaterial.load(pki.issueNode(fed, NodeRequest.of("219900016", "Peer")).dir(), fed);
    trust = new FederationTrust(self, layout.crl(), new MutableClock(Instant.now()));
  }

  private Reason peerStatus() {
    Verification result = trust.verifier().verify(peer.nodeChain());
    return result instanceof Verification.Rejected r ? r.reason() : null;
  }

  @Test
  void newCrlIsInstalledEvenWhenItKeepsTheOldMtime() throws Exception {
    FileTime before = Files.getLastModifiedTime(layout.crl());
    pki.revokeNode(fed, "peer", CRLReason.KEY_COMPROMISE);
    // As cp -p or rsync -t would leave it: new content, old mtime.
    Files.setLastModifiedTime(layout.crl(), before);
    assertThat(trust.reload()).isTrue();
    assertThat(FederationPki.crlNumber(trust.crl())).isEqualTo(BigInteger.TWO);
    assertThat(peerStatus()).isEqualTo(Reason.CERTIFICATE_REVOKED);
  }

  @Test
  void sameCrlRewrittenIsNotAChange() throws Exception {
    assertThat(trust.reload()).isFalse();
    Files.write(layout.crl(), Files.readAllBytes(layout.crl()));
    assertThat(trust.reload()).isFalse();
    assertThat(trust.crl()).isEqualTo(self.crl());
  }

  @Test
  void olderCrlIsRefusedSoRevocationsCannotBeUndone() throws Exception {
    byte[] old = Files.readAllBytes(layout.crl());
    pki.revokeNode(fed, "peer", CRLReason.UNSPECIFIED);
    assertThat(trust.reload()).isTrue();
    Files.write(layout.crl(), old);
    assertThat(trust.reload()).isFalse();
    assertThat(FederationPki.crlNumber(trust.crl())).isEqualTo(BigInteger.TWO);
    assertThat(peerStatus()).isEqualTo(Reason.CERTIFICATE_REVOKED);
  }

  @Test
  void corruptMissingOrForeignCrlKeepsTheOneInForce() throws Exception {
    byte[] good = Files.readAllBytes(layout.crl());
    Files.writeString(layout.crl(), "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
    assertThat(trust.reload()).isFalse();
    Files.delete(layout.crl());
    assertThat(trust.reload()).isFalse();
    Path foreign = tmp.resolve("foreign");
    pki.initFederation(foreign, "Fed", Duration.ofDays(30));
    pki.publishCrl(foreign);
    pki.publishCrl(foreign);
    Files.copy(new FederationLayout(foreign).crl(), layout.crl());
    assertThat(trust.reload()).as("same issuer name, other key").isFalse();
    assertThat(trust.crl().getEncoded()).isEqualTo(self.crl().getEncoded());
    assertThat(peerStatus()).isNull();
    Files.write(layout.crl(), good);
    assertThat(trust.reload()).isFalse();
  }
}
