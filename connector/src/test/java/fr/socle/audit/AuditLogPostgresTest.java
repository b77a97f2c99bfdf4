package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import fr.socle.testing.PostgresServer;
import io.vertx.core.Future;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The H2 flow of {@link AuditLogTest} on PostgreSQL, in a schema of its own that is dropped after.
 * on a throw-away PostgreSQL cluster the test starts.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AuditLogPostgresTest {

  private static PostgresServer server;
  private static String url;

  @BeforeAll
  static void startServer() throws Exception {
    server = PostgresServer.start();
    url = server.createDatabase("audit") + "?user=" + server.user();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

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
    fx.restart(20, 10)
        .compose(restarted -> fx.verify(restarted.newExport(), restarted.oldExport()))
        .onComplete(ctx.succeeding(report -> ctx.verify(() -> {
          assertThat(report.ok()).as(report.toString()).isTrue();
          assertThat(report.checks().get(report.checks().size() - 2).line())
              .isEqualTo("ok   consistency: the tree of size 30 extends the previous tree of size 20");
          ctx.completeNow();
        })));
  }

  @Test
  void rowsCannotBeUpdatedDeletedOrTruncated(VertxTestContext ctx) {
    AuditLog log = fx.newLog();
    log.start()
        .compose(v -> fx.appendAll(log, 0, 3))
        .compose(v -> Future.all(
            fx.execute("UPDATE audit_entry SET subject = 'x' WHERE seq = 1"),
            fx.execute("DELETE FROM audit_entry WHERE seq = 2"),
            fx.execute("TRUNCATE audit_entry"),
            fx.execute("DELETE FROM audit_tree_head")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          List<String> errors = all.list();
          assertThat(errors.get(0)).contains("audit_entry is append-only: rows are never updated or deleted");
          assertThat(errors.get(1)).contains("audit_entry is append-only");
          assertThat(errors.get(2)).contains("audit_entry is append-only");
          assertThat(errors.get(3)).contains("audit_tree_head is append-only");
          ctx.completeNow();
        })));
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
