package fr.socle.audit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64;
import fr.socle.trust.X5c;
import io.vertx.core.json.JsonObject;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Instant;
import java.util.List;

/**
 * Signs tree heads with the node key as compact JWS: ES256, {@code typ} {@value #TYPE}, and the node's
 * certificate chain in {@code x5c} so that an auditor needs only the federation root certificate.
 * Claims: {@code size} (number), {@code root} (base64url) and {@code time} (RFC 3339 UTC).
 *
 * <p>The key and chain are checked once here, at startup, including that the key matches the first
 * certificate: a node that signs with the wrong key would produce heads no auditor can verify, and
 * would only find out at the first audit.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7515#section-4.1.6">RFC 7515 §4.1.6 (x5c)</a>
 */
public final class TreeHeadSigner {

  /** The {@code typ} header of a signed tree head, explicit typing per RFC 8725 §3.11. */
  public static final String TYPE = "socle-sth+jwt";

  private final ECDSASigner signer;
  private final List<Base64> x5c;

  /**
   * @param key the node's EC P-256 private key
   * @param chain the node certificate first, then any intermediates (the root may be omitted)
   * @throws IllegalArgumentException when the key is not P-256 or does not match {@code chain.get(0)}
   */
  public TreeHeadSigner(PrivateKey key, List<X509Certificate> chain) {
    if (!(key instanceof ECPrivateKey ecKey) || !Curve.P_256.equals(Curve.forECParameterSpec(ecKey.getParams()))) {
      throw new IllegalArgumentException("tree head key must be an EC P-256 private key, got " + describe(key));
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("tree head certificate chain is empty, want the node certificate first");
    }
    checkKeyMatches(ecKey, chain.get(0));
    try {
      this.signer = new ECDSASigner(ecKey);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("tree head key refused by the signer: " + e.getMessage(), e);
    }
    this.x5c = X5c.of(chain);
  }

  /** Signs the head of a tree of {@code size} entries with {@code root}, at {@code time}. */
  public SignedTreeHead sign(long size, byte[] root, Instant time) {
    Instant at = AuditTime.truncate(time);
    JsonObject claims = new JsonObject()
        .put("size", size)
        .put("root", Merkle.encodeHash(root))
        .put("time", AuditTime.format(at));
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256)
        .type(new JOSEObjectType(TYPE))
        .x509CertChain(x5c)
        .build();
    JWSObject jws = new JWSObject(header, new Payload(claims.encode()));
    try {
      jws.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a tree head failed: " + e.getMessage(), e);
    }
    return new SignedTreeHead(size, root, at, jws.serialize());
  }

  private static void checkKeyMatches(ECPrivateKey key, X509Certificate cert) {
    byte[] probe = "socle tree head key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(probe);
      byte[] signature = s.sign();
      Signature v = Signature.getInstance("SHA256withECDSA");
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      if (!v.verify(signature)) {
        throw new IllegalArgumentException("tree head key does not match certificate " + cert.getSubjectX500Principal());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("tree head key does not match certificate "
          + cert.getSubjectX500Principal() + ": " + e.getMessage(), e);
    }
  }

  private static String describe(PrivateKey key) {
    return key == null ? "null" : key.getAlgorithm() + " key (" + key.getClass().getSimpleName() + ")";
  }
}
