package fr.socle.trust;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The one verification of a compact JWS signed by a federation node: node tokens, agreement
 * signatures and audit tree heads all go through it, and each caller checks only its own claims.
 *
 * <p>{@link #verify} runs these steps in this order and stops at the first failure, each with its
 * {@link JwsReason}, so a JWS wrong in several ways is always refused for the same one (RFC 8725, the
 * JWT best current practice, for the choices):
 * <ol>
 *   <li>structure: three base64url parts, a JSON object header naming an {@code alg}, a JSON object
 *       payload ({@code malformed});</li>
 *   <li>{@code typ} is the caller's (explicit typing, RFC 8725 §3.11, compared ignoring case as RFC
 *       7515 §4.1.9 says): a JWS of one kind, signed by the same node key, never passes as another
 *       ({@code wrong_type});</li>
 *   <li>{@code alg}, read from the raw header before any key is touched: {@code none} or an empty
 *       signature is {@code unsigned}; anything but ES256 is {@code alg_not_allowed} (HMAC would take the
 *       public key for a secret);</li>
 *   <li>no critical header parameter, since none is implemented (RFC 7515 §4.1.11; {@code malformed});</li>
 *   <li>{@code x5c} present ({@code missing_x5c}) and decoding to certificates ({@code untrusted_chain});</li>
 *   <li>the chain belongs to the federation, as the {@link FederationVerifier} in force decides: on a
 *       node the issuing CA and the CRL, for an auditor {@link FederationVerifier#offline} ({@code
 *       untrusted_chain}, keeping the verifier's own refusal);</li>
 *   <li>the signature verifies with the EC P-256 key of the {@code x5c} leaf ({@code bad_signature}).</li>
 * </ol>
 * Only then are the claims handed to the caller, as {@link Signed}. The key is only ever the x5c
 * leaf's: {@code jwk}, {@code jku}, {@code x5u} and {@code kid} are ignored, so a JWS cannot point the
 * verifier at a key of its choosing.
 *
 * <p>Immutable; the federation verifier is read from its supplier at each call, so that a reloaded
 * CRL applies at once.
 */
public final class SignedJws {

  /** The only algorithm accepted: ECDSA P-256 with SHA-256, the node keys' algorithm. */
  public static final String ALG = JWSAlgorithm.ES256.getName();

  private static final JWSHeader ES256 = new JWSHeader(JWSAlgorithm.ES256);

  private final String noun;
  private final String type;
  private final Supplier<FederationVerifier> federation;
  private final boolean named;

  private SignedJws(String noun, String type, Supplier<FederationVerifier> federation, boolean named) {
    this.noun = Objects.requireNonNull(noun, "noun");
    this.type = Objects.requireNonNull(type, "type");
    this.federation = Objects.requireNonNull(federation, "federation");
    this.named = named;
  }

  /**
   * For JWSs whose signer must be a participant: the leaf must name one (organizationIdentifier with a
   * valid SIREN), as {@link FederationVerifier#verify} requires, and {@link Signed#participant} is it.
   *
   * @param noun what the JWS is, for messages (e.g. {@code node token})
   * @param type the {@code typ} header it must carry
   */
  public static SignedJws named(String noun, String type, Supplier<FederationVerifier> federation) {
    return new SignedJws(noun, type, federation, true);
  }

  /**
   * For JWSs whose signer is known by its certificate alone (audit tree heads): every check of
   * {@link #named} but the participant id; {@link Signed#participant} is then null.
   */
  public static SignedJws byCertificate(String noun, String type, Supplier<FederationVerifier> federation) {
    return new SignedJws(noun, type, federation, false);
  }

  /** The outcome of {@link #verify}: a refusal is an expected value, not an exception. */
  public sealed interface Outcome permits Signed, Refused {
  }

  /**
   * Every step held: {@code claims} are signed by {@code signer}, the x5c leaf, whose participant is
   * {@code participant} (null for {@link #byCertificate}).
   */
  public record Signed(JsonObject claims, X509Certificate signer, Participant participant) implements Outcome {
  }

  /**
   * A step failed; {@code detail} says what was expected and what was found. {@code chain} is the
   * {@link FederationVerifier}'s own refusal when it refused the chain (its reason is more precise than
   * {@code untrusted_chain}, e.g. {@code certificate_revoked}), null otherwise.
   */
  public record Refused(JwsReason reason, String detail, Verification.Rejected chain) implements Outcome {
  }

