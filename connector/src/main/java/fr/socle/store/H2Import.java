package fr.socle.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a data directory's H2 database, the embedded default of earlier versions, into the current
 * embedded database: every row of every table both have, in one transaction, after which the H2 file
 * is renamed so that it is never imported twice. A node killed during the import finds the H2 file
 * still there and an empty database, and imports again; killed between the commit and the rename, it
 * finds the database filled and only renames.
 */
public final class H2Import {

  private static final Logger LOG = LoggerFactory.getLogger(H2Import.class);
  private static final String FILE = "socle.mv.db";

  private H2Import() {}

  /** What an import did: rows per table, and where the H2 file now is. */
  public record Result(int tables, long rows, Path renamedTo) {}

  /** Imports {@code <dataDir>/socle.mv.db} into {@code target} when it exists; null when there is none. */
  public static Result importIfPresent(Path dataDir, DataSource target) throws SQLException, IOException {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    String url = "jdbc:h2:file:" + dataDir.resolve("socle").toAbsolutePath() + ";IFEXISTS=TRUE";
    int tables = 0;
    long rows = 0;
    try (Connection h2 = DriverManager.getConnection(url); Connection into = target.getConnection()) {
      into.setAutoCommit(false);
      if (hasRows(into)) {
        LOG.warn("the database already holds data: {} was imported before the node stopped; renaming it", file);
      } else {
        try (Statement s = into.createStatement()) {
          // Parents and children arrive in any order; the references are checked at the commit.
          s.execute("PRAGMA defer_foreign_keys = ON");
        }
        for (String table : tables(h2)) {
          Set<String> columns = columns(into, table);
          columns.retainAll(columns(h2, table));
          if (columns.isEmpty()) {
            continue;
          }
          rows += copy(h2, into, table, List.copyOf(columns));
          tables++;
        }
        into.commit();
      }
    }
    Path renamed = dataDir.resolve(FILE + ".imported");
    Files.move(file, renamed, StandardCopyOption.REPLACE_EXISTING);
    LOG.info("imported {} rows of {} tables from the H2 database {} (kept as {})", rows, tables, file, renamed);
    return new Result(tables, rows, renamed);
  }

  private static boolean hasRows(Connection c) throws SQLException {
    for (String table : tables(c)) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM " + table + " LIMIT 1")) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The tables of the node's schema, lower-case, as the database lists them. */
  private static List<String> tables(Connection c) throws SQLException {
    List<String> tables = new ArrayList<>();
    // H2 2 calls them BASE TABLE, SQLite TABLE.
    try (ResultSet rs = c.getMetaData().getTables(null, null, "%", null)) {
      while (rs.next()) {
        String schema = rs.getString("TABLE_SCHEM");
        String type = rs.getString("TABLE_TYPE");
        if (("TABLE".equals(type) || "BASE TABLE".equals(type))
            && (schema == null || schema.equalsIgnoreCase("PUBLIC") || schema.equalsIgnoreCase("main"))) {
          tables.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
        }
      }
    }
    tables.removeIf(t -> t.startsWith("sqlite_"));
    return tables;
  }

  private static Set<String> columns(Connection c, String table) throws SQLException {
    Set<String> columns = new LinkedHashSet<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        columns.add(meta.getColumnName(i).toLowerCase(Locale.ROOT));
      }
    } catch (SQLException absent) {
      return new LinkedHashSet<>();
    }
    return columns;
  }

  private static long copy(Connection from, Connection into, String table, List<String> columns) throws SQLException {
    String list = String.join(", ", columns);
    long rows = 0;
    try (Statement read = from.createStatement();
        ResultSet rs = read.executeQuery("SELECT " + list + " FROM " + table);
        PreparedStatement write = into.prepareStatement("INSERT INTO " + table + " (" + list + ") VALUES ("
            + String.join(", ", columns.stream().map(c -> "?").toList()) + ")")) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        for (int i = 1; i <= columns.size(); i++) {
          write.setObject(i, value(rs, i, meta.getColumnType(i)));
        }
        write.addBatch();
        if (++rows % 500 == 0) {
          write.executeBatch();
        }
      }
      write.executeBatch();
    }
    return rows;
  }

  /** Text as text (H2 hands TEXT columns out as CLOBs), times as timestamps, the rest as it comes. */
  private static Object value(ResultSet rs, int column, int type) throws SQLException {
    return switch (type) {
      case Types.CLOB, Types.NCLOB, Types.VARCHAR, Types.NVARCHAR, Types.LONGVARCHAR, Types.CHAR -> rs.getString(column);
      case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> rs.getTimestamp(column);
      default -> rs.getObject(column);
    };
  }
}
