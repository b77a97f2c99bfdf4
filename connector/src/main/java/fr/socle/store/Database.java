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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The node's JDBC database: a small HikariCP pool and a worker executor of the same size, so that a
 * query never waits for a thread and never runs on an event loop.
 *
 * <p>The embedded default is SQLite in write-ahead-log mode with {@code synchronous=FULL}: a commit
 * returns once its log frames are written and synced, so it survives the process being killed at
 * any instant, and the machine losing power. One connection serves it, since SQLite admits one writer
 * at a time: transactions queue on the worker instead of retrying on a busy lock, and none can fail
 * when it upgrades from reading to writing. PostgreSQL gets the pool size asked for.
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

  // The audit tables too, so that an import from an earlier database finds every table in place
  // (audit.AuditLog applies its file again, with its triggers, when it starts).
  private static final List<String> SCHEMA_FILES = List.of("db/schema.sql", "db/audit.sql");
  private static final String SQLITE = "jdbc:sqlite:";
  /** SQLite has no {@code ADD COLUMN IF NOT EXISTS}: such statements are run only when the column is absent. */
  private static final Pattern ADD_COLUMN = Pattern.compile(
      "(?is)ALTER TABLE\\s+(\\w+)\\s+ADD COLUMN IF NOT EXISTS\\s+(\\w+)\\s+(.*)");

  private final HikariDataSource dataSource;
  private final WorkerExecutor executor;

  private Database(HikariDataSource dataSource, WorkerExecutor executor) {
    this.dataSource = dataSource;
    this.executor = executor;
  }

  /** Opens the pool and applies the schema; fails with the driver's message when the URL is wrong. */
  public static Database open(Vertx vertx, String jdbcUrl, String user, String password, int poolSize) {
    HikariConfig config = poolConfig(jdbcUrl, user, password, poolSize);
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      applySchema(dataSource);
    } catch (SQLException | IOException e) {
      dataSource.close();
      throw new IllegalStateException("cannot apply the database schema on " + jdbcUrl + ": " + e.getMessage(), e);
    }
    return new Database(dataSource, vertx.createSharedWorkerExecutor("socle-db", config.getMaximumPoolSize()));
  }

  /**
   * The pool's settings for {@code jdbcUrl}: transactions committed by hand, and for SQLite its
   * write-ahead log synced at each commit, foreign keys enforced, and a single connection.
   */
  public static HikariConfig poolConfig(String jdbcUrl, String user, String password, int poolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    if (user != null) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    if (isSqlite(jdbcUrl)) {
      poolSize = 1;
      config.addDataSourceProperty("journal_mode", "WAL");
      config.addDataSourceProperty("synchronous", "FULL");
      config.addDataSourceProperty("foreign_keys", "true");
      config.addDataSourceProperty("busy_timeout", "10000");
    }
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(1);
    config.setAutoCommit(false);
    config.setPoolName("socle-db");
    config.setConnectionTimeout(10_000);
    return config;
  }

  /** Whether {@code jdbcUrl} names an SQLite database, the embedded default. */
  public static boolean isSqlite(String jdbcUrl) {
    return jdbcUrl.regionMatches(true, 0, SQLITE, 0, SQLITE.length());
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
   * Whether {@code failure} is a unique or primary key violation (SQLSTATE 23505, see
   * {@link #portable}): the row a concurrent transaction committed first is there to be read.
   */
  public static boolean isUniqueViolation(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code insert} in one transaction; when it fails on a unique or primary key because a
   * concurrent transaction committed the same key first, runs {@code find} in another, which reads
   * what that transaction wrote. A key violated by a row {@code find} no longer sees is an error.
   */
  public <T> Future<T> insertOrFind(Work<T> insert, Work<T> find) {
    return transaction(insert).recover(e -> !isUniqueViolation(e) ? Future.failedFuture(e) : transaction(c -> {
      T found = find.run(c);
      if (found == null) {
        // Violated, then gone: not a race the callers' append-only keys can explain.
        throw new IllegalStateException("a unique key was violated, then its row was not found", e);
      }
      return found;
    }));
  }

  private <T> T runInTransaction(Work<T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException e) {
        connection.rollback();
        throw portable(e);
      } catch (RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  /**
   * SQLite reports a constraint violation by its result code alone, with no SQLSTATE: it gets the
   * SQLSTATE H2 and PostgreSQL give it (23505 for a unique or primary key, 23503 for a reference,
   * 23000 otherwise), so that callers test one thing whatever the database.
   */
  static SQLException portable(SQLException e) {
    if (!(e instanceof SQLiteException sqlite) || e.getSQLState() != null) {
      return e;
    }
    String state = switch (sqlite.getResultCode()) {
      case SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE -> "23505";
      case SQLITE_CONSTRAINT_FOREIGNKEY -> "23503";
      default -> e.getErrorCode() == SQLiteErrorCode.SQLITE_CONSTRAINT.code ? "23000" : null;
    };
    return state == null ? e : new SQLIntegrityConstraintViolationException(e.getMessage(), state, e.getErrorCode(), e);
  }

  private static void applySchema(DataSource dataSource) throws SQLException, IOException {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      boolean sqlite = "SQLite".equals(connection.getMetaData().getDatabaseProductName());
      for (String file : SCHEMA_FILES) {
        for (String sql : statements(file)) {
          Matcher addColumn = ADD_COLUMN.matcher(sql);
          if (sqlite && addColumn.matches()) {
            if (!hasColumn(connection, addColumn.group(1), addColumn.group(2))) {
              statement.execute("ALTER TABLE " + addColumn.group(1) + " ADD COLUMN " + addColumn.group(2) + " "
                  + addColumn.group(3));
            }
          } else {
            statement.execute(sql);
          }
        }
      }
      connection.commit();
    }
  }

  private static boolean hasColumn(Connection connection, String table, String column) throws SQLException {
    try (ResultSet columns = connection.getMetaData().getColumns(null, null, table, column)) {
      return columns.next();
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
