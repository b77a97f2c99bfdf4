package fr.socle.management;

import fr.socle.testing.PostgresServer;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Idempotency keys on a real PostgreSQL server. */
class IdempotencyKeysPostgresTest extends IdempotencyKeysContract {

  private static PostgresServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected String[] emptyDatabase() throws Exception {
    String name = "t" + UUID.randomUUID().toString().replace("-", "");
    return new String[] {server.createDatabase(name), server.user(), ""};
  }
}
