package fr.socle.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * The node's JDBC database: a small HikariCP pool and a worker executor of the same size, so that a
 * query never waits for a thread and never runs on an event loop.
 *
 * <p>A unit of work is one blocking lambda run in one transaction: it commits when the lambda
 * returns and rolls back when it throws. Work never spans asynchronous hops.
 */
public final class Database implements AutoCloseable {

  /** One transaction's worth of blocking JDBC work. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private static final List<String> SCHEMA_FILES = List.of("db/schema.sql");

  private final HikariDataSource dataSource;
  private final WorkerExecutor executor;

  private Database(HikariDataSource dataSource, WorkerExecutor executor) {
    this.dataSource = dataSource;
    this.executor = executor;
  }

  /** Opens the pool and applies the schema; fails with the driver's message when the URL is wrong. */
  public static Database open(Vertx vertx, String jdbcUrl, String user, String password, int poolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    if (user != null) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(1);
    config.setAutoCommit(false);
    config.setPoolName("socle-db");
    config.setConnectionTimeout(10_000);
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      applySchema(dataSource);
    } catch (SQLException | IOException e) {
      dataSource.close();
      throw new IllegalStateException("cannot apply the database schema on " + jdbcUrl + ": " + e.getMessage(), e);
    }
    return new Database(dataSource, vertx.createSharedWorkerExecutor("socle-db", poolSize));
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** Runs {@code work} in one transaction on a worker thread. */
  public <T> Future<T> transaction(Work<T> work) {
    // ordered=false: independent units of work must not queue behind each other.
    return executor.executeBlocking(() -> runInTransaction(work), false);
  }

  /**
   * Whether {@code failure} is a unique or primary key violation (SQLSTATE 23505 on both H2 and
   * PostgreSQL): the row a concurrent transaction committed first is there to be read.
   */
  public static boolean isUniqueViolation(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private <T> T runInTransaction(Work<T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  private static void applySchema(DataSource dataSource) throws SQLException, IOException {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      for (String file : SCHEMA_FILES) {
        for (String sql : statements(file)) {
          statement.execute(sql);
        }
      }
      connection.commit();
    }
  }

  private static List<String> statements(String resource) throws IOException {
    try (InputStream in = Database.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("missing resource " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return java.util.Arrays.stream(text.split(";\\s*\\n"))
          .map(s -> s.replaceAll("(?m)^--.*$", "").trim())
          .filter(s -> !s.isEmpty())
          .toList();
    }
  }

  @Override
  public void close() {
    executor.close();
    dataSource.close();
  }
}
