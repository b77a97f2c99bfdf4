package fr.socle.audit;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.api.Trigger;

/**
 * H2 trigger that refuses every UPDATE and DELETE on the audit tables, so that the append-only
 * invariant holds against other code sharing the embedded database, not only against AuditLog. It
 * does not stop someone with file access; the signed tree heads are the defence there.
 */
public final class AppendOnlyTrigger implements Trigger {

  private String table = "audit table";

  @Override
  public void init(Connection conn, String schema, String trigger, String table, boolean before, int type) {
    this.table = table;
  }

  @Override
  public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
    throw new SQLException(table + " is append-only: rows are never updated or deleted", "42000");
  }
}
