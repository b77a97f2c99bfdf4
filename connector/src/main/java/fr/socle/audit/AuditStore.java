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
      if ("SQLite".equals(product)) {
        for (String table : TABLES) {
          // One trigger per statement kind: SQLite has no BEFORE UPDATE OR DELETE.
          for (String op : List.of("UPDATE", "DELETE")) {
            s.execute("CREATE TRIGGER IF NOT EXISTS " + table + "_append_only" + (op.equals("UPDATE") ? "" : "_delete")
                + " BEFORE " + op + " ON " + table + " BEGIN SELECT RAISE(ABORT, '" + table
                + " is append-only: rows are never updated or deleted'); END");
          }
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
  static SubtreeHashes loadLeafHashes(Connection c) throws SQLException {
    SubtreeHashes leaves = new SubtreeHashes();
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT seq, leaf_hash FROM audit_entry ORDER BY seq")) {
      while (rs.next()) {
        long seq = rs.getLong(1);
        if (seq != leaves.size()) {
          throw new AuditException(Reason.CORRUPT_STORE,
              "audit_entry is not gap-free: found seq " + seq + " where seq " + leaves.size() + " belongs");
        }
        try {
          leaves.append(Merkle.decodeHash(rs.getString(2)));
        } catch (IllegalArgumentException e) {
          throw new AuditException(Reason.CORRUPT_STORE, "audit_entry seq " + seq + ": leaf_hash " + e.getMessage());
        }
      }
    }
    return leaves;
  }

  /** A state change staged in the outbox, not yet in the log. */
  record Staged(String id, AuditType type, String subject, JsonObject payload) {}

  static void insertOutbox(Connection c, String id, long order, AuditType type, String subject, String payload)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_outbox"
        + " (id, staged_ord, entry_type, subject, payload) VALUES (?, ?, ?, ?, ?)")) {
      s.setString(1, id);
      s.setLong(2, order);
      s.setString(3, type.name());
      s.setString(4, subject);
      s.setString(5, payload);
      s.executeUpdate();
    }
  }

  /** At most {@code limit} staged changes, oldest first. */
  static List<Staged> readOutbox(Connection c, int limit) throws SQLException {
    List<Staged> staged = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT id, entry_type, subject, payload FROM audit_outbox"
        + " ORDER BY staged_ord, id LIMIT " + limit);
         ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        staged.add(new Staged(rs.getString(1), AuditType.valueOf(rs.getString(2)), rs.getString(3),
            new JsonObject(rs.getString(4))));
      }
    }
    return staged;
  }

  /** Removes a staged change once logged; false when it was already gone. */
  static boolean deleteOutbox(Connection c, String id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM audit_outbox WHERE id = ?")) {
      s.setString(1, id);
      return s.executeUpdate() == 1;
    }
  }

  /** The largest outbox order in use, or 0. */
  static long maxOutboxOrder(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT MAX(staged_ord) FROM audit_outbox")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Whether OPA's decision {@code id} is already logged. */
  static boolean hasOpaDecision(Connection c, String id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM audit_opa_decision WHERE decision_id = ?")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  static void insertOpaDecision(Connection c, String id, long seq) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_opa_decision (decision_id, seq) VALUES (?, ?)")) {
      s.setString(1, id);
      s.setLong(2, seq);
      s.executeUpdate();
    }
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
             + " ORDER BY id DESC LIMIT 1")) {
      if (!rs.next()) {
        return null;
      }
      return new SignedTreeHead(rs.getLong(1), Merkle.decodeHash(rs.getString(2)),
          AuditTime.parse(rs.getString(3)), rs.getString(4));
    }
  }

  /** The first signed tree head of every distinct size, ascending by size. */
  static List<SignedTreeHead> headsBySize(Connection c) throws SQLException {
    List<SignedTreeHead> heads = new ArrayList<>();
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT tree_size, root_hash, signed_at, jws FROM audit_tree_head"
             + " ORDER BY tree_size, id")) {
      while (rs.next()) {
        long size = rs.getLong(1);
        if (heads.isEmpty() || heads.get(heads.size() - 1).size() != size) {
          heads.add(new SignedTreeHead(size, Merkle.decodeHash(rs.getString(2)), AuditTime.parse(rs.getString(3)),
              rs.getString(4)));
        }
      }
    }
    return heads;
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
