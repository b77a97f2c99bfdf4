package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The H2 flow of {@link AuditLogTest} on PostgreSQL, in a schema of its own that is dropped after.
 * Runs only when {@code -Dsocle.test.postgres.url=jdbc:postgresql://host:port/db?user=...} is given,
 * because no PostgreSQL is started by the build.
 */
@ExtendWith(VertxExtension.class)
@EnabledIfSystemProperty(named = AuditLogPostgresTest.URL, matches = "jdbc:postgresql:.+")
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AuditLogPostgresTest {

  static final String URL = "socle.test.postgres.url";

  private final String url = System.getProperty(URL);
  private final String schema = "audit_test_" + UUID.randomUUID().toString().replace("-", "");
  private AuditFixture fx;

  @BeforeEach
  void setUp() throws SQLException {
    sql("CREATE SCHEMA " + schema);
    fx = new AuditFixture(() -> {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url);
      config.setSchema(schema);
      return config;
    });
  }

  @AfterEach
  void tearDown() throws SQLException {
    fx.close();
    sql("DROP SCHEMA " + schema + " CASCADE");
  }

  @Test
  void logSurvivesARestartAndItsExportsVerify(VertxTestContext ctx) {
    AuditLog first = fx.newLog();
    AtomicReference<JsonObject> oldExport = new AtomicReference<>();
    AtomicReference<AuditLog> second = new AtomicReference<>();
    first.start()
        .compose(v -> fx.appendAll(first, 0, 20))
        .compose(v -> first.signTreeHead())
        .compose(v -> first.export(0, 20))
        .compose(export -> {
          oldExport.set(export);
          return first.close();
        })
        .compose(v -> fx.vertx.executeBlocking(() -> {
          fx.restartDatabase();
          return null;
        }, false))
        .compose(v -> {
          second.set(fx.newLog());
          return second.get().start(); // migrates again: must be idempotent
        })
        .compose(v -> fx.appendAll(second.get(), 20, 10))
        .compose(v -> second.get().export(0, 30))
        .compose(export -> fx.verify(export, oldExport.get()))
        .onComplete(ctx.succeeding(report -> ctx.verify(() -> {
          assertThat(report.ok()).as(report.toString()).isTrue();
          assertThat(report.checks().get(report.checks().size() - 1).line())
              .isEqualTo("ok   consistency: the tree of size 30 extends the previous tree of size 20");
          ctx.completeNow();
        })));
  }

  @Test
  void rowsCannotBeUpdatedDeletedOrTruncated(VertxTestContext ctx) {
    AuditLog log = fx.newLog();
    log.start()
        .compose(v -> fx.appendAll(log, 0, 3))
        .compose(v -> fx.vertx.executeBlocking(() -> new String[] {
            refusal("UPDATE audit_entry SET subject = 'x' WHERE seq = 1"),
            refusal("DELETE FROM audit_entry WHERE seq = 2"),
            refusal("TRUNCATE audit_entry"),
            refusal("DELETE FROM audit_tree_head")}, false))
        .onComplete(ctx.succeeding(errors -> ctx.verify(() -> {
          assertThat(errors[0]).contains("audit_entry is append-only: rows are never updated or deleted");
          assertThat(errors[1]).contains("audit_entry is append-only");
          assertThat(errors[2]).contains("audit_entry is append-only");
          assertThat(errors[3]).contains("audit_tree_head is append-only");
          ctx.completeNow();
        })));
  }

  private String refusal(String statement) {
    try (Connection c = fx.pool.getConnection(); Statement s = c.createStatement()) {
      s.execute(statement);
      return "accepted: " + statement;
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
