package fr.socle.management;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Idempotency keys on the embedded H2 file database every node uses by default. */
class IdempotencyKeysH2Test extends IdempotencyKeysContract {

  @TempDir
  Path dir;

  @Override
  protected String[] emptyDatabase() {
    return new String[] {"jdbc:h2:file:" + dir.resolve("socle") + ";WRITE_DELAY=0", null, null};
  }
}
