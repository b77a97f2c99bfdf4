package fr.socle.audit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import fr.socle.store.Database;
import fr.socle.testing.PostgresServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Audit log benchmark, run by {@code launchers/bench-audit.sh}; prints figures, asserts nothing.
 *
 * <ol>
 *   <li>Durable appends per second through {@link AuditLog} (one transaction and commit per entry,
 *       SQLite with its write-ahead log synced at each commit as the node opens it, and PostgreSQL with
 *       fsync on), one at a time and 256
 *       in flight, against a baseline measured in the same run: bare JDBC INSERT + commit of the same
 *       rows on the same database.</li>
 *   <li>At 1 million entries: inclusion and consistency proof generation through the log (stored
 *       subtree hashes) against the baseline of rebuilding the tree from the leaf hashes per proof
 *       ({@link Merkle#inclusionProof}), which is what a log keeping only leaf hashes pays.</li>
 * </ol>
 * Medians over {@code RUNS} runs (appends) or {@code PROOFS} proofs; ratios are baseline / Socle for
 * times and Socle / baseline for rates.
 */
public final class AuditBench {

  private static final int RUNS = Integer.getInteger("bench.runs", 5);
  private static final int APPENDS = Integer.getInteger("bench.appends", 2_000);
  private static final int ENTRIES = Integer.getInteger("bench.entries", 1_000_000);
  private static final int PROOFS = Integer.getInteger("bench.proofs", 200);
  private static final int BASELINE_PROOFS = Integer.getInteger("bench.baselineProofs", 9);

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("socle-bench-audit");
    Vertx vertx = Vertx.vertx();
    try {
      System.out.printf("audit bench: %d runs of %d appends; proofs at %d entries%n", RUNS, APPENDS, ENTRIES);
      appends(vertx, "SQLite", () -> sqlite(dir.resolve("appends.db")));
      if (!Boolean.getBoolean("bench.skipPostgres")) {
        try (PostgresServer pg = PostgresServer.start(true)) {
          String url = pg.createDatabase("bench");
          appends(vertx, "PostgreSQL (fsync on)", () -> {
            HikariConfig c = new HikariConfig();
            c.setJdbcUrl(url);
            c.setUsername(pg.user());
            return c;
          });
        }
      }
      proofs(vertx, sqlite(dir.resolve("million.db")));
    } finally {
      vertx.close().await();
      try (var files = Files.walk(dir)) {
        files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The embedded database as a node opens it. */
  private static HikariConfig sqlite(Path file) {
    return Database.poolConfig("jdbc:sqlite:" + file.toAbsolutePath(), null, null, 1);
  }

  private static HikariDataSource pool(HikariConfig config) {
    if (!Database.isSqlite(config.getJdbcUrl())) {
      config.setMaximumPoolSize(4);
    }
    config.setAutoCommit(false);
    return new HikariDataSource(config);
  }

  private static void appends(Vertx vertx, String name, Supplier<HikariConfig> db) throws Exception {
    List<Double> sequential = new ArrayList<>();
    List<Double> pipelined = new ArrayList<>();
    List<Double> bare = new ArrayList<>();
    try (HikariDataSource pool = pool(db.get())) {
      AuditLog log = new AuditLog(vertx, pool, TestPki.create("Bench").signer(), Clock.systemUTC());
      log.start().await();
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS bench_row (seq BIGINT PRIMARY KEY, payload TEXT NOT NULL)");
        c.commit();
      }
      long bareSeq = 0;
      for (int run = 0; run <= RUNS; run++) {
        // Run 0 warms the JIT and the database up; it is not counted.
        long t0 = System.nanoTime();
        for (int i = 0; i < APPENDS; i++) {
          log.append(AuditType.DATA_ACCESS, "transfer-" + i, payload(i)).await();
        }
        double seqRate = APPENDS / ((System.nanoTime() - t0) / 1e9);
        long t1 = System.nanoTime();
        List<Future<AuditEntry>> inFlight = new ArrayList<>();
        for (int i = 0; i < APPENDS; i++) {
          inFlight.add(log.append(AuditType.DATA_ACCESS, "transfer-" + i, payload(i)));
          if (inFlight.size() == 256) {
            Future.all(inFlight).await();
            inFlight.clear();
          }
        }
        Future.all(inFlight).await();
        double pipeRate = APPENDS / ((System.nanoTime() - t1) / 1e9);
        long t2 = System.nanoTime();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO bench_row (seq, payload) VALUES (?, ?)")) {
          for (int i = 0; i < APPENDS; i++) {
            ps.setLong(1, bareSeq++);
            ps.setString(2, payload(i).encode());
            ps.executeUpdate();
            c.commit();
          }
        }
        double bareRate = APPENDS / ((System.nanoTime() - t2) / 1e9);
        if (run > 0) {
          sequential.add(seqRate);
          pipelined.add(pipeRate);
          bare.add(bareRate);
        }
      }
      log.close().await();
    }
    double base = median(bare);
    System.out.printf("%s durable appends/s (median of %d): audit log one at a time %.0f (%.2f of bare JDBC),"
            + " 256 in flight %.0f (%.2f of bare JDBC); baseline bare JDBC INSERT+commit %.0f%n",
        name, RUNS, median(sequential), median(sequential) / base, median(pipelined), median(pipelined) / base, base);
  }

  private static JsonObject payload(int i) {
    return new JsonObject().put("transfer", "t-" + i).put("agreement", "a-" + (i % 97))
        .put("participant", "NTRFR-200046977").put("asset", "dataset-" + (i % 13)).put("bytes", 1024L * i)
        .put("complete", true);
  }

  private static void proofs(Vertx vertx, HikariConfig config) throws Exception {
    List<byte[]> leaves = new ArrayList<>(ENTRIES);
    try (HikariDataSource pool = pool(config)) {
      try (Connection c = pool.getConnection()) {
        AuditLog.migrate(c);
        long t0 = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_entry"
            + " (seq, logged_at, entry_type, subject, payload, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)")) {
          Instant time = Instant.parse("2026-01-01T00:00:00Z");
          for (int i = 0; i < ENTRIES; i++) {
            AuditEntry entry = new AuditEntry(i, time.plusMillis(i), AuditType.DATA_ACCESS, "transfer-" + i, payload(i));
            byte[] leaf = entry.leafHash();
            leaves.add(leaf);
            ps.setLong(1, i);
            ps.setString(2, AuditTime.format(entry.time()));
            ps.setString(3, entry.type().name());
            ps.setString(4, entry.subject());
            ps.setString(5, entry.payload().encode());
            ps.setString(6, Merkle.encodeHash(leaf));
            ps.addBatch();
            if (i % 10_000 == 9_999) {
              ps.executeBatch();
              c.commit();
            }
          }
          ps.executeBatch();
          c.commit();
        }
        System.out.printf("filled %d entries by batched INSERT in %.1f s%n", ENTRIES, (System.nanoTime() - t0) / 1e9);
      }
      AuditLog log = new AuditLog(vertx, pool, TestPki.create("Bench").signer(), Clock.systemUTC());
      long t1 = System.nanoTime();
      log.start().await();
      System.out.printf("log start at %d entries (load leaf hashes, build subtree hashes): %.1f s%n", ENTRIES,
          (System.nanoTime() - t1) / 1e9);
      Random random = new Random(42);
      long n = ENTRIES;
      List<Double> inclusion = new ArrayList<>();
      List<Double> consistency = new ArrayList<>();
      for (int i = 0; i < PROOFS + 20; i++) {
        long seq = (long) (random.nextDouble() * n);
        long m = 1 + (long) (random.nextDouble() * (n - 1));
        long a = System.nanoTime();
        log.inclusionProof(seq, n).await();
        long b = System.nanoTime();
        log.consistencyProof(m, n).await();
        long c = System.nanoTime();
        if (i >= 20) {
          inclusion.add((b - a) / 1e6);
          consistency.add((c - b) / 1e6);
        }
      }
      List<Double> baselineInclusion = new ArrayList<>();
      List<Double> baselineConsistency = new ArrayList<>();
      for (int i = 0; i < BASELINE_PROOFS + 1; i++) {
        long seq = (long) (random.nextDouble() * n);
        long m = 1 + (long) (random.nextDouble() * (n - 1));
        long a = System.nanoTime();
        Merkle.inclusionProof(seq, n, leaves);
        long b = System.nanoTime();
        Merkle.consistencyProof(m, n, leaves);
        long c = System.nanoTime();
        if (i > 0) {
          baselineInclusion.add((b - a) / 1e6);
          baselineConsistency.add((c - b) / 1e6);
        }
      }
      System.out.printf("proofs at %d entries, median ms: inclusion %.3f (baseline rebuild %.1f, %.0fx faster),"
              + " consistency %.3f (baseline rebuild %.1f, %.0fx faster); over %d proofs, baseline over %d%n",
          ENTRIES, median(inclusion), median(baselineInclusion), median(baselineInclusion) / median(inclusion),
          median(consistency), median(baselineConsistency), median(baselineConsistency) / median(consistency),
          PROOFS, BASELINE_PROOFS);
      log.close().await();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
