package fr.socle.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.transfer.DataFetcher;
import fr.socle.testing.Paths;
import fr.socle.trust.NodeTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A caller reaches, over real mutual TLS with the development federation's certificates, a server
 * run by the région: calls meant for the région go through, calls meant for anyone else are
 * abandoned before a request (and its tokens) reaches the server.
 */
class ServerIdentityTest {

  private static final String REGION = "NTRFR-239900038";
  private static final String METROPOLE = "NTRFR-249900028";

  private final AtomicInteger requests = new AtomicInteger();
  private Vertx vertx;
  private HttpServer server;
  private String base;
  private NodeTls commune;

  @BeforeEach
  void startServer() {
    vertx = Vertx.vertx();
    Path certs = Paths.root().resolve("certs-dev");
    NodeTls region = NodeTls.of(certs.resolve("nodes/region-exemple"), certs);
    commune = NodeTls.of(certs.resolve("nodes/commune-esempiu"), certs);
    server = vertx.createHttpServer(region.serverOptions("127.0.0.1", 0)).requestHandler(request -> {
      requests.incrementAndGet();
      request.response().putHeader("Content-Type", "application/json").end("{\"@type\":\"Catalog\"}");
    }).listen().await();
    base = "https://localhost:" + server.actualPort();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** Waits for {@code call} and returns why it failed; null when it succeeded. */
  private static Throwable failure(Future<?> call) {
    return call.transform(done -> Future.succeededFuture(done.cause())).await();
  }

  @Test
  void dspCallsReachOnlyTheParticipantTheyAreMeantFor() {
    DspClient client = new DspClient(vertx, commune.clientOptions(), 5_000, callee -> "token-for-" + callee,
        ServerIdentity.FEDERATION_CERTIFICATE);
    assertThat(client.get(base, "/catalog", REGION).await().getString("@type")).isEqualTo("Catalog");
    assertThat(requests).hasValue(1);

    Throwable refused = failure(client.get(base, "/catalog", METROPOLE));
    assertThat(refused).isInstanceOf(DspClient.WrongServer.class)
        .hasMessageContaining("is " + REGION + ", not " + METROPOLE);
    assertThat(requests).as("nothing reached the server").hasValue(1);
  }

  @Test
  void dataIsFetchedOnlyFromTheProviderItself() {
    DataFetcher fetcher = new DataFetcher(vertx, commune.clientOptions(), 5_000, callee -> "node-token",
        ServerIdentity.FEDERATION_CERTIFICATE);
    JsonObject address = new JsonObject().put("endpoint", base + "/public/transfers/t-1")
        .put("endpointProperties", new JsonArray().add(new JsonObject().put("name", "authorization")
            .put("value", "access-token")));
    assertThat(fetcher.open(REGION, address, null).await().statusCode()).isEqualTo(200);
    assertThat(requests).hasValue(1);

    Throwable refused = failure(fetcher.open(METROPOLE, address, null));
    assertThat(refused).isInstanceOf(DspClient.WrongServer.class).hasMessageContaining("not " + METROPOLE);
    assertThat(requests).as("the access token was not sent").hasValue(1);
  }
}
