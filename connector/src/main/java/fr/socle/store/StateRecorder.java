package fr.socle.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Told of every committed state change of a negotiation or transfer, and of every agreement, after
 * the commit and before the caller learns of it: the node's audit log.
 */
@FunctionalInterface
public interface StateRecorder {

  /** Records nothing: unit tests and tools that only read. */
  StateRecorder NONE = (kind, subject, payload) -> Future.succeededFuture();

  /**
   * @param kind {@code negotiation}, {@code transfer} or {@code agreement}
   * @param subject the process or agreement id
   */
  Future<Void> record(String kind, String subject, JsonObject payload);
}
