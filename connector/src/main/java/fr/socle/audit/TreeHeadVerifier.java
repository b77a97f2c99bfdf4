package fr.socle.audit;

import fr.socle.trust.FederationVerifier;
import fr.socle.trust.JwsReason;
import fr.socle.trust.SignedJws;
import io.vertx.core.json.JsonObject;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Verifies a signed tree head offline, against the federation root certificate alone.
 *
 * <p>The JWS goes through {@link SignedJws} with {@link FederationVerifier#offline} (PKIX to the root,
 * no revocation: the check must work offline; revocation of node certificates is the trust package's
 * concern), and the first failure is returned with its {@link JwsReason}; the claims are read only once
 * the signature holds. The signer is known by its certificate: a tree head needs no participant id.
 *
 * <p>The chain is validated at the verifier's clock time. An auditor checking heads signed with a
 * certificate that has since expired must therefore run with a clock set inside its validity.
 */
public final class TreeHeadVerifier {

  private final SignedJws jws;

  public TreeHeadVerifier(X509Certificate root, Clock clock) {
    FederationVerifier offline = FederationVerifier.offline(root, clock);
    this.jws = SignedJws.byCertificate("tree head", TreeHeadSigner.TYPE, () -> offline);
  }

  public TreeHeadResult verify(String jws) {
    if (jws == null) {
      return new Rejected(JwsReason.MALFORMED, "tree head is absent");
    }
    SignedJws.Outcome outcome = this.jws.verify(jws);
    if (outcome instanceof SignedJws.Refused refused) {
      return new Rejected(refused.reason(), refused.detail());
    }
    SignedJws.Signed signed = (SignedJws.Signed) outcome;
    return readClaims(signed.claims(), jws, signed.signer());
  }

  private static TreeHeadResult readClaims(JsonObject claims, String jws, X509Certificate signer) {
    for (String name : List.of("size", "root", "time")) {
      if (claims.getValue(name) == null) {
        return new Rejected(JwsReason.MISSING_CLAIM, "claim '" + name + "' is absent");
      }
    }
    Object size = claims.getValue("size");
    if (!(size instanceof Integer || size instanceof Long) || ((Number) size).longValue() < 0) {
      return new Rejected(JwsReason.INVALID_CLAIM, "claim 'size' is " + size + ", want a non-negative integer");
    }
    if (!(claims.getValue("root") instanceof String rootText)) {
      return new Rejected(JwsReason.INVALID_CLAIM, "claim 'root' is not a string");
    }
    if (!(claims.getValue("time") instanceof String timeText)) {
      return new Rejected(JwsReason.INVALID_CLAIM, "claim 'time' is not a string");
    }
    byte[] rootHash;
    Instant time;
    try {
      rootHash = Merkle.decodeHash(rootText);
    } catch (IllegalArgumentException e) {
      return new Rejected(JwsReason.INVALID_CLAIM, "claim 'root': " + e.getMessage());
    }
    try {
      time = AuditTime.parse(timeText);
    } catch (IllegalArgumentException e) {
      return new Rejected(JwsReason.INVALID_CLAIM, "claim 'time': " + e.getMessage());
    }
    return new TreeHeadResult.Verified(new SignedTreeHead(((Number) size).longValue(), rootHash, time, jws), signer);
  }
}
