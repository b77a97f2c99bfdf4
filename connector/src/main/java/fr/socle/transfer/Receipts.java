package fr.socle.transfer;

import fr.socle.audit.AuditLog;
import fr.socle.audit.AuditType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's side of the audit trail of data: each body this node received, pulled through its
 * management API or pushed to its receiver, is a {@code DATA_RECEIVED} entry naming the provider, the
 * agreement, the bytes and their SHA-256, so that a consumer can show what it received and under
 * which agreement, as its provider's {@code DATA_ACCESS} entries show what was served.
 */
public final class Receipts {

  private static final Logger LOG = LoggerFactory.getLogger(Receipts.class);

  private final AuditLog audit;

  public Receipts(AuditLog audit) {
    this.audit = audit;
  }

  /**
   * Records what consumer transfer {@code t} received; {@code details} says how ({@code mode}), how
   * much and whether whole. Never fails: the data has arrived already, and the log says why an entry
   * is missing.
   */
  public Future<Void> record(Transfer t, JsonObject details) {
    JsonObject payload = new JsonObject().put("transfer", t.id()).put("agreement", t.agreementId())
        .put("provider", t.counterPartyId()).mergeIn(details);
    return audit.append(AuditType.DATA_RECEIVED, t.id(), payload)
        .onFailure(e -> LOG.error("cannot record received data in the audit log: {}", e.getMessage()))
        .<Void>mapEmpty().otherwiseEmpty();
  }
}
