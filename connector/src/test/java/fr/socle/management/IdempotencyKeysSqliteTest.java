package fr.socle.management;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Idempotency keys on the embedded SQLite file database every node uses by default. */
class IdempotencyKeysSqliteTest extends IdempotencyKeysContract {

  @TempDir
  Path dir;

  @Override
  protected String[] emptyDatabase() {
    return new String[] {"jdbc:sqlite:" + dir.resolve("socle.db"), null, null};
  }
}
