package fr.socle.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory still holding the H2 database of an earlier version is moved into SQLite whole. */
class H2ImportTest {

  private static final Instant CREATED = Instant.parse("2026-03-01T10:15:30.123Z");

  @TempDir
  Path dataDir;

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void everyRowOfEveryTableArrivesAndTheH2FileIsSetAside() throws Exception {
    String longText = "é".repeat(50_000);
    try (Database h2 = Database.open(vertx, "jdbc:h2:file:" + dataDir.resolve("socle"), null, null, 2)) {
      h2.transaction(c -> {
        try (Statement s = c.createStatement()) {
          s.execute("INSERT INTO policy (id, body, created_at) VALUES ('p-1', '{}', TIMESTAMP '2026-03-01 10:15:30.123')");
          s.execute("INSERT INTO audit_entry (seq, logged_at, entry_type, subject, payload, leaf_hash) VALUES "
              + "(0, '2026-03-01T10:15:30.123Z', 'ADMIN', 'asset.created:a-1', '{\"k\":1}', 'hash0')");
        }
        // The offer first, its asset after: the references hold once every table is in.
        try (PreparedStatement p = c.prepareStatement("INSERT INTO asset (id, title, description, content_type, "
            + "source, classification, created_at) VALUES (?, 'Titre', ?, 'text/csv', '{}', 'public', ?)")) {
          p.setString(1, "a-1");
          p.setString(2, longText);
          p.setTimestamp(3, Timestamp.from(CREATED));
          p.executeUpdate();
        }
        try (Statement s = c.createStatement()) {
          s.execute("INSERT INTO offer (id, asset_id, policy_id, created_at) VALUES ('o-1', 'a-1', 'p-1', "
              + "TIMESTAMP '2026-03-01 10:15:30.123')");
        }
        return null;
      }).await();
    }
    assertThat(dataDir.resolve("socle.mv.db")).exists();

    try (Database sqlite = Database.open(vertx, "jdbc:sqlite:" + dataDir.resolve("socle.db"), null, null, 1)) {
      H2Import.Result result = H2Import.importIfPresent(dataDir, sqlite.dataSource());
      assertThat(result.rows()).isEqualTo(4);
      assertThat(result.renamedTo()).exists();
      assertThat(dataDir.resolve("socle.mv.db")).doesNotExist();

      List<String> rows = sqlite.transaction(c -> rows(c, "SELECT a.id, a.description, a.created_at, o.id, "
          + "o.policy_id, e.subject, e.logged_at FROM asset a JOIN offer o ON o.asset_id = a.id, audit_entry e")).await();
      assertThat(rows).containsExactly(String.join("|", "a-1", longText, String.valueOf(CREATED.toEpochMilli()),
          "o-1", "p-1", "asset.created:a-1", "2026-03-01T10:15:30.123Z"));
      Timestamp created = sqlite.transaction(c -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT created_at FROM asset")) {
          rs.next();
          return rs.getTimestamp(1);
        }
      }).await();
      assertThat(created.toInstant()).isEqualTo(CREATED);

      // Started again, nothing is imported twice.
      assertThat(H2Import.importIfPresent(dataDir, sqlite.dataSource())).isNull();
    }
  }

  @Test
  void anImportCommittedBeforeTheRenameIsNotRepeated() throws Exception {
    try (Database h2 = Database.open(vertx, "jdbc:h2:file:" + dataDir.resolve("socle"), null, null, 2)) {
      h2.transaction(c -> c.createStatement().execute(
          "INSERT INTO policy (id, body, created_at) VALUES ('p-1', '{}', CURRENT_TIMESTAMP)")).await();
    }
    Path copy = Files.createDirectories(dataDir.resolve("backup")).resolve("socle.mv.db");
    Files.copy(dataDir.resolve("socle.mv.db"), copy);
    try (Database sqlite = Database.open(vertx, "jdbc:sqlite:" + dataDir.resolve("socle.db"), null, null, 1)) {
      H2Import.importIfPresent(dataDir, sqlite.dataSource());
      // As if the node had been killed between the import's commit and the rename.
      Files.copy(copy, dataDir.resolve("socle.mv.db"));
      H2Import.Result again = H2Import.importIfPresent(dataDir, sqlite.dataSource());
      assertThat(again.rows()).isZero();
      assertThat(dataDir.resolve("socle.mv.db")).doesNotExist();
      assertThat(sqlite.transaction(c -> rows(c, "SELECT id FROM policy")).await()).containsExactly("p-1");
    }
  }

  private static List<String> rows(Connection c, String sql) throws java.sql.SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          values.add(rs.getString(i));
        }
        rows.add(String.join("|", values));
      }
    }
    return rows;
  }
}
