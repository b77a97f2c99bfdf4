package fr.socle.agreement;

import fr.socle.agreement.AgreementSigner.Role;
import fr.socle.trust.FederationVerifier;
import fr.socle.trust.JwsReason;
import fr.socle.trust.ReasonCode;
import fr.socle.trust.SignedJws;
import io.vertx.core.json.JsonObject;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * Verifies an agreement signature made by {@link AgreementSigner}: the JWS through {@link SignedJws}
 * (structure, {@code typ}, {@code alg} ES256, {@code x5c}, chain, signature; its {@link JwsReason}s),
 * then the claims, then the bindings, each with its {@link SignatureReason}: role, signer = the party
 * the agreement names for that role ({@code assigner} for the provider, {@code assignee} for the
 * consumer), agreement id, canonical digest.
 *
 * <p>Two ways to trust a chain, chosen at construction: {@link #federation} for a node checking its
 * counter-party on receipt (the federation's own issuing CA, the CRL, node key usages, as for TLS and
 * node tokens), and {@link #offline} for an auditor holding only the root certificate
 * ({@link FederationVerifier#offline}: no revocation, the clock may be set inside the certificates'
 * validity for old agreements).
 */
public final class AgreementVerifier {

  private final SignedJws jws;

  private AgreementVerifier(Supplier<FederationVerifier> federation) {
    this.jws = SignedJws.named("agreement signature", AgreementSigner.TYPE, federation);
  }

  /** On a node: chains are checked by the current federation verifier (swapped when the CRL is reloaded). */
  public static AgreementVerifier federation(Supplier<FederationVerifier> verifier) {
    return new AgreementVerifier(verifier);
  }

  /** For an auditor: the federation root certificate alone. */
  public static AgreementVerifier offline(X509Certificate root, Clock clock) {
    FederationVerifier offline = FederationVerifier.offline(root, clock);
    return new AgreementVerifier(() -> offline);
  }

  /** Checks that {@code jws} is {@code role}'s valid signature of exactly {@code agreement}. */
  public SignatureCheck verify(String jws, JsonObject agreement, Role role) {
    if (jws == null || jws.isEmpty()) {
      return invalid(JwsReason.UNSIGNED, "no " + role.claim() + " signature");
    }
    SignedJws.Outcome outcome = this.jws.verify(jws);
    if (outcome instanceof SignedJws.Refused refused) {
      return invalid(refused.reason(), refused.detail());
    }
    return checkClaims((SignedJws.Signed) outcome, agreement, role);
  }

  private static SignatureCheck checkClaims(SignedJws.Signed signed, JsonObject agreement, Role role) {
    JsonObject claims = signed.claims();
    for (String name : List.of("agreement", "digest", "role", "participant")) {
      if (!(claims.getValue(name) instanceof String)) {
        return invalid(JwsReason.INVALID_CLAIM, "claim '" + name + "' is " + quote(claims.getValue(name))
            + ", want a string");
      }
    }
    if (!(claims.getValue("iat") instanceof Number iat) || iat.longValue() < 0) {
      return invalid(JwsReason.INVALID_CLAIM, "claim 'iat' is " + quote(claims.getValue("iat"))
          + ", want epoch seconds");
    }
    if (!role.claim().equals(claims.getString("role"))) {
      return invalid(SignatureReason.ROLE_MISMATCH, "signed as " + quote(claims.getString("role")) + ", want '"
          + role.claim() + "'");
    }
    String certified = signed.participant().id().value();
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
      return invalid(SignatureReason.AGREEMENT_ID_MISMATCH,
          "signature is for agreement " + claims.getString("agreement")
          + ", want " + quote(agreement.getValue("@id")));
    }
    String digest = AgreementSigner.digest(agreement);
    if (!digest.equals(claims.getString("digest"))) {
      return invalid(SignatureReason.DIGEST_MISMATCH, "the agreement was altered after signing (want: "
          + claims.getString("digest") + ", got: " + digest + ")");
    }
    return new SignatureCheck.Valid(role, certified, signed.signer(), Instant.ofEpochSecond(iat.longValue()));
  }

  private static SignatureCheck.Invalid invalid(ReasonCode reason, String detail) {
    return new SignatureCheck.Invalid(reason, detail);
  }

  private static String quote(Object value) {
    return value == null ? "absent" : "'" + value + "'";
  }
}
