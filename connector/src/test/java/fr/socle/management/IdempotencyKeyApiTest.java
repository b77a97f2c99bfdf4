package fr.socle.management;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.NodeProcess;
import fr.socle.testing.Offers;
import fr.socle.testing.TwoNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that retries a creating POST after losing the answer (a crash of either side, a cut
 * connection) sends the same {@code Idempotency-Key}: the node creates once and answers the retry
 * with the first response, even across its own restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class IdempotencyKeyApiTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path work;

  private TwoNodes nodes;
  private NodeProcess provider;
  private NodeProcess consumer;
  /** An offer of the provider, as the consumer finds it in its catalog. */
  private JsonObject offer;

  @BeforeAll
  void start() throws Exception {
    nodes = TwoNodes.start(work, new JsonObject(), new JsonObject());
    provider = nodes.provider();
    consumer = nodes.consumer();
    Files.createDirectories(provider.dataDir().resolve("assets"));
    Files.writeString(provider.dataDir().resolve("assets/arrets.csv"), "id;nom\n1;Port\n");
    offer = Offers.publish(provider, consumer, file(), new JsonObject().put("action", "use"));
  }

  @AfterAll
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  private static JsonObject file() {
    return new JsonObject().put("type", "file").put("path", "assets/arrets.csv");
  }

  private static String newKey() {
    return UUID.randomUUID().toString();
  }

  private String negotiationRequest() {
    return new JsonObject().put("counterPartyId", provider.participantId())
        .put("counterPartyAddress", provider.dspAddress()).put("offer", offer).encode();
  }

  private static HttpResponse<String> post(NodeProcess node, String path, String body, String key) throws Exception {
    return key == null ? node.api().send("POST", path, body)
        : node.api().send("POST", path, body, "Idempotency-Key", key);
  }

  private static int count(NodeProcess node, String path) throws Exception {
    return node.api().get(path).getJsonArray("items").size();
  }

  private static void assertReplayOf(HttpResponse<String> replay, HttpResponse<String> first) {
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
    assertThat(replay.statusCode()).as(replay.body()).isEqualTo(201);
    assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(replay.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(replay.body()).isEqualTo(first.body());
  }

  private static void assertProblem(HttpResponse<String> response, int status, String detail) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(response.body()).getString("detail")).contains(detail);
  }

  @Test
  void aRetriedNegotiationIsCreatedOnceAndItsFirstAnswerReplayed() throws Exception {
    int before = count(consumer, "/api/negotiations");
    String key = newKey();

    HttpResponse<String> first = post(consumer, "/api/negotiations", negotiationRequest(), key);
    HttpResponse<String> retry = post(consumer, "/api/negotiations", negotiationRequest(), key);

    assertReplayOf(retry, first);
    assertThat(count(consumer, "/api/negotiations")).isEqualTo(before + 1);
    // The one negotiation goes on as any other.
    consumer.api().awaitField("/api/negotiations/" + new JsonObject(first.body()).getString("id"), "state", WAIT,
        "FINALIZED");
  }

  @Test
  void withoutAKeyEachRequestCreates() throws Exception {
    int before = count(consumer, "/api/negotiations");

    HttpResponse<String> first = post(consumer, "/api/negotiations", negotiationRequest(), null);
    HttpResponse<String> second = post(consumer, "/api/negotiations", negotiationRequest(), null);

    assertThat(List.of(first.statusCode(), second.statusCode())).containsExactly(201, 201);
    assertThat(new JsonObject(first.body()).getString("id")).isNotEqualTo(new JsonObject(second.body()).getString("id"));
    assertThat(second.headers().firstValue("Idempotent-Replayed")).isEmpty();
    assertThat(count(consumer, "/api/negotiations")).isEqualTo(before + 2);
  }

  @Test
  void theSameKeyForAnotherRequestIsRefused() throws Exception {
    String key = newKey();
    assertThat(post(consumer, "/api/negotiations", negotiationRequest(), key).statusCode()).isEqualTo(201);
    int after = count(consumer, "/api/negotiations");

    String other = new JsonObject(negotiationRequest()).put("purpose", "another purpose").encode();
    assertProblem(post(consumer, "/api/negotiations", other, key), 422, "was used for another request");
    // Another creating endpoint is another request too.
    assertProblem(post(consumer, "/api/policies", new JsonObject().put("id", "p-" + key).put("policy",
        new JsonObject().put("@type", "Set")).encode(), key), 422, "was used for another request");
    assertThat(count(consumer, "/api/negotiations")).isEqualTo(after);
  }

  @Test
  void concurrentRequestsWithOneKeyCreateOnce() throws Exception {
    int before = count(consumer, "/api/negotiations");
    String key = newKey();
    String body = negotiationRequest();
    int clients = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<HttpResponse<String>> responses = new ArrayList<>();
    try {
      List<Future<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        sent.add(pool.submit(() -> {
          go.await();
          return post(consumer, "/api/negotiations", body, key);
        }));
      }
      go.countDown();
      for (Future<HttpResponse<String>> f : sent) {
        responses.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }

    List<HttpResponse<String>> created = responses.stream().filter(r -> r.statusCode() == 201).toList();
    assertThat(created.stream().filter(r -> r.headers().firstValue("Idempotent-Replayed").isEmpty()))
        .as("the one request that ran").hasSize(1);
    assertThat(created.stream().map(r -> new JsonObject(r.body()).getString("id")).distinct()).hasSize(1);
    assertThat(responses).allSatisfy(r -> {
      if (r.statusCode() != 201) {
        assertProblem(r, 409, "is still running");
      }
    });
    assertThat(count(consumer, "/api/negotiations")).isEqualTo(before + 1);
  }

  @Test
  void everyCreatingPostTakesAKey() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String asset = new JsonObject().put("id", "a-" + id).put("title", "t").put("source", file()).encode();
    String policy = new JsonObject().put("id", "p-" + id).put("policy", new JsonObject().put("@type", "Set")
        .put("permission", new JsonArray().add(new JsonObject().put("action", "use")))).encode();
    String offerBody = new JsonObject().put("assetId", "a-" + id).put("policyId", "p-" + id).encode();
    for (String[] call : List.of(new String[] {"/api/assets", asset}, new String[] {"/api/policies", policy},
        new String[] {"/api/offers", offerBody})) {
      String key = newKey();
      HttpResponse<String> first = post(provider, call[0], call[1], key);
      assertReplayOf(post(provider, call[0], call[1], key), first);
    }
    // Without a key, the same asset again is the conflict it always was; the offer, with no id, a second offer.
    assertProblem(post(provider, "/api/assets", asset, null), 409, "already exists");
    assertThat(provider.api().get("/api/offers").getJsonArray("items").stream()
        .filter(o -> ("a-" + id).equals(((JsonObject) o).getString("assetId")))).as("one offer of the asset").hasSize(1);

    String agreement = Offers.agree(provider, consumer, file(), new JsonObject().put("action", "use"), WAIT);
    int before = count(consumer, "/api/transfers");
    String transfer = new JsonObject().put("agreementId", agreement).encode();
    String key = newKey();
    HttpResponse<String> first = post(consumer, "/api/transfers", transfer, key);
    assertReplayOf(post(consumer, "/api/transfers", transfer, key), first);
    assertThat(count(consumer, "/api/transfers")).isEqualTo(before + 1);
  }

  /** A creation that fails creates nothing and keeps no answer: the client fixes the cause and retries. */
  @Test
  void aFailedCreationLeavesTheKeyFree() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String offerBody = new JsonObject().put("id", "o-" + id).put("assetId", "a-" + id).put("policyId", "p-" + id)
        .encode();
    String key = newKey();
    assertProblem(post(provider, "/api/offers", offerBody, key), 404, "no asset with id 'a-" + id + "'");

    provider.api().post("/api/assets", new JsonObject().put("id", "a-" + id).put("title", "t").put("source", file()));
    provider.api().post("/api/policies", new JsonObject().put("id", "p-" + id).put("policy",
        new JsonObject().put("@type", "Set")));
    HttpResponse<String> created = post(provider, "/api/offers", offerBody, key);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("Idempotent-Replayed")).isEmpty();
  }

  @Test
  void malformedKeysAreRefusedBeforeAnythingIsCreated() throws Exception {
    int before = count(consumer, "/api/negotiations");
    assertProblem(post(consumer, "/api/negotiations", negotiationRequest(), "x".repeat(256)), 400,
        "Idempotency-Key must be 1 to 255 characters");
    assertProblem(post(consumer, "/api/negotiations", negotiationRequest(), "clé avec espaces"), 400,
        "Idempotency-Key must be");
    assertThat(count(consumer, "/api/negotiations")).isEqualTo(before);
  }

  /** The key and its answer are in the database, committed with the negotiation: a restart keeps both. */
  @Test
  void aKeyOutlivesARestartOfTheNode() throws Exception {
    String key = newKey();
    HttpResponse<String> first = post(consumer, "/api/negotiations", negotiationRequest(), key);
    int after = count(consumer, "/api/negotiations");

    consumer.close();
    consumer.launch();

    assertReplayOf(post(consumer, "/api/negotiations", negotiationRequest(), key), first);
    assertThat(count(consumer, "/api/negotiations")).isEqualTo(after);
  }
}
