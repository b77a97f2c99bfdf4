package fr.socle.audit;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away federation for tests: a self-signed EC P-256 root and one node certificate under it.
 * The real federation PKI is built by {@code socle certs}; these tests must not depend on it.
 */
final class TestPki {

  static final Instant NOT_BEFORE = Instant.parse("2025-01-01T00:00:00Z");
  static final Instant NOT_AFTER = Instant.parse("2035-01-01T00:00:00Z");
  /** A time inside the certificates' validity, for verifier clocks. */
  static final Instant VALID_AT = Instant.parse("2026-01-01T00:00:00Z");

  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  final KeyPair rootKeys;
  final X509Certificate root;
  final KeyPair nodeKeys;
  final X509Certificate node;

  private TestPki(KeyPair rootKeys, X509Certificate root, KeyPair nodeKeys, X509Certificate node) {
    this.rootKeys = rootKeys;
    this.root = root;
    this.nodeKeys = nodeKeys;
    this.node = node;
  }

  static TestPki create(String name) {
    KeyPair rootKeys = ecKeyPair();
    X509Certificate root = certificate("CN=" + name + " Root CA", rootKeys.getPublic(),
        "CN=" + name + " Root CA", rootKeys.getPrivate(), true);
    KeyPair nodeKeys = ecKeyPair();
    X509Certificate node = certificate("CN=" + name + " node", nodeKeys.getPublic(),
        "CN=" + name + " Root CA", rootKeys.getPrivate(), false);
    return new TestPki(rootKeys, root, nodeKeys, node);
  }

  /** Another node certificate under the same root, with a fresh key. */
  X509Certificate anotherNode(String name) {
    return certificate("CN=" + name, ecKeyPair().getPublic(), root.getSubjectX500Principal().getName(),
        rootKeys.getPrivate(), false);
  }

  /** A CA certificate under the root for {@code key}: valid in a chain, but not for signing data. */
  X509Certificate caUnderRoot(String name, PublicKey key) {
    return certificate("CN=" + name, key, root.getSubjectX500Principal().getName(), rootKeys.getPrivate(), true);
  }

  TreeHeadSigner signer() {
    return new TreeHeadSigner(nodeKeys.getPrivate(), List.of(node));
  }

  String rootPem() {
    return pem(root);
  }

  static String pem(X509Certificate cert) {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static X509Certificate certificate(String subject, PublicKey key, String issuer, PrivateKey issuerKey,
      boolean ca) {
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(NOT_BEFORE), Date.from(NOT_AFTER),
          new X500Name(subject), key);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (Exception e) {
      throw new AssertionError("test certificate " + subject, e);
    }
  }
}
