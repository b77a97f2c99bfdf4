package fr.socle.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.Await;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.Offers;
import fr.socle.testing.TwoNodes;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push takes one of the consumer's stream slots on the provider like a download: while the
 * consumer holds them all, the push waits and is retried, and it goes through once a slot is free;
 * the attempts that found none use up no count of the agreement.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class PushWaitsForAStreamSlotTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final byte[] SMALL = "commune;lits\n2A004;412\n".getBytes(StandardCharsets.UTF_8);

  @TempDir
  static Path work;

  private TwoNodes nodes;
  private NodeProcess provider;
  private NodeProcess consumer;

  @BeforeAll
  void start() throws Exception {
    nodes = TwoNodes.start(work, new JsonObject().put("limits", new JsonObject()
        .put("maxDownloadsPerParticipant", 1)), new JsonObject());
    provider = nodes.provider();
    consumer = nodes.consumer();
    Path assets = Files.createDirectories(provider.dataDir().resolve("assets"));
    try (RandomAccessFile big = new RandomAccessFile(assets.resolve("big.bin").toFile(), "rw")) {
      big.setLength(256L << 20);
    }
    Files.write(assets.resolve("small.csv"), SMALL);
  }

  @AfterAll
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void aPushWaitsWhileTheConsumerHoldsItsOnlySlotThenGoesThrough() throws Exception {
    JsonObject use = new JsonObject().put("action", "use");
    String pull = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", Offers.agree(provider,
        consumer, new JsonObject().put("type", "file").put("path", "assets/big.bin"), use, WAIT))).getString("id");
    consumer.api().awaitField("/api/transfers/" + pull, "state", WAIT, "STARTED");
    String smallAgreement = Offers.agree(provider, consumer, new JsonObject().put("type", "file")
        .put("path", "assets/small.csv"), use, WAIT);

    // A download read slowly: back-pressure keeps it, and its slot, open on the provider.
    HttpResponse<InputStream> held = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            consumer.managementUrl() + "/api/transfers/" + pull + "/data")).header("X-Api-Key", NodeProcess.API_KEY)
        .build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(held.statusCode()).isEqualTo(200);
    try (InputStream in = held.body()) {
      in.readNBytes(1 << 20);
      String push = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", smallAgreement)
          .put("format", "HttpData-PUSH")).getString("id");
      String providerPid = consumer.api().awaitField("/api/transfers/" + push, "state", WAIT, "STARTED")
          .getString("counterPartyPid");
      awaitLog("step of " + providerPid + " failed", "transfers of data in progress on this node; retry when one ends");
      assertThat(consumer.api().get("/api/transfers/" + push).getString("state")).isEqualTo("STARTED");

      in.close();
      consumer.api().awaitField("/api/transfers/" + push, "state", WAIT, "COMPLETED");
      assertThat(Files.readAllBytes(consumer.dataDir().resolve("received").resolve(push))).isEqualTo(SMALL);
      // Each attempt that found no free slot used up nothing: the agreement counts the one push made.
      assertThat(provider.api().get("/api/agreements/" + smallAgreement).getLong("accessCount")).isEqualTo(1);
    }
  }

  private void awaitLog(String... fragments) throws Exception {
    Await.until(WAIT, "a line of the provider's log with " + String.join(" and ", fragments), () -> {
      String log = Files.readString(provider.log());
      boolean all = true;
      for (String f : fragments) {
        all &= log.lines().anyMatch(l -> l.contains(fragments[0]) && l.contains(f));
      }
      return all;
    });
  }
}
