package fr.socle.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A partner already keeps as many unfinished processes (negotiations or transfers) with this node as
 * it may: each is a row and a state machine the node must keep, so a partner cannot make it keep
 * an unbounded number. Stackless: an expected refusal.
 */
public final class TooManyOpen extends RuntimeException {

  private TooManyOpen(String message) {
    super(message, null, false, false);
  }

  /**
   * Throws unless {@code counterPartyId} has fewer than {@code max} rows in {@code table} in
   * {@code role} that match {@code unfinished}, the store's own SQL condition for them. Counted in the
   * caller's transaction, so concurrent requests may overshoot by the few that count at the same
   * moment, never more.
   *
   * @param what the processes, as the message names them, e.g. "transfers"
   * @param setting the configuration key of {@code max}
   */
  public static void check(Connection c, String table, String counterPartyId, String role, String unfinished,
      int max, String what, String setting) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table
        + " WHERE counter_party_id = ? AND role = ? AND " + unfinished)) {
      ps.setString(1, counterPartyId);
      ps.setString(2, role);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long open = rs.getLong(1);
        if (open >= max) {
          throw new TooManyOpen(counterPartyId + " already has " + open + " unfinished " + what + " with this node,"
              + " the most it may have (" + setting + "); complete or terminate some first");
        }
      }
    }
  }
}
