package fr.socle.agreement;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64;
import fr.socle.canonical.Jcs;
import fr.socle.trust.TrustMaterial;
import fr.socle.trust.X5c;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * Signs a contract agreement with the node key: a compact JWS, ES256, {@code typ}
 * {@value #TYPE}, the node's certificate chain in {@code x5c} (so an auditor needs only the
 * federation root certificate), over a small claims set that binds the RFC 8785 canonical form of
 * the agreement:
 *
 * <pre>{"agreement": "&lt;@id&gt;", "digest": "sha-256=&lt;base64url of SHA-256(JCS(agreement))&gt;",
 *  "role": "provider"|"consumer", "participant": "NTRFR-&lt;SIREN&gt;", "iat": &lt;epoch seconds&gt;}</pre>
 *
 * <p>Why a digest of the canonical form rather than the agreement bytes: the agreement travels inside
 * a DSP message and is re-encoded on the way (member order, number spelling); JCS makes both parties
 * and the auditor hash the same thing. The role is signed so a provider's signature cannot be passed
 * off as the consumer's countersignature.
 *
 * <p>Immutable and thread-safe; the key is checked once here, so a node that cannot sign fails at start.
 */
public final class AgreementSigner {

  /**
   * The DSP message member that carries a party's signature: in the provider's
   * ContractAgreementMessage and in the consumer's ContractAgreementVerificationMessage. An absolute
   * IRI, which the DSP context leaves untouched and other connectors ignore; provisional, like the
   * usage declaration's (see {@link fr.socle.policy.UsageDeclaration}).
   */
  public static final String MESSAGE_MEMBER = "https://w3id.org/socle/v1/agreementSignature";

  /** The {@code typ} header of an agreement signature, explicit typing per RFC 8725 §3.11. */
  public static final String TYPE = "socle-agreement+jws";

  /** Which party's signature this is. */
  public enum Role {
    /** The provider's signature, made when it agrees; the agreement's {@code assigner}. */
    PROVIDER,
    /** The consumer's countersignature, made when it verifies; the agreement's {@code assignee}. */
    CONSUMER;

    public String claim() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String participant;
  private final ECDSASigner signer;
  private final List<Base64> x5c;
  private final Clock clock;

  public AgreementSigner(TrustMaterial material, Clock clock) {
    this.participant = material.participant().id().value();
    this.clock = clock;
    X509Certificate leaf = material.nodeCertificate();
    if (!(leaf.getPublicKey() instanceof ECPublicKey key)
        || !Curve.P_256.equals(Curve.forECParameterSpec(key.getParams()))) {
      throw new IllegalArgumentException("agreements are signed ES256, which needs an EC P-256 node key; the node "
          + "certificate has a " + leaf.getPublicKey().getAlgorithm() + " key");
    }
    try {
      this.signer = new ECDSASigner(material.nodeKey(), Curve.P_256);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("the node key cannot sign ES256: " + e.getMessage(), e);
    }
    this.x5c = X5c.of(material.nodeChain());
  }

  public String participant() {
    return participant;
  }

  /** A compact JWS by this node, as {@code role}, over {@code agreement} (the ODRL agreement object). */
  public String sign(JsonObject agreement, Role role) {
    JsonObject claims = new JsonObject()
        .put("agreement", agreement.getString("@id"))
        .put("digest", digest(agreement))
        .put("role", role.claim())
        .put("participant", participant)
        .put("iat", clock.instant().getEpochSecond());
    JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType(TYPE))
        .x509CertChain(x5c).build(), new Payload(claims.encode()));
    try {
      jws.sign(signer);
    } catch (JOSEException e) {
      // Key and curve were checked in the constructor: a JCA fault, not bad input.
      throw new IllegalStateException("signing an agreement failed: " + e.getMessage(), e);
    }
    return jws.serialize();
  }

  /** {@code sha-256=} then the base64url SHA-256 of the agreement's RFC 8785 canonical form. */
  public static String digest(JsonObject agreement) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(Jcs.canonicalBytes(agreement));
      return "sha-256=" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
