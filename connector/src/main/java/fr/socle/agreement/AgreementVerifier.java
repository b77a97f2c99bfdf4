package fr.socle.agreement;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import fr.socle.agreement.AgreementSigner.Role;
import fr.socle.trust.FederationVerifier;
import fr.socle.trust.Participant;
import fr.socle.trust.TrustException;
import fr.socle.trust.Verification;
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
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Verifies an agreement signature made by {@link AgreementSigner}, with one {@link SignatureReason}
 * per check, in this order: compact JWS structure, {@code typ}, {@code alg} (ES256 only, read from the
 * raw header before any key is touched), {@code x5c} present, certificate chain, signature, claims,
 * then the bindings: role, signer = the party the agreement names for that role ({@code assigner} for
 * the provider, {@code assignee} for the consumer), agreement id, canonical digest.
 *
 * <p>Two ways to trust a chain, chosen at construction: {@link #federation} for a node checking its
 * counter-party on receipt (the federation's own issuing CA, the CRL, node key usages, as for TLS and
 * node tokens), and {@link #offline} for an auditor holding only the root certificate (PKIX to the
 * root through the {@code x5c} intermediates, no revocation since the check must work offline; the
 * clock may be set inside the certificates' validity for old agreements).
 */
public final class AgreementVerifier {

  private static final String ALG = "ES256";

  private final Function<List<X509Certificate>, Verification> chains;

  private AgreementVerifier(Function<List<X509Certificate>, Verification> chains) {
    this.chains = chains;
  }

  /** On a node: chains are checked by the current federation verifier (swapped when the CRL is reloaded). */
  public static AgreementVerifier federation(Supplier<FederationVerifier> verifier) {
    return new AgreementVerifier(chain -> verifier.get().verify(chain));
  }

  /** For an auditor: the federation root certificate alone. */
  public static AgreementVerifier offline(X509Certificate root, Clock clock) {
    return new AgreementVerifier(chain -> toRoot(chain, root, clock));
  }

  /** Checks that {@code jws} is {@code role}'s valid signature of exactly {@code agreement}. */
  public SignatureCheck verify(String jws, JsonObject agreement, Role role) {
    if (jws == null || jws.isEmpty()) {
      return invalid(SignatureReason.UNSIGNED, "no " + role.claim() + " signature");
    }
    String[] parts = jws.split("\\.", -1);
    if (parts.length != 3) {
      return invalid(SignatureReason.MALFORMED, "not a compact JWS: " + parts.length + " parts, want 3");
    }
    JsonObject header;
    JsonObject claims;
    try {
      header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
      claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      Base64.getUrlDecoder().decode(parts[2]);
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return invalid(SignatureReason.MALFORMED, "not a compact JWS with a JSON header and payload: " + e.getMessage());
    }
    if (!AgreementSigner.TYPE.equals(header.getValue("typ"))) {
      return invalid(SignatureReason.WRONG_TYPE, "typ is " + quote(header.getValue("typ")) + ", want '"
          + AgreementSigner.TYPE + "'");
    }
    Object alg = header.getValue("alg");
    if ("none".equals(alg) || parts[2].isEmpty()) {
      return invalid(SignatureReason.UNSIGNED, "alg " + quote(alg) + " with " + parts[2].length()
          + " signature characters: the JWS is unsigned");
    }
    if (!ALG.equals(alg)) {
      return invalid(SignatureReason.ALG_NOT_ALLOWED, "alg " + quote(alg) + " is not allowed, want '" + ALG + "'");
    }
    if (!(header.getValue("x5c") instanceof JsonArray x5c) || x5c.isEmpty()) {
      return invalid(SignatureReason.MISSING_X5C, "no x5c certificate chain in the header");
    }
    List<X509Certificate> chain = new ArrayList<>();
    String decodeProblem = decode(x5c, chain);
    if (decodeProblem != null) {
      return invalid(SignatureReason.UNTRUSTED_CHAIN, decodeProblem);
    }
    Verification trusted = chains.apply(chain);
    if (trusted instanceof Verification.Rejected rejected) {
      return invalid(SignatureReason.UNTRUSTED_CHAIN, rejected.reason().code() + ": " + rejected.detail());
    }
    Verification.Verified signer = (Verification.Verified) trusted;
    SignatureCheck.Invalid bad = checkSignature(jws, signer.certificate());
    if (bad != null) {
      return bad;
    }
    return checkClaims(claims, agreement, role, signer);
  }

  private static SignatureCheck checkClaims(JsonObject claims, JsonObject agreement, Role role,
      Verification.Verified signer) {
    for (String name : List.of("agreement", "digest", "role", "participant")) {
      if (!(claims.getValue(name) instanceof String)) {
        return invalid(SignatureReason.INVALID_CLAIM, "claim '" + name + "' is " + quote(claims.getValue(name))
            + ", want a string");
      }
    }
    if (!(claims.getValue("iat") instanceof Number iat) || iat.longValue() < 0) {
      return invalid(SignatureReason.INVALID_CLAIM, "claim 'iat' is " + quote(claims.getValue("iat"))
          + ", want epoch seconds");
    }
    if (!role.claim().equals(claims.getString("role"))) {
      return invalid(SignatureReason.ROLE_MISMATCH, "signed as " + quote(claims.getString("role")) + ", want '"
          + role.claim() + "'");
    }
    String certified = signer.participant().id().value();
    if (!certified.equals(claims.getString("participant"))) {
      return invalid(SignatureReason.SIGNER_MISMATCH, "claim 'participant' is " + claims.getString("participant")
          + " but the certificate is " + certified + "'s");
    }
    Object named = agreement.getValue(role == Role.PROVIDER ? "assigner" : "assignee");
    if (!certified.equals(named)) {
      return invalid(SignatureReason.SIGNER_MISMATCH, "signed by " + certified + ", but the agreement's "
          + (role == Role.PROVIDER ? "assigner" : "assignee") + " is " + quote(named));
    }
    if (!claims.getString("agreement").equals(agreement.getValue("@id"))) {
      return invalid(SignatureReason.AGREEMENT_ID_MISMATCH, "signature is for agreement " + claims.getString("agreement")
          + ", want " + quote(agreement.getValue("@id")));
    }
    String digest = AgreementSigner.digest(agreement);
    if (!digest.equals(claims.getString("digest"))) {
      return invalid(SignatureReason.DIGEST_MISMATCH, "the agreement was altered after signing (want: "
          + claims.getString("digest") + ", got: " + digest + ")");
    }
    return new SignatureCheck.Valid(role, certified, signer.certificate(), Instant.ofEpochSecond(iat.longValue()));
  }

  private static SignatureCheck.Invalid checkSignature(String jws, X509Certificate certificate) {
    if (!(certificate.getPublicKey() instanceof ECPublicKey key)
        || !Curve.P_256.equals(Curve.forECParameterSpec(key.getParams()))) {
      return invalid(SignatureReason.BAD_SIGNATURE, "the signing certificate holds a "
          + certificate.getPublicKey().getAlgorithm() + " key that is not EC P-256, which ES256 needs");
    }
    try {
      if (!JWSObject.parse(jws).verify(new ECDSAVerifier(key))) {
        return invalid(SignatureReason.BAD_SIGNATURE, "the signature does not verify with the key of "
            + certificate.getSubjectX500Principal().getName());
      }
      return null;
    } catch (ParseException e) {
      return invalid(SignatureReason.MALFORMED, "not a compact JWS: " + e.getMessage());
    } catch (JOSEException e) {
      return invalid(SignatureReason.BAD_SIGNATURE, "the signature does not verify: " + e.getMessage());
    }
  }

  private static String decode(JsonArray x5c, List<X509Certificate> out) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (int i = 0; i < x5c.size(); i++) {
        if (!(x5c.getValue(i) instanceof String text)) {
          return "x5c[" + i + "] is not a string";
        }
        try {
          out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(text))));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
          return "x5c[" + i + "] is not a base64 DER certificate: " + e.getMessage();
        }
      }
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X.509 certificate factory unavailable", e);
    }
  }

  /** PKIX from the x5c leaf through its intermediates to {@code root}, at the clock's time, without revocation. */
  private static Verification toRoot(List<X509Certificate> chain, X509Certificate root, Clock clock) {
    List<X509Certificate> path = new ArrayList<>(chain);
    // RFC 5280 paths exclude the trust anchor; x5c may still carry it (RFC 7515 §4.1.6).
    path.removeIf(root::equals);
    if (path.isEmpty() || !path.get(0).equals(chain.get(0))) {
      return rejected("x5c must start with the signer's node certificate, not the root certificate");
    }
    X509Certificate leaf = path.get(0);
    if (leaf.getBasicConstraints() >= 0) {
      return rejected("x5c[0] " + leaf.getSubjectX500Principal().getName() + " is a CA certificate, want a node's");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && !usage[0]) {
      return rejected("x5c[0] " + leaf.getSubjectX500Principal().getName()
          + " may not sign: its keyUsage lacks digitalSignature");
    }
    try {
      PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
      params.setRevocationEnabled(false);
      params.setDate(Date.from(clock.instant()));
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path),
          params);
    } catch (GeneralSecurityException e) {
      return rejected("x5c does not chain to the root " + root.getSubjectX500Principal().getName() + ": "
          + e.getMessage());
    }
    try {
      return new Verification.Verified(Participant.fromCertificate(leaf), leaf);
    } catch (TrustException e) {
      return new Verification.Rejected(e.reason(), e.getMessage());
    }
  }

  private static Verification rejected(String detail) {
    return new Verification.Rejected(fr.socle.trust.Reason.INVALID_CHAIN, detail);
  }

  private static SignatureCheck.Invalid invalid(SignatureReason reason, String detail) {
    return new SignatureCheck.Invalid(reason, detail);
  }

  private static String quote(Object value) {
    return value == null ? "absent" : "'" + value + "'";
  }
}
