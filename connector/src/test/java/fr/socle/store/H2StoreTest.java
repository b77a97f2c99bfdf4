package fr.socle.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded H2 file database every node uses by default. */
class H2StoreTest extends StoreContract {

  @TempDir
  Path dir;

  @Override
  protected String[] emptyDatabase() {
    return new String[] {"jdbc:h2:file:" + dir.resolve("socle") + ";WRITE_DELAY=0", null, null};
  }
}
