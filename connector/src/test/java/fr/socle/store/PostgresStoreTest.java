package fr.socle.store;

import fr.socle.testing.PostgresServer;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on a real PostgreSQL server, the production choice for larger territories. */
class PostgresStoreTest extends StoreContract {

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
