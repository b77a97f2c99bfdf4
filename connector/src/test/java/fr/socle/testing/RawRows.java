package fr.socle.testing;

import fr.socle.node.NodeConfig;
import fr.socle.store.SealedValues;
import fr.socle.trust.TrustMaterial;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;

/** A node's database rows as they lie in its file, read as anyone holding a copy of it would. */
public final class RawRows {

  private RawRows() {
  }

  /** Column {@code column} (a constant of the test) of transfer {@code id}, from {@code node}'s embedded database. */
  public static String transferColumn(NodeProcess node, String id, String column) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    // Read-only, beside the running node: SQLite's write-ahead log lets a reader in at any time.
    config.setReadOnly(true);
    try (Connection c = config.createConnection(NodeConfig.defaultDatabaseUrl(node.dataDir()));
        PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM transfer WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("no transfer " + id + " in the database of " + node.participantId());
        }
        return rs.getString(1);
      }
    }
  }

  /**
   * Column {@code column} of transfer {@code id} as the node reads it: opened with the key its node key
   * gives ({@code slug} names the node in the development federation).
   */
  public static JsonObject openedTransferColumn(NodeProcess node, String slug, String id, String column)
      throws Exception {
    TrustMaterial key = TrustMaterial.load(Paths.certs().resolve("nodes").resolve(slug), Paths.certs());
    return new JsonObject(SealedValues.derivedFrom(key.nodeKey())
        .open("transfer/" + id + "/" + column, transferColumn(node, id, column)));
  }
}
