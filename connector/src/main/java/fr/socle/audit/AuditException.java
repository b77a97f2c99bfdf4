package fr.socle.audit;

import io.vertx.core.VertxException;
import java.util.Objects;

/**
 * An expected refusal by {@link AuditLog}, carried by a failed Future: a full queue, a request beyond
 * the log's size, a log not started, a corrupt store. Stackless, because these are outcomes, not bugs;
 * database failures are passed through as they are.
 */
public final class AuditException extends VertxException {

  private final Reason reason;

  public AuditException(Reason reason, String message) {
    super(message, true);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
