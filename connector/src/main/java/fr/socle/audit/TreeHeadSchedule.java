package fr.socle.audit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs a tree head once {@code everyEntries} entries were appended since the last one, or once
 * {@code everyMillis} passed with at least one new entry, and a last one on shutdown, so that an
 * auditor's window of unsigned entries stays bounded.
 */
public final class TreeHeadSchedule {

  private static final Logger LOG = LoggerFactory.getLogger(TreeHeadSchedule.class);
  private static final long CHECK_MILLIS = 1_000;

  private final Vertx vertx;
  private final AuditLog log;
  private final long everyEntries;
  private final long everyMillis;
  private long timer = -1;
  private long signedSize;
  private long signedAt;
  private boolean signing;

  public TreeHeadSchedule(Vertx vertx, AuditLog log, long everyEntries, long everyMillis) {
    this.vertx = vertx;
    this.log = log;
    this.everyEntries = everyEntries;
    this.everyMillis = everyMillis;
  }

  public void start() {
    signedSize = log.size();
    signedAt = System.currentTimeMillis();
    timer = vertx.setPeriodic(CHECK_MILLIS, t -> check());
  }

  private void check() {
    long size = log.size();
    long now = System.currentTimeMillis();
    boolean due = size - signedSize >= everyEntries || (size > signedSize && now - signedAt >= everyMillis);
    if (due && !signing) {
      sign().onFailure(e -> LOG.warn("cannot sign an audit tree head: {}", e.getMessage()));
    }
  }

  private Future<Void> sign() {
    signing = true;
    long now = System.currentTimeMillis();
    return log.signTreeHead().onComplete(done -> signing = false).map(head -> {
      signedSize = head.size();
      signedAt = now;
      LOG.info("signed audit tree head at size {}", head.size());
      return null;
    });
  }

  /** Stops the schedule and signs the entries appended since the last head. */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return log.size() > signedSize ? sign() : Future.succeededFuture();
  }
}
