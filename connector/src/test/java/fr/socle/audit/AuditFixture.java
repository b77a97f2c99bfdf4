package fr.socle.audit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import fr.socle.store.Database;
import fr.socle.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What the audit log tests share: a Vert.x instance whose blocked-thread checker fails the test when
 * an event loop is held more than 250 ms (lower, and class loading on a busy machine trips it), a database behind HikariCP (an SQLite file in a temporary
 * directory unless told otherwise), a test federation and a clock that moves only when told.
 */
final class AuditFixture implements AutoCloseable {

  final Vertx vertx;
  final TestPki pki = TestPki.create("Audit test");
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T09:00:00Z"));
  private final Supplier<HikariConfig> database;
  private final List<String> blocked = new CopyOnWriteArrayList<>();
  HikariDataSource pool;

  /** On an SQLite file database in {@code dir}, set up as a node sets up its own. */
  AuditFixture(Path dir) {
    this(() -> {
      HikariConfig config = Database.poolConfig("jdbc:sqlite:" + dir.resolve("audit.db").toAbsolutePath(), null, null, 1);
      // The tests' own statements (a tampering operator's) commit as they run.
      config.setAutoCommit(true);
      return config;
    });
  }

  /** On whatever database {@code database} configures; called again at each {@link #restartDatabase}. */
  AuditFixture(Supplier<HikariConfig> database) {
    this.database = database;
    // AssertJ's first uses load classes for ~100 ms; keep that off the event loops under watch.
    assertThat(new RuntimeException("warm-up")).hasMessage("warm-up");
    assertThat("warm-up").startsWith("warm").contains("-").isEqualTo("warm-up");
    assertThat(List.of("warm-up")).extracting(String::length).containsExactly(7);
    assertThat(7L).isEqualTo(7).isNotZero();
    assertThat(true).isTrue();
    assertThat(new byte[1]).hasSize(1);
    this.vertx = Vertx.vertx(new VertxOptions()
        .setMaxEventLoopExecuteTime(250).setMaxEventLoopExecuteTimeUnit(MILLISECONDS)
        .setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(MILLISECONDS));
    // Internal API, test code only: turns vert.x's blocked-thread warning into a test failure.
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(event -> {
      if (event.thread().getName().contains("eventloop")) {
        StringBuilder trace = new StringBuilder(event.toString());
        for (StackTraceElement frame : event.thread().getStackTrace()) {
          trace.append("\n  at ").append(frame);
        }
        blocked.add(trace.toString());
      }
    });
    this.pool = openPool();
  }

  private HikariDataSource openPool() {
    HikariConfig config = database.get();
    if (!Database.isSqlite(config.getJdbcUrl())) {
      config.setMaximumPoolSize(4);
    }
    return new HikariDataSource(config);
  }

  /** Closes the pool (and so the H2 database) and opens a new one on the same files. */
  void restartDatabase() {
    pool.close();
    pool = openPool();
  }

  AuditLog newLog() {
    return newLog(pool, AuditLog.DEFAULT_MAX_PENDING);
  }

  AuditLog newLog(DataSource dataSource, int maxPending) {
    return new AuditLog(vertx, dataSource, pki.signer(), clock, maxPending);
  }

  AuditVerifier verifier() {
    return new AuditVerifier(TreeHeadTest.verifier(pki));
  }

  /** What {@link #restart} leaves: the first log's last head and export, and the reopened log's export. */
  record Restarted(SignedTreeHead oldHead, JsonObject oldExport, AuditLog log, JsonObject newExport) {}

  /**
   * Appends {@code before} entries, signs and exports, closes the log and the pool, reopens both,
   * appends {@code after} more and exports again: the node's life across a restart.
   */
  Future<Restarted> restart(int before, int after) {
    AuditLog first = newLog();
    AtomicReference<SignedTreeHead> oldHead = new AtomicReference<>();
    AtomicReference<JsonObject> oldExport = new AtomicReference<>();
    AtomicReference<AuditLog> second = new AtomicReference<>();
    return first.start()
        .compose(v -> appendAll(first, 0, before))
        .compose(v -> first.signTreeHead())
        .compose(head -> {
          oldHead.set(head);
          return first.export(0, before);
        })
        .compose(export -> {
          oldExport.set(export);
          return first.close();
        })
        .compose(v -> vertx.executeBlocking(() -> {
          restartDatabase();
          return null;
        }, false))
        .compose(v -> {
          second.set(newLog());
          return second.get().start(); // migrates again: must be idempotent
        })
        .compose(v -> appendAll(second.get(), before, after))
        .compose(entries -> {
          assertThat(entries.get(0).seq()).as("first seq after the restart").isEqualTo(before);
          return second.get().export(0, before + after);
        })
        .map(export -> new Restarted(oldHead.get(), oldExport.get(), second.get(), export));
  }

  /** Runs one statement on a worker; completes with its error message, or null when it succeeded. */
  Future<String> execute(String sql) {
    return vertx.executeBlocking(() -> {
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        s.execute(sql);
        return null;
      } catch (SQLException e) {
        return e.getMessage();
      }
    }, false);
  }

  /** Runs the auditor's check on a worker: it is CPU work (PKIX, JCS of every entry), not event-loop work. */
  Future<AuditReport> verify(JsonObject export, JsonObject previous) {
    return vertx.executeBlocking(() -> verifier().verify(export, previous), false);
  }

  /** Submits {@code count} appends at once and completes with the entries in submission order. */
  Future<List<AuditEntry>> appendAll(AuditLog log, int first, int count) {
    List<Future<AuditEntry>> appends = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      clock.advance(Duration.ofMillis(1500));
      appends.add(log.append(AuditType.values()[i % AuditType.values().length], "subject-" + i, payload(i)));
    }
    return Future.all(appends).map(all -> all.<AuditEntry>list());
  }

  static JsonObject payload(int i) {
    return new JsonObject()
        .put("i", i)
        .put("allow", i % 3 != 0)
        .put("score", i / 7.0)
        .put("reasons", new JsonArray().add("accès autorisé").add("€ 😀"))
        .put("nested", new JsonObject().put("z", (Object) null).put("a", new JsonArray().add(1).add(2.5)));
  }

  @Override
  public void close() {
    pool.close();
    vertx.close().await();
    assertThat(blocked).as("event loop blocked").isEmpty();
  }
}
