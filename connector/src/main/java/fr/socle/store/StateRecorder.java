package fr.socle.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Records every state change of a negotiation or transfer, and every agreement, in the node's audit
 * log, durably before anyone learns of the change: {@link #stage} writes the record in the change's
 * own transaction (so a crash cannot keep the change and lose its record), {@link #publish} then moves
 * it into the log after the commit. What a crash leaves staged is logged at the next start.
 */
public interface StateRecorder {

  /** Records nothing: unit tests and tools that only read. */
  StateRecorder NONE = new StateRecorder() {
    @Override
    public void stage(Connection c, String kind, String subject, JsonObject payload) {
    }

    @Override
    public Future<Void> publish() {
      return Future.succeededFuture();
    }
  };

  /**
   * Called inside the caller's transaction, on its worker thread, before the commit.
   *
   * @param kind {@code negotiation}, {@code transfer} or {@code agreement}
   * @param subject the process or agreement id
   */
  void stage(Connection c, String kind, String subject, JsonObject payload) throws SQLException;

  /** Called after the commit: logs what is staged; a failure leaves it staged for the next call. */
  Future<Void> publish();

  /**
   * {@link #publish()} after a committed change, then {@code value}: the change stands whether or not
   * its record reached the log now, since a record left staged is published at the next call or start.
   *
   * @param subject what changed, for the log line when publishing fails
   */
  default <T> Future<T> published(T value, String subject) {
    return publish().recover(e -> {
      org.slf4j.LoggerFactory.getLogger(StateRecorder.class)
          .error("{}: its audit record stays staged for now: {}", subject, e.getMessage());
      return Future.succeededFuture();
    }).map(value);
  }
}
