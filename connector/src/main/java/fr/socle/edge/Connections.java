package fr.socle.edge;

import io.vertx.core.http.HttpServer;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bound on the connections a server holds at once. Each connection costs buffers and a TLS session
 * whatever it sends; without a bound, a member (or a broken client) opening connections without end
 * would take the memory every partner needs. Beyond the bound a new connection is closed at once, and
 * those already open are not touched.
 */
public final class Connections {

  private static final Logger LOG = LoggerFactory.getLogger(Connections.class);

  private Connections() {
  }

  /** {@code server}, closing any connection beyond {@code max} open ones; returns the count it keeps. */
  public static AtomicInteger cap(HttpServer server, int max, String name) {
    AtomicInteger open = new AtomicInteger();
    server.connectionHandler(connection -> {
      if (open.incrementAndGet() > max) {
        open.decrementAndGet();
        LOG.warn("{}: {} connections open, the maximum; closing a new one from {}", name, max,
            connection.remoteAddress());
        connection.close();
        return;
      }
      connection.closeHandler(closed -> open.decrementAndGet());
    });
    return open;
  }
}
