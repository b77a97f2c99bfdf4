package fr.socle.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.NodeProcess;
import fr.socle.testing.Offers;
import fr.socle.testing.TwoNodes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider that dies while the consumer relays its data to the operator: before any byte of the
 * body, the operator gets a 502 naming the provider and why, not a 500; once the body started, the
 * connection is cut, so the operator sees a truncated transfer, never one that looks complete. The
 * provider's HTTP backend is held by the test, so that the provider is killed at a known point.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ProviderDiesMidDownloadTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long ANNOUNCED = 64L << 20;

  @TempDir
  static Path work;

  private TwoNodes nodes;
  private NodeProcess provider;
  private NodeProcess consumer;
  private Vertx vertx;
  private HttpServer backend;
  private final CountDownLatch asked = new CountDownLatch(1);

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    backend = vertx.createHttpServer().requestHandler(r -> {
      if (r.path().equals("/silent")) {
        asked.countDown(); // and never answers
        return;
      }
      // A first MiB of a body announced much longer, then nothing.
      r.response().putHeader("Content-Type", "application/octet-stream")
          .putHeader("Content-Length", String.valueOf(ANNOUNCED)).write(Buffer.buffer(new byte[1 << 20]));
    }).listen(0, "127.0.0.1").await();
    nodes = TwoNodes.start(work, new JsonObject(), new JsonObject());
    provider = nodes.provider();
    consumer = nodes.consumer();
  }

  @AfterAll
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private String startedTransfer(String path) throws Exception {
    JsonObject source = new JsonObject().put("type", "http").put("url", "http://127.0.0.1:" + backend.actualPort()
        + path);
    String agreement = Offers.agree(provider, consumer, source, new JsonObject().put("action", "use"), WAIT);
    String t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement)).getString("id");
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "STARTED");
    return t;
  }

  private HttpRequest download(String t) {
    return HttpRequest.newBuilder(URI.create(consumer.managementUrl() + "/api/transfers/" + t + "/data"))
        .header("X-Api-Key", NodeProcess.API_KEY).timeout(Duration.ofSeconds(60)).build();
  }

  @Test
  void aProviderThatDiesIsA502BeforeTheBodyAndACutConnectionAfter() throws Exception {
    String cut = startedTransfer("/stalls");
    String silent = startedTransfer("/silent");

    // The body started: the operator has the headers and a first MiB when the provider dies.
    HttpResponse<InputStream> started = HttpClient.newHttpClient().send(download(cut),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(started.statusCode()).isEqualTo(200);
    assertThat(started.headers().firstValueAsLong("Content-Length")).hasValue(ANNOUNCED);
    long read = 0;
    boolean broken = false;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = started.body()) {
      while (read < (1 << 20)) {
        read += in.read(buffer);
      }
      provider.kill();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        read += n;
      }
    } catch (IOException e) {
      broken = true;
    }
    assertThat(broken || read < ANNOUNCED).as("a cut body never looks complete").isTrue();
    assertThat(read).isLessThan(ANNOUNCED);

    // Before the body: the provider waits for its backend when it dies.
    provider.launch();
    CompletableFuture<HttpResponse<String>> pending = HttpClient.newHttpClient().sendAsync(download(silent),
        HttpResponse.BodyHandlers.ofString());
    assertThat(asked.await(30, TimeUnit.SECONDS)).as("the provider asked its backend").isTrue();
    provider.kill();
    HttpResponse<String> answer = pending.get(30, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(502);
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject problem = new JsonObject(answer.body());
    assertThat(problem.getString("title")).isEqualTo("Partner connection lost");
    assertThat(problem.getString("detail")).contains("the provider " + provider.participantId())
        .contains("closed or reset the connection");
    assertThat(consumer.log()).content().doesNotContain("unexpected failure");
  }
}