  /** Verifies {@code jws} (compact serialization, not null) up to its signature; see the class note. */
  public Outcome verify(String jws) {
    // 1. Structure.
    String[] parts = jws.split("\\.", -1);
    if (parts.length != 3) {
      return refuse(JwsReason.MALFORMED, noun + " is not a compact JWS: " + parts.length + " parts, want 3");
    }
    JsonObject header;
    JsonObject claims;
    try {
      header = json(parts[0]);
      claims = json(parts[1]);
      Base64.getUrlDecoder().decode(parts[2]);
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return refuse(JwsReason.MALFORMED, noun + " does not parse as a compact JWS with a JSON header and payload: "
          + e.getMessage());
    }
    if (!(header.getValue("alg") instanceof String alg)) {
      return refuse(JwsReason.MALFORMED, noun + " does not parse: its header has no 'alg' string, which every JWS"
          + " needs (RFC 7515 §4.1.1)");
    }
    // 2. Explicit type.
    Object typ = header.getValue("typ");
    if (!(typ instanceof String given) || !given.equalsIgnoreCase(type)) {
      return refuse(JwsReason.WRONG_TYPE, "typ is " + quote(typ) + ", want '" + type + "'");
    }
    // 3. Algorithm, before any key is touched.
    if ("none".equals(alg)) {
      return refuse(JwsReason.UNSIGNED, "unsigned " + noun + ": alg 'none'");
    }
    if (!ALG.equals(alg)) {
      return refuse(JwsReason.ALG_NOT_ALLOWED, "alg " + quote(alg) + " is not allowed, want '" + ALG + "'");
    }
    if (parts[2].isEmpty()) {
      return refuse(JwsReason.UNSIGNED, "unsigned " + noun + ": the signature part is empty");
    }
    // 4. Critical parameters: a recipient must refuse those it does not implement, which is all of them.
    if (header.containsKey("crit")) {
      return refuse(JwsReason.MALFORMED, "critical header parameters are not supported, got "
          + header.getValue("crit"));
    }
    // 5. Certificate chain present.
    if (!(header.getValue("x5c") instanceof JsonArray x5c) || x5c.isEmpty()) {
      return refuse(JwsReason.MISSING_X5C, "no x5c header: expected the signer's certificate chain, found none");
    }
    List<X509Certificate> chain = new ArrayList<>(x5c.size());
    String undecodable = decode(x5c, chain);
    if (undecodable != null) {
      return refuse(JwsReason.UNTRUSTED_CHAIN, undecodable);
    }
    // 6. The chain belongs to the federation.
    X509Certificate leaf = chain.get(0);
    Participant participant = null;
    Verification.Rejected untrusted;
    if (named) {
      Verification membership = federation.get().verify(chain);
      untrusted = membership instanceof Verification.Rejected rejected ? rejected : null;
      participant = membership instanceof Verification.Verified member ? member.participant() : null;
    } else {
      untrusted = federation.get().chainRefusal(chain);
    }
    if (untrusted != null) {
      return new Refused(JwsReason.UNTRUSTED_CHAIN, untrusted.detail() + " (" + untrusted.reason().code() + ")",
          untrusted);
    }
    // 7. Signature, with the leaf's key only.
    String signer = "the x5c certificate '" + Participant.displayName(leaf) + "'"
        + (participant == null ? "" : " (" + participant.id() + ")");
    if (!(leaf.getPublicKey() instanceof ECPublicKey key)
        || !Curve.P_256.equals(Curve.forECParameterSpec(key.getParams()))) {
      return refuse(JwsReason.BAD_SIGNATURE, signer + " holds a " + leaf.getPublicKey().getAlgorithm()
          + " key that is not EC P-256, which ES256 needs");
    }
    try {
      byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
      if (!new ECDSAVerifier(key).verify(ES256, signingInput, new Base64URL(parts[2]))) {
        return refuse(JwsReason.BAD_SIGNATURE, "the signature does not verify with the key of " + signer);
      }
    } catch (JOSEException e) {
      return refuse(JwsReason.BAD_SIGNATURE, "the signature cannot be checked with the key of " + signer + ": "
          + e.getMessage());
    }
    return new Signed(claims, leaf, participant);
  }

  private static JsonObject json(String part) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
  }

  /** Fills {@code out} with the x5c certificates, leaf first; null, or why one does not decode. */
  private static String decode(JsonArray x5c, List<X509Certificate> out) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (int i = 0; i < x5c.size(); i++) {
        if (!(x5c.getValue(i) instanceof String text)) {
          return "x5c[" + i + "] is not a string";
        }
        try {
          // Standard base64, not base64url (RFC 7515 §4.1.6).
          byte[] der = Base64.getDecoder().decode(text);
          out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
          return "x5c[" + i + "] is not a base64 DER certificate: " + e.getMessage();
        }
      }
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X.509 certificate factory unavailable", e);
    }
  }

  private static Refused refuse(JwsReason reason, String detail) {
    return new Refused(reason, detail, null);
  }

  private static String quote(Object value) {
    return value == null ? "absent" : "'" + value + "'";
  }
}
