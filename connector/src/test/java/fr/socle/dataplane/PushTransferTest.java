package fr.socle.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.Await;
import fr.socle.testing.Federation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.Offers;
import fr.socle.testing.Paths;
import fr.socle.testing.RawRows;
import fr.socle.testing.TlsClients;
import fr.socle.testing.TwoNodes;
import fr.socle.store.SealedValues;
import fr.socle.transfer.DataFetcher;
import fr.socle.transfer.EdrTokens;
import fr.socle.transfer.PushDestination;
import fr.socle.trust.TrustMaterial;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HttpData-PUSH between two real nodes with real OPA over the development federation's mutual TLS:
 * the provider pushes file and HTTP sources to the consumer node's own receiver, both sides end
 * COMPLETED, and what arrived is what was sent; the policy, a source that is down and a destination
 * that is not the consumer end the transfer TERMINATED with the reason on both sides; the receiver
 * refuses other participants, wrong tokens, transfers that are not STARTED and a second upload while
 * one is in progress; a provider killed mid-push pushes again after its restart.
 *
 * <p>An HTTP backend in the test holds some bodies half-sent on request, which keeps a push in
 * progress for as long as a test needs it, without any timing assumption.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class PushTransferTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String BACKEND_SECRET = "Basic c29jbGU6cHVzaA==";
  /** The consumer's bound on a received body; the tests' bodies stay below it but one. */
  private static final long MAX_RECEIVED = 8 << 20;

  @TempDir
  static Path work;

  private TwoNodes nodes;
  private NodeProcess provider;
  private NodeProcess consumer;
  private Vertx vertx;
  private HttpServer backend;
  private final AtomicReference<String> backendAuthorization = new AtomicReference<>();
  private final Map<String, Held> held = new ConcurrentHashMap<>();

  /** A body the backend sends half of, then holds until released; later requests get it whole. */
  private static final class Held {
    final byte[] content;
    final AtomicInteger requests = new AtomicInteger();
    final CountDownLatch halfSent = new CountDownLatch(1);
    final Promise<Void> release = Promise.promise();

    Held(byte[] content) {
      this.content = content;
    }
  }

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    backend = vertx.createHttpServer().requestHandler(r -> {
      if (r.path().startsWith("/held/")) {
        Held h = held.get(r.path());
        int n = h.requests.incrementAndGet();
        r.response().putHeader("Content-Type", "application/octet-stream")
            .putHeader("Content-Length", Integer.toString(h.content.length));
        if (n > 1) {
          r.response().end(Buffer.buffer(h.content));
          return;
        }
        int half = h.content.length / 2;
        r.response().write(Buffer.buffer(Arrays.copyOfRange(h.content, 0, half)));
        h.halfSent.countDown();
        h.release.future().onComplete(v -> r.response()
            .end(Buffer.buffer(Arrays.copyOfRange(h.content, half, h.content.length))));
        return;
      }
      backendAuthorization.set(r.getHeader("Authorization"));
      if (!BACKEND_SECRET.equals(r.getHeader("Authorization"))) {
        r.response().setStatusCode(401).end();
        return;
      }
      r.response().putHeader("Content-Type", "application/json").end("{\"stations\":[\"Ajaccio\",\"Bastia\"]}");
    }).listen(0, "127.0.0.1").await();
    nodes = TwoNodes.start(work, new JsonObject(),
        new JsonObject().put("limits", new JsonObject()
        .put("dspTimeoutMillis", 15000).put("maxReceivedBytes", MAX_RECEIVED)));
    provider = nodes.provider();
    consumer = nodes.consumer();
  }

  @AfterAll
  void stop() throws Exception {
    held.values().forEach(h -> h.release.tryComplete());
    if (nodes != null) {
      nodes.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static JsonObject use() {
    return new JsonObject().put("action", "use");
  }

  private String agreementFor(JsonObject source, JsonObject permission) throws Exception {
    return Offers.agree(provider, consumer, source, permission, WAIT);
  }

  /** Asks for a push transfer under {@code agreement}; returns the consumer's transfer id. */
  private String push(String agreement, JsonObject destination) throws Exception {
    JsonObject request = new JsonObject().put("agreementId", agreement).put("format", "HttpData-PUSH");
    if (destination != null) {
      request.put("dataDestination", destination);
    }
    return consumer.api().post("/api/transfers", request).getString("id");
  }

  private JsonObject providerSide(String transfer, String... states) throws Exception {
    String providerPid = consumer.api().get("/api/transfers/" + transfer).getString("counterPartyPid");
    return provider.api().awaitField("/api/transfers/" + providerPid, "state", WAIT, states);
  }

  private Path received(String transfer) {
    return consumer.dataDir().resolve("received").resolve(transfer);
  }

  private Path file(String name, byte[] content) throws Exception {
    Path dir = provider.dataDir().resolve("assets");
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), content);
    return dir.resolve(name);
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static byte[] sha256(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }

  @Test
  void fileSourceIsPushedWholeAndBothSidesComplete() throws Exception {
    byte[] content = random(3 << 20);
    file("push.bin", content);
    String t = push(agreementFor(new JsonObject().put("type", "file").put("path", "assets/push.bin"), use()), null);

    JsonObject done = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "COMPLETED");
    assertThat(done.getString("format")).isEqualTo("HttpData-PUSH");
    assertThat(done.getString("destination")).isEqualTo(consumer.dspAddress() + "/push/transfers/" + t);
    JsonObject providerView = providerSide(t, "COMPLETED");
    assertThat(sha256(Files.readAllBytes(received(t)))).isEqualTo(sha256(content));
    HttpResponse<byte[]> data = consumer.api().download("/api/transfers/" + t + "/data");
    assertThat(data.statusCode()).isEqualTo(200);
    assertThat(sha256(data.body())).isEqualTo(sha256(content));
    // The receiver's token travels to the provider, which never shows it to its operator, and keeps it
    // encrypted under a key only the provider's node key gives.
    assertThat(providerView.encode()).doesNotContain("endpointProperties").doesNotContain("authorization");
    String raw = RawRows.transferColumn(provider, providerView.getString("id"), "destination");
    TrustMaterial providerKey = TrustMaterial.load(Paths.certs().resolve("nodes").resolve(Federation.PROVIDER),
        Paths.certs());
    String token = DataFetcher.property(new JsonObject(SealedValues.derivedFrom(providerKey.nodeKey())
        .open("transfer/" + providerView.getString("id") + "/destination", raw)), "authorization");
    assertThat(token).isNotBlank();
    assertThat(raw).startsWith("sealed:v1:").doesNotContain(token).doesNotContain("authorization");
    try (Stream<Path> left = Files.list(received(t).getParent())) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("." + t));
    }

    JsonObject access = dataAccess(providerView.getString("id"));
    assertThat(access.getString("mode")).isEqualTo("push");
    assertThat(access.getBoolean("complete")).isTrue();
    assertThat(access.getLong("bytes")).isEqualTo(content.length);
    assertThat(access.getString("participant")).isEqualTo(consumer.participantId());

    // The consumer's own trail: what it received, from whom, under which agreement.
    List<JsonObject> receipts = consumer.auditor().get("/audit/entries?type=DATA_RECEIVED").getJsonArray("entries")
        .stream().map(e -> ((JsonObject) e).getJsonObject("payload")).filter(p -> t.equals(p.getString("transfer")))
        .toList();
    assertThat(receipts).hasSize(1);
    assertThat(receipts.get(0).getString("mode")).isEqualTo("push");
    assertThat(receipts.get(0).getString("provider")).isEqualTo(provider.participantId());
    assertThat(receipts.get(0).getString("agreement")).isEqualTo(done.getString("agreementId"));
    assertThat(receipts.get(0).getLong("bytes")).isEqualTo(content.length);
    assertThat(receipts.get(0).getString("sha256")).isEqualTo(HexFormat.of().formatHex(sha256(content)));
    assertThat(receipts.get(0).getBoolean("complete")).isTrue();
  }

  /** The provider's one DATA_ACCESS audit entry of transfer {@code providerPid}, its payload. */
  private JsonObject dataAccess(String providerPid) throws Exception {
    JsonArray entries = provider.auditor().get("/audit/entries?type=DATA_ACCESS").getJsonArray("entries");
    List<JsonObject> found = entries.stream().map(e -> ((JsonObject) e).getJsonObject("payload"))
        .filter(p -> providerPid.equals(p.getString("transfer"))).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  @Test
  void httpSourceIsPushedWithTheBackendCredentialsKeptOnTheProvider() throws Exception {
    JsonObject source = new JsonObject().put("type", "http")
        .put("url", "http://127.0.0.1:" + backend.actualPort() + "/stations")
        .put("headers", new JsonObject().put("Authorization", BACKEND_SECRET));
    String t = push(agreementFor(source, use()), null);
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "COMPLETED");
    assertThat(Files.readString(received(t))).isEqualTo("{\"stations\":[\"Ajaccio\",\"Bastia\"]}");
    assertThat(backendAuthorization.get()).isEqualTo(BACKEND_SECRET);
    providerSide(t, "COMPLETED");
  }

  @Test
  void pushRefusedByPolicyTerminatesBothSidesWithTheReason() throws Exception {
    file("once.csv", "a;b\n1;2\n".getBytes(StandardCharsets.UTF_8));
    JsonObject once = use().put("constraint", new JsonArray().add(new JsonObject()
        .put("leftOperand", "count").put("operator", "lt").put("rightOperand", 1)));
    String agreement = agreementFor(new JsonObject().put("type", "file").put("path", "assets/once.csv"), once);
    String first = push(agreement, null);
    consumer.api().awaitField("/api/transfers/" + first, "state", WAIT, "COMPLETED");

    String second = push(agreement, null);
    JsonObject refused = consumer.api().awaitField("/api/transfers/" + second, "state", WAIT, "TERMINATED");
    assertThat(refused.getString("detail")).contains(provider.participantId()).contains("count");
    assertThat(received(second)).doesNotExist();
    assertThat(consumer.api().download("/api/transfers/" + second + "/data").statusCode()).isEqualTo(409);
  }

  @Test
  void sourceDownTerminatesBothSidesWithTheReason() throws Exception {
    HttpServer gone = vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1").await();
    int port = gone.actualPort();
    gone.close().await();
    String t = push(agreementFor(new JsonObject().put("type", "http").put("url", "http://127.0.0.1:" + port
        + "/lits.csv"), use()), null);
    JsonObject ended = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "TERMINATED");
    JsonObject providerView = providerSide(t, "TERMINATED");
    String providerPid = providerView.getString("id");
    // The consumer reads the stable code and the transfer, in English and French; never the backend's address.
    assertThat(ended.getString("detail")).contains(provider.participantId()).contains("source_unavailable")
        .contains("transfer " + providerPid);
    String french = new JsonObject(consumer.api().send("GET", "/api/transfers/" + t, null, "Accept-Language", "fr")
        .body()).getString("detail");
    assertThat(french).contains("terminé par").contains("source_unavailable").contains("transfert " + providerPid);
    assertThat(ended.encode() + french).doesNotContain(":" + port).doesNotContain("lits.csv")
        .doesNotContain("Connection refused").doesNotContain("cannot be reached");
    // The provider's transfer holds the reason it sent; its operator finds what failed in the log and audit trail.
    assertThat(providerView.encode()).doesNotContain(":" + port);
    assertThat(dataAccess(providerPid).getString("error")).contains(":" + port);
    Await.until(WAIT, "the provider's log names the backend", () -> Files.readString(provider.log())
        .contains("127.0.0.1:" + port));
    assertThat(received(t)).doesNotExist();
  }

  @Test
  void aDestinationThatIsNotTheConsumerIsNeverPushedTo() throws Exception {
    file("ssrf.csv", "x\n".getBytes(StandardCharsets.UTF_8));
    String agreement = agreementFor(new JsonObject().put("type", "file").put("path", "assets/ssrf.csv"), use());
    // A federation member's server, but not the consumer's: the provider's own DSP port.
    JsonObject elsewhere = EdrTokens.dataAddress(provider.dspAddress() + "/push/transfers/x", "operator-token");
    String t = push(agreement, elsewhere);
    JsonObject ended = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "TERMINATED");
    assertThat(ended.getString("detail")).contains("push refused by this provider")
        .contains("is " + provider.participantId() + ", not " + consumer.participantId());
    assertThat(provider.log()).content().doesNotContain("operator-token");
  }

  @Test
  void receiverRefusesOtherParticipantsWrongTokensAndTransfersNotStarted() throws Exception {
    Held h = new Held(random(1 << 20));
    held.put("/held/refusals", h);
    String t = push(agreementFor(new JsonObject().put("type", "http").put("url", "http://127.0.0.1:"
        + backend.actualPort() + "/held/refusals"), use()), null);
    assertThat(h.halfSent.await(30, TimeUnit.SECONDS)).isTrue();
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "STARTED");

    assertPushRefused(Federation.OUTSIDER, t, "Bearer anything", 403, "wrong_provider");
    assertPushRefused(Federation.PROVIDER, t, "Bearer wrong", 401, "token_invalid");
    assertPushRefused(Federation.PROVIDER, t, null, 401, "token_missing");
    assertPushRefused(Federation.PROVIDER, "no-such-transfer", "Bearer wrong", 404, "not_found");
    // Nothing arrived whole yet: nothing to serve.
    assertThat(consumer.api().download("/api/transfers/" + t + "/data").statusCode()).isEqualTo(409);

    h.release.complete();
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "COMPLETED");
    assertThat(Files.readAllBytes(received(t))).isEqualTo(h.content);
    assertPushRefused(Federation.PROVIDER, t, "Bearer wrong", 403, "transfer_not_started");
  }

  private void assertPushRefused(String caller, String transfer, String authorization, int status, String code)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(consumer.dspAddress() + "/push/transfers/"
        + transfer)).header("Socle-Node-Token", Federation.token(caller, consumer.participantId()))
        .PUT(HttpRequest.BodyPublishers.ofString("not the data"));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> r = TlsClients.member(caller).send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(new JsonObject(r.body()).getString("code")).isEqualTo(code);
  }

  /**
   * A provider that opens a second upload of a transfer while one is in progress is refused at once,
   * with no second file; once the first upload has ended (here broken by the provider's crash), the
   * transfer is received again as before.
   */
  @Test
  void aSecondUploadWhileOneIsInProgressIsRefusedAndOneAfterItEndedIsAccepted() throws Exception {
    Held h = new Held(random(1 << 20));
    held.put("/held/twice", h);
    String t = push(agreementFor(new JsonObject().put("type", "http").put("url", "http://127.0.0.1:"
        + backend.actualPort() + "/held/twice"), use()), null);
    assertThat(h.halfSent.await(30, TimeUnit.SECONDS)).isTrue();
    Await.until(WAIT, "the upload of " + t + " in progress on the consumer", () -> partials(t) == 1);
    String token = receiverToken(consumer.api().get("/api/transfers/" + t).getString("counterPartyPid"));

    HttpResponse<String> second = pushAs(Federation.PROVIDER, t, token,
        "not the data".getBytes(StandardCharsets.UTF_8));
    assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
    JsonObject error = new JsonObject(second.body());
    assertThat(error.getString("code")).isEqualTo("upload_in_progress");
    assertThat(error.getJsonArray("reason").getString(0)).isEqualTo("an upload of transfer " + t
        + " is already in progress; send it again once that one has ended");
    assertThat(error.encode()).contains("un envoi du transfert " + t + " est déjà en cours");
    assertThat(partials(t)).as("temporary files of " + t).isEqualTo(1);
    assertThat(received(t)).doesNotExist();

    // The first upload ends: its connection breaks with the provider's process.
    provider.kill();
    Await.until(WAIT, "the consumer to drop the broken upload of " + t, () -> Files.readString(consumer.log())
        .contains("push of transfer " + t + " from " + provider.participantId() + " dropped"));
    assertThat(partials(t)).isZero();
    HttpResponse<String> again = pushAs(Federation.PROVIDER, t, token, h.content);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(Files.readAllBytes(received(t))).isEqualTo(h.content);

    provider.launch();
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "COMPLETED");
    assertThat(Files.readAllBytes(received(t))).isEqualTo(h.content);
    assertThat(partials(t)).isZero();
  }

  /** The temporary files of transfer {@code t}'s uploads in the consumer's receiver. */
  private long partials(String t) throws Exception {
    if (!Files.isDirectory(received(t).getParent())) {
      return 0; // nothing received yet
    }
    try (Stream<Path> all = Files.list(received(t).getParent())) {
      return all.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + t + ".")).count();
    }
  }

  /**
   * The receiver's token the provider pushes transfer {@code providerPid} with. Neither node shows it
   * (the consumer keeps only its hash): read from the provider's database, as a provider that sends a
   * body of its own choosing would use it.
   */
  private String receiverToken(String providerPid) throws Exception {
    return PushDestination.parse(RawRows.openedTransferColumn(provider, Federation.PROVIDER, providerPid,
        "destination")).token();
  }

  /** A push of {@code body} to the consumer's receiver, sent by {@code caller} with the receiver's token. */
  private HttpResponse<String> pushAs(String caller, String transfer, String token, byte[] body) throws Exception {
    return TlsClients.member(caller).send(HttpRequest.newBuilder(URI.create(consumer.dspAddress()
            + "/push/transfers/" + transfer)).header("Socle-Node-Token", Federation.token(caller,
            consumer.participantId())).header("Authorization", "Bearer " + token)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void unsupportedFormatsAndAPushWithoutDestinationAreBadRequests() throws Exception {
    file("formats.csv", "x\n".getBytes(StandardCharsets.UTF_8));
    String agreement = agreementFor(new JsonObject().put("type", "file").put("path", "assets/formats.csv"), use());
    JsonObject request = new JsonObject().put("@context",
        new JsonArray().add("https://w3id.org/dspace/2025/1/context.jsonld"))
        .put("@type", "TransferRequestMessage").put("consumerPid", "urn:uuid:c-1").put("agreementId", agreement)
        .put("callbackAddress", consumer.dspAddress());
    HttpResponse<String> ftp = dsp(request.copy().put("format", "HttpData-FTP"));
    assertThat(ftp.statusCode()).as(ftp.body()).isEqualTo(400);
    assertThat(ftp.body()).contains("TransferError").contains("unsupported format 'HttpData-FTP'");
    HttpResponse<String> noDestination = dsp(request.copy().put("format", "HttpData-PUSH"));
    assertThat(noDestination.statusCode()).as(noDestination.body()).isEqualTo(400);
    assertThat(noDestination.body()).contains("needs a dataAddress");

    HttpResponse<String> operator = consumer.api().send("POST", "/api/transfers", new JsonObject()
        .put("agreementId", agreement).put("format", "HttpData-FTP").encode());
    assertThat(operator.statusCode()).as(operator.body()).isEqualTo(400);
    assertThat(operator.body()).contains("HttpData-PUSH").contains("HttpData-FTP");
  }

  private HttpResponse<String> dsp(JsonObject message) throws Exception {
    return TlsClients.member(Federation.CONSUMER).send(HttpRequest.newBuilder(URI.create(provider.dspAddress()
            + "/transfers/request")).header("Authorization", "Bearer " + Federation.token(Federation.CONSUMER,
            provider.participantId())).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(message.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void providerKilledMidPushPushesAgainAfterItsRestart() throws Exception {
    Held h = new Held(random(2 << 20));
    held.put("/held/kill", h);
    String t = push(agreementFor(new JsonObject().put("type", "http").put("url", "http://127.0.0.1:"
        + backend.actualPort() + "/held/kill"), use()), null);
    assertThat(h.halfSent.await(30, TimeUnit.SECONDS)).isTrue();

    provider.kill();
    provider.launch();

    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "COMPLETED");
    assertThat(h.requests.get()).isEqualTo(2);
    assertThat(Files.readAllBytes(received(t))).isEqualTo(h.content);
    providerSide(t, "COMPLETED");
    try (Stream<Path> left = Files.list(received(t).getParent())) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("." + t));
    }
  }

  @Test
  void aBodyAboveTheReceiversBoundIsRefusedAndTheTransferTerminated() throws Exception {
    file("too-big.bin", new byte[(int) MAX_RECEIVED + 1]);
    String t = push(agreementFor(new JsonObject().put("type", "file").put("path", "assets/too-big.bin"), use()), null);
    JsonObject ended = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "TERMINATED");
    assertThat(ended.getString("detail")).contains("413").contains("expected at most " + MAX_RECEIVED + " bytes");
    assertThat(received(t)).doesNotExist();
  }

  @Test
  void suspensionMidPushCutsItAtOnce() throws Exception {
    Held h = new Held(random(1 << 20));
    held.put("/held/suspend", h);
    String t = push(agreementFor(new JsonObject().put("type", "http").put("url", "http://127.0.0.1:"
        + backend.actualPort() + "/held/suspend"), use()), null);
    assertThat(h.halfSent.await(30, TimeUnit.SECONDS)).isTrue();
    String providerPid = providerSide(t, "STARTED").getString("id");

    provider.api().post("/api/transfers/" + providerPid + "/suspension", new JsonObject().put("reason", "maintenance"));
    JsonObject suspended = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "SUSPENDED");
    assertThat(suspended.getString("detail")).contains("maintenance");
    assertThat(provider.log()).content().contains("cutting the push of transfer " + providerPid);
    assertThat(received(t)).doesNotExist();
    JsonObject access = dataAccess(providerPid);
    assertThat(access.getBoolean("complete")).isFalse();
    assertThat(access.getLong("bytes")).isLessThan(h.content.length);
  }

  /**
   * The push's own access decision, as a pull's: a push that used the agreement's one access, cut by
   * a crash, is not pushed again after the restart; the transfer ends with the policy's reason.
   */
  @Test
  void aPushAgainAfterACrashIsStillSubjectToTheAccessDecision() throws Exception {
    Held h = new Held(random(1 << 20));
    held.put("/held/once", h);
    JsonObject once = use().put("constraint", new JsonArray().add(new JsonObject()
        .put("leftOperand", "count").put("operator", "lt").put("rightOperand", 1)));
    String t = push(agreementFor(new JsonObject().put("type", "http").put("url", "http://127.0.0.1:"
        + backend.actualPort() + "/held/once"), once), null);
    assertThat(h.halfSent.await(30, TimeUnit.SECONDS)).isTrue();

    provider.kill();
    provider.launch();

    JsonObject refused = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "TERMINATED");
    assertThat(refused.getString("detail")).contains(provider.participantId()).contains("count");
    assertThat(h.requests.get()).as("the source is not read again").isEqualTo(1);
    assertThat(received(t)).doesNotExist();
  }
}
