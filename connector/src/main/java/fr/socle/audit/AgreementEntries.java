package fr.socle.audit;

import fr.socle.agreement.AgreementSigner.Role;
import fr.socle.agreement.AgreementVerifier;
import fr.socle.agreement.SignatureCheck;
import fr.socle.audit.AuditReport.Check;
import fr.socle.trust.JwsReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The agreement signatures in an export's {@link AuditType#AGREEMENT} entries, checked by
 * {@link AuditVerifier} once the entries are known to be the signed log's. Every signature an entry
 * holds must verify against the agreement recorded beside it; a party recorded as not (yet) signed
 * is counted and named in the report, never taken for a signature.
 */
final class AgreementEntries {

  private AgreementEntries() {
  }

  /** Null when the export holds no agreement entry (nothing to report). */
  static Check check(AgreementVerifier verifier, JsonArray entries) {
    int agreements = 0;
    int signatures = 0;
    StringBuilder unsigned = new StringBuilder();
    for (int i = 0; i < entries.size(); i++) {
      JsonObject entry = entries.getJsonObject(i);
      if (!AuditType.AGREEMENT.name().equals(entry.getValue("type"))) {
        continue;
      }
      agreements++;
      JsonObject payload = entry.getJsonObject("payload");
      Object seq = entry.getValue("seq");
      if (!(payload.getValue("agreement") instanceof JsonObject agreement)) {
        return new Check("agreements", Reason.MALFORMED, "entry " + seq + ": no 'agreement' object");
      }
      JsonObject recorded = payload.getValue("signatures") instanceof JsonObject s ? s : new JsonObject();
      for (Role role : Role.values()) {
        JsonObject side = recorded.getValue(role.claim()) instanceof JsonObject o ? o : new JsonObject();
        Object state = side.getValue("state");
        if (!(side.getValue("jws") instanceof String jws)) {
          if ("SIGNED".equals(state)) {
            return new Check("agreements", JwsReason.UNSIGNED, "entry " + seq + ": the " + role.claim()
                + " signature is recorded as SIGNED but absent");
          }
          unsigned.append(unsigned.isEmpty() ? "" : ", ").append("entry ").append(seq).append(' ').append(role.claim())
              .append(' ').append(state == null ? "absent" : state);
          continue;
        }
        SignatureCheck result = verifier.verify(jws, agreement, role);
        if (result instanceof SignatureCheck.Invalid invalid) {
          return new Check("agreements", JwsReason.BAD_SIGNATURE, "entry " + seq + " (agreement "
              + agreement.getValue("@id") + "): " + role.claim() + " signature: " + invalid.summary());
        }
        signatures++;
      }
    }
    if (agreements == 0) {
      return null;
    }
    return new Check("agreements", null, agreements + " agreement entries, " + signatures + " signatures verified"
        + (unsigned.isEmpty() ? "" : "; not signed: " + unsigned));
  }
}
