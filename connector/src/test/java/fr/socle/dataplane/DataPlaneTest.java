package fr.socle.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.cli.Socle;
import fr.socle.testing.Await;
import fr.socle.testing.Federation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.Offers;
import fr.socle.process.Role;
import fr.socle.testing.Paths;
import fr.socle.testing.RawRows;
import fr.socle.testing.TlsClients;
import fr.socle.testing.TwoNodes;
import fr.socle.store.SealedValues;
import fr.socle.transfer.DataFetcher;
import fr.socle.transfer.EdrTokens;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferState;
import fr.socle.trust.TrustMaterial;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The data plane between two real nodes (each JVM capped at 256 MB of heap) with real OPA: the three
 * kinds of sources, ranges, digests, usage counts, signed access tokens, suspension mid-download, and
 * a source that goes down.
 *
 * <p>The provider's access tokens live {@value #TOKEN_SECONDS} s, less than the consumer's refresh
 * margin: every download below first refreshes its token, so each one also proves the refresh works.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class DataPlaneTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int TOKEN_SECONDS = 20;
  private static final String BACKEND_SECRET = "Basic c29jbGU6YmFja2VuZA==";

  @TempDir
  static Path work;

  private TwoNodes nodes;
  private NodeProcess provider;
  private NodeProcess consumer;
  private Vertx vertx;
  private HttpServer backend;
  private final AtomicReference<String> backendAuthorization = new AtomicReference<>();
  private String sqlUrl;

  @BeforeAll
  void start() throws Exception {
    sqlUrl = "jdbc:h2:file:" + work.resolve("territory-db");
    try (Connection c = DriverManager.getConnection(sqlUrl, "sa", "")) {
      c.createStatement().execute("CREATE TABLE arrets (id INT PRIMARY KEY, nom VARCHAR(100), commune VARCHAR(10))");
      c.createStatement().execute("INSERT INTO arrets VALUES (1, 'Place du Diamant', '2A004'), "
          + "(2, 'Gare, \"centre\"', '2B033'), (3, 'Port', '2A247')");
    }
    vertx = Vertx.vertx();
    backend = vertx.createHttpServer().requestHandler(r -> {
      backendAuthorization.set(r.getHeader("Authorization"));
      if (!BACKEND_SECRET.equals(r.getHeader("Authorization"))) {
        r.response().setStatusCode(401).end();
        return;
      }
      r.response().putHeader("Content-Type", "application/json").end("{\"stations\":[\"Ajaccio\",\"Bastia\"]}");
    }).listen(0, "127.0.0.1").await();
    nodes = TwoNodes.start(work, new JsonObject().put("databases",
        new JsonObject().put("transport", new JsonObject().put("url", sqlUrl).put("user", "sa").put("password", "")))
        .put("limits", new JsonObject().put("dspTimeoutMillis", 15000).put("accessTokenSeconds", TOKEN_SECONDS)),
        new JsonObject());
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

  /** Publishes {@code source} under {@code policy}, negotiates it and starts a transfer; returns its id. */
  private String startedTransfer(JsonObject source, JsonObject permission) throws Exception {
    JsonObject t = consumer.api().post("/api/transfers", new JsonObject()
        .put("agreementId", agreementFor(source, permission)));
    consumer.api().awaitField("/api/transfers/" + t.getString("id"), "state", WAIT, "STARTED");
    return t.getString("id");
  }

  /** Publishes {@code source} under {@code policy} and negotiates it; returns the agreement id. */
  private String agreementFor(JsonObject source, JsonObject permission) throws Exception {
    return Offers.agree(provider, consumer, source, permission, WAIT);
  }

  private static JsonObject use() {
    return new JsonObject().put("action", "use");
  }

  private Path file(String name, byte[] content) throws Exception {
    Path dir = provider.dataDir().resolve("assets");
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), content);
    return dir.resolve(name);
  }

  @Test
  void fileSourceAnnouncesItsDigestAndServesRanges() throws Exception {
    byte[] content = "code_insee;population\n2A004;73000\n2B033;48000\n".getBytes(StandardCharsets.UTF_8);
    file("population.csv", content);
    String t = startedTransfer(new JsonObject().put("type", "file").put("path", "assets/population.csv"), use());

    HttpResponse<byte[]> whole = consumer.api().download("/api/transfers/" + t + "/data");
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(content);
    assertThat(whole.headers().firstValue("Repr-Digest")).hasValue("sha-256=:"
        + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(content)) + ":");

    HttpResponse<byte[]> part = download(t, "bytes=5-14");
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo(Arrays.copyOfRange(content, 5, 15));
    assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 5-14/" + content.length);
    assertThat(download(t, "bytes=9999-").statusCode()).isEqualTo(416);

    // The provider's access token, which the consumer keeps with the data address, lies encrypted in
    // the consumer's database under a key only the consumer's node key gives.
    String raw = RawRows.transferColumn(consumer, t, "data_address");
    TrustMaterial consumerKey = TrustMaterial.load(Paths.certs().resolve("nodes").resolve(Federation.CONSUMER),
        Paths.certs());
    String token = DataFetcher.property(new JsonObject(SealedValues.derivedFrom(consumerKey.nodeKey())
        .open("transfer/" + t + "/data_address", raw)), "authorization");
    assertThat(token).startsWith("eyJ");
    assertThat(raw).startsWith("sealed:v1:").doesNotContain(token).doesNotContain("authorization");

    // The consumer's trail of what it received: the whole file with the provider's SHA-256, then the
    // range; the refused range relayed nothing. Recorded once each body is relayed, just after it ends.
    List<JsonObject> receipts = awaitReceipts(t, 2);
    assertThat(receipts.get(0).getString("mode")).isEqualTo("pull");
    assertThat(receipts.get(0).getString("provider")).isEqualTo(provider.participantId());
    assertThat(receipts.get(0).getLong("bytes")).isEqualTo(content.length);
    assertThat(receipts.get(0).getString("sha256"))
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    assertThat(receipts.get(0).getBoolean("complete")).isTrue();
    assertThat(receipts.get(1).getString("range")).isEqualTo("bytes 5-14/" + content.length);
    assertThat(receipts.get(1).getLong("bytes")).isEqualTo(10);
  }

  /** The consumer's DATA_RECEIVED entries of transfer {@code t}, once there are {@code count} of them. */
  private List<JsonObject> awaitReceipts(String t, int count) throws Exception {
    return Await.until(WAIT, count + " receipts of transfer " + t, () -> consumer.auditor()
        .get("/audit/entries?type=DATA_RECEIVED").getJsonArray("entries").stream()
        .map(e -> ((JsonObject) e).getJsonObject("payload")).filter(p -> t.equals(p.getString("transfer")))
        .toList(), found -> found.size() >= count);
  }

  @Test
  void socleFetchDownloadsVerifiesAndCompletes() throws Exception {
    byte[] content = "commune;lits\n2A004;412\n".getBytes(StandardCharsets.UTF_8);
    file("hopitaux.csv", content);
    String agreement = agreementFor(new JsonObject().put("type", "file").put("path", "assets/hopitaux.csv"), use());
    Path key = work.resolve("api-key.txt");
    Files.writeString(key, NodeProcess.API_KEY);
    Path out = work.resolve("hopitaux.csv");
    StringWriter printed = new StringWriter();
    int code = new CommandLine(new Socle()).setOut(new PrintWriter(printed)).setErr(new PrintWriter(printed))
        .execute("fetch", agreement, "--node", consumer.managementUrl(), "--api-key-file", key.toString(),
            "-o", out.toString());
    assertThat(code).as(printed.toString()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(content);
    assertThat(printed.toString()).contains("verified against the provider's announcement").contains("MiB/s");
    JsonArray transfers = consumer.api().get("/api/transfers").getJsonArray("items");
    String transfer = transfers.stream().map(t -> (JsonObject) t)
        .filter(t -> agreement.equals(t.getString("agreementId"))).findFirst().orElseThrow().getString("id");
    consumer.api().awaitField("/api/transfers/" + transfer, "state", WAIT, "COMPLETED");
  }

  @Test
  void httpSourceKeepsTheBackendCredentialsOnTheProvider() throws Exception {
    JsonObject source = new JsonObject().put("type", "http")
        .put("url", "http://127.0.0.1:" + backend.actualPort() + "/stations")
        .put("headers", new JsonObject().put("Authorization", BACKEND_SECRET));
    String t = startedTransfer(source, use());
    HttpResponse<byte[]> r = consumer.api().download("/api/transfers/" + t + "/data");
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("Ajaccio");
    assertThat(backendAuthorization.get()).isEqualTo(BACKEND_SECRET);
    assertThat(provider.api().get("/api/assets").encode()).doesNotContain("c29jbGU6YmFja2VuZA");
  }

  @Test
  void sqlSourceIsExportedAsCsv() throws Exception {
    String t = startedTransfer(new JsonObject().put("type", "sql").put("dataSource", "transport")
        .put("query", "SELECT id, nom, commune FROM arrets ORDER BY id"), use());
    HttpResponse<byte[]> r = consumer.api().download("/api/transfers/" + t + "/data");
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("ID,NOM,COMMUNE\r\n"
        + "1,Place du Diamant,2A004\r\n2,\"Gare, \"\"centre\"\"\",2B033\r\n3,Port,2A247\r\n");
  }

  @Test
  void sourceDownIsAClearErrorAndTerminatesTheTransfer() throws Exception {
    HttpServer origin = vertx.createHttpServer().requestHandler(r -> r.response().end("commune;lits\n"))
        .listen(0, "127.0.0.1").await();
    int port = origin.actualPort();
    String t = startedTransfer(new JsonObject().put("type", "http").put("url", "http://127.0.0.1:"
        + port + "/lits.csv"), use());
    HttpResponse<byte[]> first = consumer.api().download("/api/transfers/" + t + "/data");
    assertThat(first.statusCode()).as(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    origin.close().await();

    // The consumer learns that the source failed and under which transfer, never the backend's address.
    assertSourceFailureTold(t, ":" + port, "Connection refused", "cannot be reached", "lits.csv");
  }

  @Test
  void failingQueryTellsTheConsumerNeitherTheQueryNorTheDatabaseError() throws Exception {
    String t = startedTransfer(new JsonObject().put("type", "sql").put("dataSource", "transport")
        .put("query", "SELECT salaire FROM agents_confidentiels"), use());
    assertSourceFailureTold(t, "AGENTS_CONFIDENTIELS", "salaire", "SELECT", "territory-db", "jdbc:");
  }

  @Test
  void missingFileTellsTheConsumerNoPath() throws Exception {
    String t = startedTransfer(new JsonObject().put("type", "file").put("path", "assets/interne/absent.csv"), use());
    assertSourceFailureTold(t, "absent.csv", "interne", provider.dataDir().toString());
  }

  /**
   * Pulls transfer {@code t}, whose source fails: the consumer gets the stable code and a reason naming
   * the provider's transfer, in English and French, and so does the termination it is sent; none of
   * them holds any of {@code internals}, which the provider's log and its audit entry of the attempt
   * do hold (the first of them).
   */
  private void assertSourceFailureTold(String t, String... internals) throws Exception {
    String providerPid = consumer.api().get("/api/transfers/" + t).getString("counterPartyPid");
    HttpResponse<byte[]> r = consumer.api().download("/api/transfers/" + t + "/data");
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.statusCode()).as(body).isEqualTo(502);
    assertThat(body).contains("502").contains("source_unavailable").contains("transfer " + providerPid)
        .contains("transfert " + providerPid);
    JsonObject ended = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "TERMINATED");
    assertThat(ended.getString("detail")).contains(provider.participantId()).contains("source_unavailable")
        .contains(providerPid);
    String french = new JsonObject(consumer.api().send("GET", "/api/transfers/" + t, null, "Accept-Language", "fr")
        .body()).getString("detail");
    assertThat(french).contains("terminé par").contains("source_unavailable").contains("transfert " + providerPid);
    String told = body + ended.encode() + french;
    for (String internal : internals) {
      assertThat(told).doesNotContainIgnoringCase(internal);
    }
    assertThat(consumer.api().download("/api/transfers/" + t + "/data").statusCode()).isEqualTo(409);

    // The provider's operator has the details: in the node's log, and in the audit entry of the attempt.
    Await.until(WAIT, "the provider's log names what failed", () -> Files.readString(provider.log())
        .contains(internals[0]));
    JsonObject access = Await.until(WAIT, "the audit entry of the failed pull", () -> provider.auditor()
        .get("/audit/entries?type=DATA_ACCESS").getJsonArray("entries").stream()
        .map(e -> ((JsonObject) e).getJsonObject("payload"))
        .filter(p -> providerPid.equals(p.getString("transfer")) && Integer.valueOf(502).equals(p.getInteger("status")))
        .findFirst(), java.util.Optional::isPresent).orElseThrow();
    assertThat(access.getString("error")).containsIgnoringCase(internals[0]);
  }

  @Test
  void suspensionMidDownloadClosesTheConnectionAndRefusesFurtherRequests() throws Exception {
    String t = startedTransfer(new JsonObject().put("type", "file").put("path", sparseFile("suspended.bin")), use());
    String providerPid = consumer.api().get("/api/transfers/" + t).getString("counterPartyPid");
    long read = readWhile(t, () -> provider.api().post("/api/transfers/" + providerPid + "/suspension",
        new JsonObject().put("reason", "maintenance")));
    assertThat(read).isLessThan(SPARSE_SIZE);
    JsonObject suspended = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "SUSPENDED");
    assertThat(suspended.getString("detail")).contains("maintenance");
    HttpResponse<byte[]> again = consumer.api().download("/api/transfers/" + t + "/data");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(provider.log()).content().contains("closing 1 download(s) of transfer " + providerPid);
  }

  @Test
  void revokedAgreementClosesItsDownloadsAndStopsEveryLaterRequest() throws Exception {
    String agreement = agreementFor(new JsonObject().put("type", "file").put("path", sparseFile("revoked.bin")), use());
    String t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement)).getString("id");
    consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "STARTED");
    long read = readWhile(t, () -> {
      HttpResponse<String> revoked = provider.api().send("POST", "/api/agreements/" + agreement + "/revocation",
          new JsonObject().put("reason", "breach of clause 4").encode());
      assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
      assertThat(new JsonObject(revoked.body()).getJsonObject("revocation").getString("reason"))
          .isEqualTo("breach of clause 4");
    });
    assertThat(read).isLessThan(SPARSE_SIZE);
    JsonObject terminated = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "TERMINATED");
    assertThat(terminated.getString("detail")).contains("revoked").contains("breach of clause 4");
    assertThat(consumer.api().download("/api/transfers/" + t + "/data").statusCode()).isEqualTo(409);

    // A new transfer under the revoked agreement: the provider's policy engine refuses it, with the reason.
    JsonObject again = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement));
    JsonObject refused = consumer.api().awaitField("/api/transfers/" + again.getString("id"), "state", WAIT,
        "TERMINATED");
    assertThat(refused.getString("detail")).contains("revoked by the provider").contains("breach of clause 4");

    // Revoked once only; and only by the provider that granted it.
    assertThat(provider.api().send("POST", "/api/agreements/" + agreement + "/revocation", "{}").statusCode())
        .isEqualTo(409);
    assertThat(consumer.api().send("POST", "/api/agreements/" + agreement + "/revocation", "{}").statusCode())
        .isEqualTo(409);
    assertThat(provider.api().get("/api/agreements/" + agreement).getJsonObject("revocation").getString("at"))
        .isNotBlank();
  }

  private static final long SPARSE_SIZE = 256L << 20;

  /** A sparse file of {@link #SPARSE_SIZE} bytes among the provider's assets; returns its source path. */
  private String sparseFile(String name) throws Exception {
    Path file = provider.dataDir().resolve("assets/" + name);
    Files.createDirectories(file.getParent());
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(SPARSE_SIZE);
    }
    return "assets/" + name;
  }

  /** Something done while a download is in progress. */
  private interface Change {
    void run() throws Exception;
  }

  /**
   * Downloads transfer {@code t} through the consumer: reads a first MiB, then stops reading (back-pressure
   * holds the rest on the provider), makes {@code change}, and reads on until the connection breaks or
   * the body ends. Returns the bytes read: a download cut by the change never gets the whole file.
   */
  private long readWhile(String t, Change change) throws Exception {
    HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        consumer.managementUrl() + "/api/transfers/" + t + "/data")).header("X-Api-Key", NodeProcess.API_KEY)
        .build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    try (InputStream in = r.body()) {
      while (total < (1 << 20)) {
        total += in.read(buffer);
      }
      change.run();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        total += n;
      }
    } catch (java.io.IOException e) {
      // The connection was cut, as it should be.
    }
    return total;
  }

  private static JsonObject fewerUsesThan(int limit) {
    return use().put("constraint", new JsonArray().add(new JsonObject()
        .put("leftOperand", "count").put("operator", "lt").put("rightOperand", limit)));
  }

  private long accessCount(String agreement) throws Exception {
    return provider.api().get("/api/agreements/" + agreement).getLong("accessCount");
  }

  /**
   * The access token the consumer node holds for transfer {@code t}, read from its own database: with
   * it the test pulls the provider directly, as the consumer, and reads the provider's own answer
   * rather than the consumer's account of it (which would also refresh the token first, a decision of
   * its own). Valid for {@value #TOKEN_SECONDS} s after the consumer's last download.
   */
  private String heldToken(String t) throws Exception {
    return DataFetcher.property(RawRows.openedTransferColumn(consumer, Federation.CONSUMER, t, "data_address"),
        "authorization");
  }

  /** A fresh access token for consumer transfer {@code t}: the one it holds, refreshed at the provider (no use). */
  private String freshToken(String t) throws Exception {
    String providerPid = consumer.api().get("/api/transfers/" + t).getString("counterPartyPid");
    HttpResponse<String> r = TlsClients.member(Federation.CONSUMER).send(HttpRequest.newBuilder(URI.create(
            provider.dspAddress() + "/public/transfers/" + providerPid + "/token"))
        .header("Authorization", "Bearer " + Federation.token(Federation.CONSUMER, provider.participantId()))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("token", heldToken(t)).encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return DataFetcher.property(new JsonObject(r.body()), "authorization");
  }

  /** A pull of provider transfer {@code providerPid} sent directly to the provider, as the consumer. */
  private HttpResponse<String> pull(String providerPid, String token) throws Exception {
    return TlsClients.member(Federation.CONSUMER).send(HttpRequest.newBuilder(URI.create(provider.dspAddress()
            + "/public/transfers/" + providerPid))
        .header("Socle-Node-Token", Federation.token(Federation.CONSUMER, provider.participantId()))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A refusal of the provider's access decision: 403, and the count constraint's reason. */
  private static void assertCountRefusal(HttpResponse<String> r, int limit) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    JsonObject error = new JsonObject(r.body());
    assertThat(error.getString("code")).isEqualTo("access_denied");
    assertThat(error.getJsonArray("reason").getString(0))
        .contains("Constraint not satisfied on count: expected lt " + limit + ", found " + limit);
  }

  @Test
  void countLimitIsEnforcedOnEveryAccessAndARefusedOneUsesUpNone() throws Exception {
    file("limited.csv", "a;b\n1;2\n".getBytes(StandardCharsets.UTF_8));
    String agreement = agreementFor(new JsonObject().put("type", "file").put("path", "assets/limited.csv"),
        fewerUsesThan(2));
    String t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement)).getString("id");
    String providerPid = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "STARTED")
        .getString("counterPartyPid");
    assertThat(consumer.api().download("/api/transfers/" + t + "/data").statusCode()).isEqualTo(200);
    assertThat(consumer.api().download("/api/transfers/" + t + "/data").statusCode()).isEqualTo(200);
    // Pulls the access decision refuses (with the token the last download was given): each says why,
    // and none uses up a count.
    String token = heldToken(t);
    for (int i = 0; i < 3; i++) {
      assertCountRefusal(pull(providerPid, token), 2);
    }
    assertThat(accessCount(agreement)).isEqualTo(2);
    // The consumer's operator reads the provider's refusal (here of the token refresh every download starts with).
    HttpResponse<byte[]> third = consumer.api().download("/api/transfers/" + t + "/data");
    assertThat(third.statusCode()).isEqualTo(502);
    assertThat(new String(third.body(), StandardCharsets.UTF_8)).contains("403").contains("count");
    assertThat(accessCount(agreement)).isEqualTo(2);
  }

  /**
   * Twice as many pulls at once as the agreement allows (as many as the consumer's stream slots on the
   * provider): exactly the allowed number get the data, the others a 403 with the policy's reason,
   * never a 409 or a 500; and the agreement counts only the pulls that were served.
   */
  @Test
  void simultaneousPullsNeverPassTheLastAllowedUse() throws Exception {
    int allowed = 2;
    file("twice.csv", "a;b\n1;2\n".getBytes(StandardCharsets.UTF_8));
    String agreement = agreementFor(new JsonObject().put("type", "file").put("path", "assets/twice.csv"),
        fewerUsesThan(allowed));
    String t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement)).getString("id");
    String providerPid = consumer.api().awaitField("/api/transfers/" + t, "state", WAIT, "STARTED")
        .getString("counterPartyPid");
    String token = freshToken(t);
    ExecutorService pool = Executors.newFixedThreadPool(2 * allowed);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> pulls = IntStream.range(0, 2 * allowed).mapToObj(i -> pool.submit(() -> {
        go.await();
        return pull(providerPid, token);
      })).toList();
      go.countDown();
      int served = 0;
      for (Future<HttpResponse<String>> pull : pulls) {
        HttpResponse<String> r = pull.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (r.statusCode() == 200) {
          served++;
          assertThat(r.body()).isEqualTo("a;b\n1;2\n");
        } else {
          assertCountRefusal(r, allowed);
        }
      }
      assertThat(served).isEqualTo(allowed);
    } finally {
      pool.shutdownNow();
    }
    assertThat(accessCount(agreement)).isEqualTo(allowed);
  }

  @Test
  void expiredForgedAndMisdirectedTokensAreRefusedWithAReason() throws Exception {
    file("secret.csv", "x\n".getBytes(StandardCharsets.UTF_8));
    String t = startedTransfer(new JsonObject().put("type", "file").put("path", "assets/secret.csv"), use());
    JsonObject transfer = consumer.api().get("/api/transfers/" + t);
    String providerPid = transfer.getString("counterPartyPid");
    String other = startedTransfer(new JsonObject().put("type", "file").put("path", "assets/secret.csv"), use());
    JsonObject otherTransfer = consumer.api().get("/api/transfers/" + other);

    // Tokens signed with the provider's own key, as the provider would; the test holds the dev federation's keys.
    Instant now = Instant.now();
    TrustMaterial providerKey = TrustMaterial.load(Paths.certs().resolve("nodes").resolve(Federation.PROVIDER),
        Paths.certs());
    EdrTokens past = tokens(providerKey, now.minus(Duration.ofHours(1)));
    String expired = past.issue(providerRow(providerPid, transfer.getString("agreementId")), EdrTokens.newStart());
    String otherAgreement = tokens(providerKey, now).issue(providerRow(otherTransfer.getString("counterPartyPid"),
        otherTransfer.getString("agreementId")), EdrTokens.newStart());
    // Same claims, signed by the consumer's key: a consumer cannot mint its own tokens.
    TrustMaterial consumerKey = TrustMaterial.load(Paths.certs().resolve("nodes").resolve(Federation.CONSUMER),
        Paths.certs());
    String forged = new EdrTokens(provider.participantId(), consumerKey.nodeKey(),
        (ECPublicKey) consumerKey.nodeCertificate().getPublicKey(), Duration.ofMinutes(5), Clock.systemUTC())
        .issue(providerRow(providerPid, transfer.getString("agreementId")), EdrTokens.newStart());

    assertRefused(providerPid, "Bearer " + expired, 401, "token_expired");
    assertRefused(providerPid, "Bearer " + forged, 401, "signature_invalid");
    assertRefused(providerPid, "Bearer " + otherAgreement, 403, "wrong_transfer");
    assertRefused(providerPid, "Bearer forged", 401, "token_malformed");
    assertRefused(providerPid, null, 401, "token_missing");
    // The consumer's own downloads go on, with tokens it refreshes.
    assertThat(consumer.api().download("/api/transfers/" + t + "/data").statusCode()).isEqualTo(200);
  }

  private EdrTokens tokens(TrustMaterial key, Instant at) {
    return new EdrTokens(provider.participantId(), key.nodeKey(), (ECPublicKey) key.nodeCertificate().getPublicKey(),
        Duration.ofSeconds(TOKEN_SECONDS), Clock.fixed(at, ZoneOffset.UTC));
  }

  private Transfer providerRow(String providerPid, String agreement) {
    return new Transfer(providerPid, Role.PROVIDER, TransferState.STARTED, consumer.participantId(), null, null,
        agreement, "HttpData-PULL", null, null, null, Instant.now(), Instant.now());
  }

  private void assertRefused(String providerPid, String authorization, int status, String code) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(provider.dspAddress() + "/public/transfers/"
        + providerPid)).header("Socle-Node-Token", Federation.token(Federation.CONSUMER, provider.participantId()));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    // The node token is valid: what is refused is the transfer's access token.
    HttpResponse<String> r = TlsClients.member(Federation.CONSUMER).send(request.build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(new JsonObject(r.body()).getString("code")).isEqualTo(code);
  }

  @Test
  void oneGibibyteStreamsThroughNodesCappedAt256MbOfHeap() throws Exception {
    Path big = provider.dataDir().resolve("assets/big.bin");
    Files.createDirectories(big.getParent());
    long size = 1L << 30;
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(size); // sparse: zeros
    }
    String t = startedTransfer(new JsonObject().put("type", "file").put("path", "assets/big.bin"), use());
    HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        consumer.managementUrl() + "/api/transfers/" + t + "/data")).header("X-Api-Key", NodeProcess.API_KEY)
        .build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    MessageDigest received = MessageDigest.getInstance("SHA-256");
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    try (InputStream in = r.body()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        received.update(buffer, 0, n);
        total += n;
      }
    }
    Arrays.fill(buffer, (byte) 0);
    for (long done = 0; done < size; done += buffer.length) {
      expected.update(buffer);
    }
    assertThat(total).isEqualTo(size);
    assertThat(received.digest()).isEqualTo(expected.digest());
    assertThat(provider.isAlive()).isTrue();
    assertThat(consumer.isAlive()).isTrue();
  }

  private HttpResponse<byte[]> download(String transfer, String range) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(consumer.managementUrl()
        + "/api/transfers/" + transfer + "/data")).header("X-Api-Key", NodeProcess.API_KEY).header("Range", range)
        .build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
