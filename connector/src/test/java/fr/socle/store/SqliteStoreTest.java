package fr.socle.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded SQLite file database every node uses by default. */
class SqliteStoreTest extends StoreContract {

  @TempDir
  Path dir;

  @Override
  protected String[] emptyDatabase() {
    return new String[] {"jdbc:sqlite:" + dir.resolve("socle.db"), null, null};
  }
}
