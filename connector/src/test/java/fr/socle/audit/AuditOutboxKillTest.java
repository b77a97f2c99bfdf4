package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import fr.socle.testing.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A state change and its audit record commit together: a process SIGKILLed after the commit and
 * before its record reached the log (here: while appending other entries) loses neither. At the next
 * start the log is gap-free, its entries hash to a signed root, no entry is partial, and the staged
 * record is logged.
 *
 * <p>On PostgreSQL, whose commits a killed client cannot undo, so that the test is about the outbox
 * and not about the embedded database's own recovery (which {@code FederationExchangeTest} covers
 * for a whole node).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuditOutboxKillTest {

  /** The child process: stages one state change in its transaction, then appends until killed. */
  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    HikariDataSource pool = pool(args[0]);
    AuditLog log = new AuditLog(vertx, pool, TestPki.create("Killed node").signer(), Clock.systemUTC());
    log.start().await();
    String id = args[1];
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS state_row (id VARCHAR(64) PRIMARY KEY)");
        s.execute("INSERT INTO state_row (id) VALUES ('" + id + "')");
      }
      log.stage(c, AuditType.NEGOTIATION, id, new JsonObject().put("change", "REQUESTED -> AGREED"));
      c.commit();
    }
    System.out.println("committed");
    for (int i = 0; ; i++) {
      log.append(AuditType.DATA_ACCESS, "access-" + i, new JsonObject().put("i", i).put("bytes", 1000 * i)).await();
      if (i == 50) {
        System.out.println("appending");
      }
    }
  }

  static HikariDataSource pool(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(2);
    return new HikariDataSource(config);
  }

  @Test
  void aStagedChangeSurvivesASigkillAndIsLoggedAtTheNextStart() throws Exception {
    try (PostgresServer server = PostgresServer.start()) {
      killedAndRestarted(server.createDatabase("outbox") + "?user=" + server.user());
    }
  }

  private void killedAndRestarted(String db) throws Exception {
    String id = "negotiation-" + UUID.randomUUID();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(List.of(java, "-cp", classpath, AuditOutboxKillTest.class.getName(), db, id))
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    for (String line; (line = out.readLine()) != null && !line.equals("appending"); ) {
      seen.append(line).append('\n');
    }
    assertThat(seen.toString()).contains("committed");
    child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, mid-append
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

    AuditFixture fx = new AuditFixture(() -> {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(db);
      return config;
    });
    try {
      AuditLog log = fx.newLog();
      log.start().await();
      JsonObject export = log.export(0, log.size()).await();
      AuditReport report = fx.verify(export, null).await();
      assertThat(report.ok()).as(report.checks().toString()).isTrue();
      assertThat(count(fx, "SELECT COUNT(*) FROM state_row")).as("the committed change").isEqualTo(1);
      long staged = export.getJsonArray("entries").stream().map(e -> (JsonObject) e)
          .filter(e -> id.equals(e.getString("subject")) && "NEGOTIATION".equals(e.getString("type"))).count();
      assertThat(staged).as("the committed change's record").isEqualTo(1);
      assertThat(log.size()).isGreaterThan(51);
      assertThat(count(fx, "SELECT COUNT(*) FROM audit_outbox")).isZero();
      log.close().await();
    } finally {
      fx.close();
    }
  }

  private static long count(AuditFixture fx, String sql) throws Exception {
    try (Connection c = fx.pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
