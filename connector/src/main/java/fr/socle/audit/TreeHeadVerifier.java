package fr.socle.audit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies a signed tree head offline, against the federation root certificate alone.
 *
 * <p>Checks run in a fixed order and the first failure is returned with its own {@link Reason}:
 * structure, {@code typ}, {@code alg} (ES256 only, decided from the raw header before any key is
 * touched, so {@code none} and HMAC algorithms never reach a verifier), {@code x5c} present, PKIX chain
 * to the root (no revocation: the check must work offline; revocation of node certificates is the trust
 * package's concern), signature, then claims. The payload is not interpreted until the signature holds.
 *
 * <p>The chain is validated at the verifier's clock time. An auditor checking heads signed with a
 * certificate that has since expired must therefore run with a clock set inside its validity.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8725">RFC 8725, JWT best current practices</a>
 */
public final class TreeHeadVerifier {

  private static final String ALLOWED_ALG = JWSAlgorithm.ES256.getName();

  private final X509Certificate root;
  private final Clock clock;

  public TreeHeadVerifier(X509Certificate root, Clock clock) {
    this.root = Objects.requireNonNull(root, "root");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public TreeHeadResult verify(String jws) {
    if (jws == null) {
      return new Rejected(Reason.MALFORMED, "tree head is absent");
    }
    String[] parts = jws.split("\\.", -1);
    if (parts.length != 3) {
      return new Rejected(Reason.MALFORMED, "tree head is not a compact JWS: " + parts.length + " parts, want 3");
    }
    JsonObject header;
    try {
      header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
      Base64.getUrlDecoder().decode(parts[1]);
      Base64.getUrlDecoder().decode(parts[2]);
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return new Rejected(Reason.MALFORMED, "tree head is not a compact JWS: " + e.getMessage());
    }

    Object typ = header.getValue("typ");
    if (!TreeHeadSigner.TYPE.equals(typ)) {
      return new Rejected(Reason.WRONG_TYPE, "typ is " + quote(typ) + ", want '" + TreeHeadSigner.TYPE + "'");
    }

    Object alg = header.getValue("alg");
    if ("none".equals(alg)) {
      return new Rejected(Reason.UNSIGNED, "tree head is unsigned (alg 'none')");
    }
    if (!ALLOWED_ALG.equals(alg)) {
      return new Rejected(Reason.ALG_NOT_ALLOWED, "alg " + quote(alg) + " is not allowed, want '" + ALLOWED_ALG + "'");
    }
    if (parts[2].isEmpty()) {
      return new Rejected(Reason.UNSIGNED, "tree head has an empty signature");
    }

    Object x5c = header.getValue("x5c");
    if (!(x5c instanceof JsonArray chainJson) || chainJson.isEmpty()) {
      return new Rejected(Reason.MISSING_X5C, "tree head has no x5c certificate chain");
    }

    List<X509Certificate> chain = new ArrayList<>();
    Rejected chainProblem = decodeChain(chainJson, chain);
    if (chainProblem == null) {
      chainProblem = validateChain(chain);
    }
    if (chainProblem != null) {
      return chainProblem;
    }

    X509Certificate signer = chain.get(0);
    Rejected signatureProblem = verifySignature(jws, signer);
    if (signatureProblem != null) {
      return signatureProblem;
    }
    return readClaims(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8), jws, signer);
  }

  private static Rejected decodeChain(JsonArray chainJson, List<X509Certificate> out) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (int i = 0; i < chainJson.size(); i++) {
        if (!(chainJson.getValue(i) instanceof String text)) {
          return new Rejected(Reason.UNTRUSTED_CHAIN, "x5c[" + i + "] is not a string");
        }
        try {
          byte[] der = Base64.getDecoder().decode(text);
          out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
          return new Rejected(Reason.UNTRUSTED_CHAIN, "x5c[" + i + "] is not a base64 DER certificate: " + e.getMessage());
        }
      }
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X.509 certificate factory unavailable", e);
    }
  }

  private Rejected validateChain(List<X509Certificate> chain) {
    // RFC 5280 paths exclude the trust anchor; x5c may still carry it (RFC 7515 §4.1.6 allows that).
    List<X509Certificate> path = new ArrayList<>(chain);
    path.removeIf(root::equals);
    if (path.isEmpty()) {
      return new Rejected(Reason.UNTRUSTED_CHAIN, "x5c holds only the root certificate, want the node certificate first");
    }
    if (!path.get(0).equals(chain.get(0))) {
      return new Rejected(Reason.UNTRUSTED_CHAIN, "x5c[0] is the root certificate, want the node certificate first");
    }
    // PKIX checks key usage on the CA certificates only; the signing certificate's is checked here.
    boolean[] keyUsage = chain.get(0).getKeyUsage();
    if (keyUsage != null && !keyUsage[0]) {
      return new Rejected(Reason.UNTRUSTED_CHAIN, "x5c[0] " + chain.get(0).getSubjectX500Principal().getName()
          + " may not sign: its keyUsage lacks digitalSignature");
    }
    try {
      PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
      params.setRevocationEnabled(false);
      params.setDate(Date.from(clock.instant()));
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
      return null;
    } catch (GeneralSecurityException e) {
      return new Rejected(Reason.UNTRUSTED_CHAIN, "x5c does not chain to root "
          + root.getSubjectX500Principal().getName() + ": " + e.getMessage());
    }
  }

  private static Rejected verifySignature(String jws, X509Certificate signer) {
    if (!(signer.getPublicKey() instanceof ECPublicKey key)
        || !Curve.P_256.equals(Curve.forECParameterSpec(key.getParams()))) {
      return new Rejected(Reason.BAD_SIGNATURE, "signing certificate holds a "
          + signer.getPublicKey().getAlgorithm() + " key that is not EC P-256, which ES256 needs");
    }
    try {
      if (!JWSObject.parse(jws).verify(new ECDSAVerifier(key))) {
        return new Rejected(Reason.BAD_SIGNATURE, "tree head signature does not verify");
      }
      return null;
    } catch (ParseException e) {
      return new Rejected(Reason.MALFORMED, "tree head is not a compact JWS: " + e.getMessage());
    } catch (JOSEException e) {
      return new Rejected(Reason.BAD_SIGNATURE, "tree head signature does not verify: " + e.getMessage());
    }
  }

  private static TreeHeadResult readClaims(String payload, String jws, X509Certificate signer) {
    JsonObject claims;
    try {
      claims = new JsonObject(payload);
    } catch (DecodeException | ClassCastException e) {
      return new Rejected(Reason.MALFORMED, "tree head payload is not a JSON object");
    }
    for (String name : List.of("size", "root", "time")) {
      if (claims.getValue(name) == null) {
        return new Rejected(Reason.MISSING_CLAIM, "claim '" + name + "' is absent");
      }
    }
    Object size = claims.getValue("size");
    if (!(size instanceof Integer || size instanceof Long) || ((Number) size).longValue() < 0) {
      return new Rejected(Reason.INVALID_CLAIM, "claim 'size' is " + size + ", want a non-negative integer");
    }
    if (!(claims.getValue("root") instanceof String rootText)) {
      return new Rejected(Reason.INVALID_CLAIM, "claim 'root' is not a string");
    }
    if (!(claims.getValue("time") instanceof String timeText)) {
      return new Rejected(Reason.INVALID_CLAIM, "claim 'time' is not a string");
    }
    byte[] rootHash;
    Instant time;
    try {
      rootHash = Merkle.decodeHash(rootText);
    } catch (IllegalArgumentException e) {
      return new Rejected(Reason.INVALID_CLAIM, "claim 'root': " + e.getMessage());
    }
    try {
      time = AuditTime.parse(timeText);
    } catch (IllegalArgumentException e) {
      return new Rejected(Reason.INVALID_CLAIM, "claim 'time': " + e.getMessage());
    }
    return new TreeHeadResult.Verified(new SignedTreeHead(((Number) size).longValue(), rootHash, time, jws), signer);
  }

  private static String quote(Object value) {
    return value == null ? "absent" : "'" + value + "'";
  }
}
