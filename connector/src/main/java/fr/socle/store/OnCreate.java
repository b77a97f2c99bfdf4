package fr.socle.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work a caller adds to the transaction that creates a row: run after the insert, before the commit,
 * on the same connection, so that the row and what the caller writes with it commit together or not
 * at all. Throwing rolls the creation back.
 */
@FunctionalInterface
public interface OnCreate<T> {

  void run(Connection c, T created) throws SQLException;

  /** Adds nothing: a creation as it was. */
  static <T> OnCreate<T> none() {
    return (c, created) -> { };
  }
}
