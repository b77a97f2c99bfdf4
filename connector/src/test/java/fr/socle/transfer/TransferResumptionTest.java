package fr.socle.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.Await;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.Offers;
import fr.socle.testing.TwoNodes;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming suspended transfers through the management API, between two real nodes with real OPA:
 * who may resume, what the provider checks first, and that data flows again, pulled or pushed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class TransferResumptionTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final byte[] CONTENT = "code_insee;population\n2A004;73000\n".getBytes(StandardCharsets.UTF_8);

  @TempDir
  static Path work;

  private TwoNodes nodes;
  private NodeProcess provider;
  private NodeProcess consumer;
  private Vertx vertx;
  private HttpServer backend;
  private final byte[] pushed = new byte[1 << 20];
  private final AtomicInteger backendRequests = new AtomicInteger();
  private final CountDownLatch halfSent = new CountDownLatch(1);
  private final Promise<Void> release = Promise.promise();

  @BeforeAll
  void start() throws Exception {
    new Random(7).nextBytes(pushed);
    vertx = Vertx.vertx();
    // Sends half of the first body, then holds it until released; later requests get it whole.
    backend = vertx.createHttpServer().requestHandler(r -> {
      r.response().putHeader("Content-Length", Integer.toString(pushed.length));
      if (backendRequests.incrementAndGet() > 1) {
        r.response().end(Buffer.buffer(pushed));
        return;
      }
      int half = pushed.length / 2;
      r.response().write(Buffer.buffer(Arrays.copyOfRange(pushed, 0, half)));
      halfSent.countDown();
      release.future().onComplete(v -> r.response().end(Buffer.buffer(Arrays.copyOfRange(pushed, half,
          pushed.length))));
    }).listen(0, "127.0.0.1").await();
    nodes = TwoNodes.start(work, new JsonObject(), new JsonObject());
    provider = nodes.provider();
    consumer = nodes.consumer();
    Files.createDirectories(provider.dataDir().resolve("assets"));
    Files.write(provider.dataDir().resolve("assets/population.csv"), CONTENT);
  }

  @AfterAll
  void stop() throws Exception {
    release.tryComplete();
    if (nodes != null) {
      nodes.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static JsonObject file() {
    return new JsonObject().put("type", "file").put("path", "assets/population.csv");
  }

  private static JsonObject use() {
    return new JsonObject().put("action", "use");
  }

  /** Negotiates {@code source} under {@code permission}, starts a pull and waits until it is STARTED. */
  private String startedPull(JsonObject source, JsonObject permission) throws Exception {
    String agreement = Offers.agree(provider, consumer, source, permission, WAIT);
    String t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement)).getString("id");
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "STARTED");
    return t;
  }

  private String providerPid(String consumerTransfer) throws Exception {
    return consumer.api().get("/api/transfers/" + consumerTransfer).getString("counterPartyPid");
  }

  private HttpResponse<String> resume(NodeProcess node, String transfer) throws Exception {
    return node.api().send("POST", "/api/transfers/" + transfer + "/resumption", "{}");
  }

  private byte[] download(String t) throws Exception {
    HttpResponse<byte[]> r = consumer.api().download("/api/transfers/" + t + "/data");
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return r.body();
  }

  @Test
  void aConsumerResumesWhatItSuspendedAndPullsAgain() throws Exception {
    String t = startedPull(file(), use());
    assertThat(download(t)).isEqualTo(CONTENT);
    consumer.api().post("/api/transfers/" + t + "/suspension", new JsonObject().put("reason", "night batch"));
    // The consumer records SUSPENDED once the provider acknowledged, so both are suspended then.
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "SUSPENDED");
    assertThat(consumer.api().download("/api/transfers/" + t + "/data").statusCode()).isEqualTo(409);

    HttpResponse<String> asked = resume(consumer, t);
    assertThat(asked.statusCode()).as(asked.body()).isEqualTo(200);
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "STARTED");
    provider.api().awaitField("/api/transfers/" + providerPid(t), "state", WAIT, "STARTED");
    assertThat(download(t)).isEqualTo(CONTENT);
  }

  @Test
  void aProvidersSuspensionIsLiftedByTheProviderAlone() throws Exception {
    String t = startedPull(file(), use());
    String providerPid = providerPid(t);
    provider.api().post("/api/transfers/" + providerPid + "/suspension", new JsonObject().put("reason", "audit"));
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "SUSPENDED");
    provider.api().awaitField("/api/transfers/" + providerPid, "state", WAIT, "SUSPENDED");

    // The consumer may ask; the provider refuses, and the transfer stays suspended with the reason.
    assertThat(resume(consumer, t).statusCode()).isEqualTo(200);
    JsonObject refused = awaitDetail(t, "refused to resume");
    assertThat(refused.getString("state")).isEqualTo("SUSPENDED");
    assertThat(refused.getString("detail")).isEqualTo("the provider refused to resume (HTTP 409): transfer "
        + providerPid + " was suspended by its provider " + provider.participantId() + ", which alone can resume it");
    assertThat(provider.api().get("/api/transfers/" + providerPid).getString("state")).isEqualTo("SUSPENDED");
    assertThat(consumer.api().download("/api/transfers/" + t + "/data").statusCode()).isEqualTo(409);

    HttpResponse<String> resumed = resume(provider, providerPid);
    assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "STARTED");
    assertThat(download(t)).isEqualTo(CONTENT);
  }

  /** A resumption is a new start: the provider's policy engine decides again, with today's usage. */
  @Test
  void aResumptionThePolicyNoLongerAllowsTerminatesTheTransfer() throws Exception {
    JsonObject once = use().put("constraint", new JsonArray().add(new JsonObject()
        .put("leftOperand", "count").put("operator", "lt").put("rightOperand", 1)));
    String t = startedPull(file(), once);
    assertThat(download(t)).isEqualTo(CONTENT);
    consumer.api().post("/api/transfers/" + t + "/suspension", new JsonObject());
    // The consumer records SUSPENDED once the provider acknowledged, so both are suspended then.
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "SUSPENDED");

    assertThat(resume(consumer, t).statusCode()).isEqualTo(200);
    JsonObject ended = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "TERMINATED");
    assertThat(ended.getString("detail")).contains(provider.participantId()).contains("count");
  }

  @Test
  void onlyASuspendedTransferCanBeResumed() throws Exception {
    String t = startedPull(file(), use());
    HttpResponse<String> r = resume(consumer, t);
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(r.body()).getString("detail")).contains("STARTED").contains("RESUMING");
    assertThat(resume(consumer, "no-such-transfer").statusCode()).isEqualTo(404);
  }

  @Test
  void aPushSuspendedMidwayIsPushedWholeOnResumption() throws Exception {
    String agreement = Offers.agree(provider, consumer, new JsonObject().put("type", "http")
        .put("url", "http://127.0.0.1:" + backend.actualPort() + "/held"), use(), WAIT);
    String t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement)
        .put("format", "HttpData-PUSH")).getString("id");
    assertThat(halfSent.await(30, TimeUnit.SECONDS)).isTrue();
    String providerPid = providerPid(t);
    provider.api().post("/api/transfers/" + providerPid + "/suspension", new JsonObject().put("reason", "maintenance"));
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "SUSPENDED");
    // The provider records SUSPENDED once the consumer acknowledged.
    provider.api().awaitField("/api/transfers/" + providerPid, "state", WAIT, "SUSPENDED");
    assertThat(consumer.api().download("/api/transfers/" + t + "/data").statusCode()).isEqualTo(409);

    assertThat(resume(provider, providerPid).statusCode()).isEqualTo(200);
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "COMPLETED");
    assertThat(download(t)).isEqualTo(pushed);
    assertThat(backendRequests.get()).isEqualTo(2);
  }

  private JsonObject awaitDetail(String t, String text) throws Exception {
    return Await.until(WAIT, "transfer " + t + " with a detail containing '" + text + "'",
        () -> consumer.api().get("/api/transfers/" + t), seen -> seen.getString("detail", "").contains(text));
  }
}
