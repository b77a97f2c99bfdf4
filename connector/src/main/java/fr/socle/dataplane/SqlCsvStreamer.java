package fr.socle.dataplane;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.MultiMap;
import io.vertx.core.streams.WriteStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Exports a read-only SQL query on a configured database as CSV (RFC 4180), row by row.
 *
 * <p>JDBC blocks, so rows are read on a worker thread and handed to the event loop in chunks; the
 * worker waits whenever the sink's write queue is full, which carries the consumer's pace back
 * to the database cursor instead of buffering the result set.
 */
final class SqlCsvStreamer implements SourceStreamer {

  private static final int CHUNK = 64 * 1024;
  private static final int FETCH_SIZE = 500;

  private final Vertx vertx;
  private final Map<String, SqlDatabase> targets;
  private final long timeoutMillis;

  SqlCsvStreamer(Vertx vertx, Map<String, SqlDatabase> targets, long timeoutMillis) {
    this.vertx = vertx;
    this.targets = Map.copyOf(targets);
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public Future<Void> stream(Asset asset, String range, DataSink sink) {
    AssetSource.SqlSource source = (AssetSource.SqlSource) asset.source();
    SqlDatabase target = targets.get(source.dataSource());
    if (target == null) {
      return Future.failedFuture(new SourceUnavailable("asset " + asset.id() + " names the database '"
          + source.dataSource() + "', which this node's configuration does not define"));
    }
    Context context = vertx.getOrCreateContext();
    AtomicBoolean closed = new AtomicBoolean();
    return vertx.executeBlocking(() -> open(target, source.query()), false)
        .recover(e -> Future.failedFuture(new SourceUnavailable("the query of asset " + asset.id()
            + " failed: " + e.getMessage())))
        .compose(cursor -> sink.open(200, MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "text/csv; charset=utf-8"))
            .onFailure(e -> vertx.executeBlocking(() -> {
              cursor.close();
              return null;
            }, false))
            .compose(body -> vertx.executeBlocking(() -> {
              try (cursor) {
                cursor.copy(body, context, closed, timeoutMillis);
              }
              return null;
            }, false).compose(v -> body.end())));
  }

  private static Cursor open(SqlDatabase target, String query) throws SQLException {
    Connection connection = DriverManager.getConnection(target.url(), target.user(), target.password());
    try {
      connection.setReadOnly(true);
      connection.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
      Statement statement = connection.createStatement();
      statement.setFetchSize(FETCH_SIZE);
      statement.setQueryTimeout(60);
      return new Cursor(connection, statement.executeQuery(query));
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** An open result set and its connection, written out as CSV. */
  private record Cursor(Connection connection, ResultSet rows) implements AutoCloseable {

    void copy(WriteStream<Buffer> response, Context context, AtomicBoolean closed, long timeoutMillis)
        throws SQLException, InterruptedException {
      ResultSetMetaData meta = rows.getMetaData();
      int columns = meta.getColumnCount();
      StringBuilder chunk = new StringBuilder(CHUNK + 1024);
      for (int i = 1; i <= columns; i++) {
        field(chunk, meta.getColumnLabel(i), i == columns);
      }
      while (rows.next()) {
        for (int i = 1; i <= columns; i++) {
          Object value = rows.getObject(i);
          field(chunk, value == null ? "" : value.toString(), i == columns);
        }
        if (chunk.length() >= CHUNK) {
          send(response, context, closed, chunk, timeoutMillis);
        }
      }
      if (chunk.length() > 0) {
        send(response, context, closed, chunk, timeoutMillis);
      }
    }

    private static void send(WriteStream<Buffer> response, Context context, AtomicBoolean closed, StringBuilder chunk,
        long timeoutMillis) throws InterruptedException {
      if (closed.get()) {
        throw new IllegalStateException("the receiver closed the connection");
      }
      Buffer buffer = Buffer.buffer(chunk.toString());
      chunk.setLength(0);
      CountDownLatch writable = new CountDownLatch(1);
      context.runOnContext(v -> {
        // A write fails once the receiver went away: the next chunk stops the cursor.
        response.write(buffer).onFailure(e -> closed.set(true));
        if (response.writeQueueFull()) {
          response.drainHandler(d -> writable.countDown());
        } else {
          writable.countDown();
        }
      });
      // Bounded wait: a consumer that stops reading must not hold a database cursor forever.
      if (!writable.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the consumer stopped reading for " + timeoutMillis + " ms");
      }
    }

    private static void field(StringBuilder out, String value, boolean last) {
      if (value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
          || value.indexOf('\r') >= 0) {
        out.append('"').append(value.replace("\"", "\"\"")).append('"');
      } else {
        out.append(value);
      }
      out.append(last ? "\r\n" : ",");
    }

    @Override
    public void close() throws SQLException {
      try {
        rows.close();
      } finally {
        connection.close();
      }
    }
  }
}
