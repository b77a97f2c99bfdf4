package fr.socle.audit;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The JDBC statements of the audit log, kept apart from {@link AuditLog}'s queueing so they can move to
 * the {@code store} package unchanged. Every method runs on a connection the caller owns, inside the
 * caller's transaction, and must be called from a worker thread.
 */
final class AuditStore {

  static final String SCHEMA = "/db/audit.sql";

  private static final List<String> TABLES = List.of("audit_entry", "audit_tree_head");

  private AuditStore() {}

  /** Creates the tables if absent and installs the append-only triggers where the database has them. */
  static void migrate(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : statements()) {
        s.execute(sql);
      }
      String product = c.getMetaData().getDatabaseProductName();
      if ("H2".equals(product)) {
        for (String table : TABLES) {
          s.execute("CREATE TRIGGER IF NOT EXISTS " + table + "_append_only BEFORE UPDATE, DELETE ON " + table
              + " FOR EACH ROW CALL '" + AppendOnlyTrigger.class.getName() + "'");
        }
      } else if ("PostgreSQL".equals(product)) {
        s.execute("CREATE OR REPLACE FUNCTION socle_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            + "$$ BEGIN RAISE EXCEPTION '% is append-only: rows are never updated or deleted', TG_TABLE_NAME; END $$");
        for (String table : TABLES) {
          // Statement level so that TRUNCATE, which skips row triggers, is refused too.
          s.execute("DROP TRIGGER IF EXISTS " + table + "_append_only ON " + table);
          s.execute("CREATE TRIGGER " + table + "_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON " + table
              + " FOR EACH STATEMENT EXECUTE FUNCTION socle_audit_append_only()");
        }
      }
    }
    if (!c.getAutoCommit()) {
      c.commit();
    }
  }

  static void insertEntry(Connection c, AuditEntry entry, byte[] leafHash) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_entry"
        + " (seq, logged_at, entry_type, subject, payload, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)")) {
      s.setLong(1, entry.seq());
      s.setString(2, AuditTime.format(entry.time()));
      s.setString(3, entry.type().name());
      s.setString(4, entry.subject());
      s.setString(5, entry.payload().encode());
      s.setString(6, Merkle.encodeHash(leafHash));
      s.executeUpdate();
    }
  }

  /**
   * All leaf hashes in seq order.
   *
   * @throws AuditException {@link Reason#CORRUPT_STORE} when the seqs are not exactly 0, 1, 2, ...
   */
  static List<byte[]> loadLeafHashes(Connection c) throws SQLException {
    List<byte[]> leaves = new ArrayList<>();
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT seq, leaf_hash FROM audit_entry ORDER BY seq")) {
      while (rs.next()) {
        long seq = rs.getLong(1);
        if (seq != leaves.size()) {
          throw new AuditException(Reason.CORRUPT_STORE,
              "audit_entry is not gap-free: found seq " + seq + " where seq " + leaves.size() + " belongs");
        }
        try {
          leaves.add(Merkle.decodeHash(rs.getString(2)));
        } catch (IllegalArgumentException e) {
          throw new AuditException(Reason.CORRUPT_STORE, "audit_entry seq " + seq + ": leaf_hash " + e.getMessage());
        }
      }
    }
    return leaves;
  }

  /** Entries {@code [from, to)} as {@link AuditEntry#toJson} plus the stored {@code leafHash}. */
  static List<JsonObject> readEntries(Connection c, long from, long to) throws SQLException {
    List<JsonObject> entries = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT seq, logged_at, entry_type, subject, payload, leaf_hash"
        + " FROM audit_entry WHERE seq >= ? AND seq < ? ORDER BY seq")) {
      s.setLong(1, from);
      s.setLong(2, to);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          AuditEntry entry = new AuditEntry(rs.getLong(1), AuditTime.parse(rs.getString(2)),
              AuditType.valueOf(rs.getString(3)), rs.getString(4), new JsonObject(rs.getString(5)));
          entries.add(entry.toJson().put(AuditExport.LEAF_HASH, rs.getString(6)));
        }
      }
    }
    return entries;
  }

  static void insertHead(Connection c, long id, SignedTreeHead head) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_tree_head"
        + " (id, tree_size, root_hash, signed_at, jws) VALUES (?, ?, ?, ?, ?)")) {
      s.setLong(1, id);
      s.setLong(2, head.size());
      s.setString(3, Merkle.encodeHash(head.root()));
      s.setString(4, AuditTime.format(head.time()));
      s.setString(5, head.jws());
      s.executeUpdate();
    }
  }

  /** The id to give the next tree head: one more than the largest stored, 0 for none. */
  static long nextHeadId(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT MAX(id) FROM audit_tree_head")) {
      rs.next();
      long max = rs.getLong(1);
      return rs.wasNull() ? 0 : max + 1;
    }
  }

  /** The most recently signed tree head, or null when none was signed yet. */
  static SignedTreeHead latestHead(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT tree_size, root_hash, signed_at, jws FROM audit_tree_head"
             + " ORDER BY id DESC FETCH FIRST 1 ROWS ONLY")) {
      if (!rs.next()) {
        return null;
      }
      return new SignedTreeHead(rs.getLong(1), Merkle.decodeHash(rs.getString(2)),
          AuditTime.parse(rs.getString(3)), rs.getString(4));
    }
  }

  /** Distinct sizes of all signed tree heads, ascending. */
  static List<Long> headSizes(Connection c) throws SQLException {
    List<Long> sizes = new ArrayList<>();
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT DISTINCT tree_size FROM audit_tree_head ORDER BY tree_size")) {
      while (rs.next()) {
        sizes.add(rs.getLong(1));
      }
    }
    return sizes;
  }

  /** The statements of {@link #SCHEMA}: comment lines dropped, split at semicolons. */
  static List<String> statements() {
    String text;
    try (InputStream in = AuditStore.class.getResourceAsStream(SCHEMA)) {
      if (in == null) {
        throw new IllegalStateException(SCHEMA + " is missing from the class path");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + SCHEMA, e);
    }
    StringBuilder code = new StringBuilder();
    for (String line : text.split("\n")) {
      if (!line.strip().startsWith("--")) {
        code.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String statement : code.toString().split(";")) {
      if (!statement.isBlank()) {
        statements.add(statement.strip());
      }
    }
    return statements;
  }
}
