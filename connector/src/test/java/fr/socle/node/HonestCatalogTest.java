package fr.socle.node;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.store.Database;
import fr.socle.testing.Federation;
import fr.socle.testing.LocalFederation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.TlsClients;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider's catalog is whole or not sent. 5,000 datasets, with hidden ones among them, arrive
 * whole through paging on every request; when the provider's OPA is down the catalog is a 503 with
 * {@code Retry-After} and a DSP error body, which the consumer's management API passes on, never an
 * empty or shorter catalog. Real nodes, a real OPA for each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class HonestCatalogTest {

  private static final int VISIBLE = 5_000;
  /** Every this many visible datasets, one the consumer may not see. */
  private static final int HIDDEN_EVERY = 20;
  /** The DSP requests one member may have in progress on the provider. */
  private static final int SHARE = 3;

  @TempDir
  static Path work;

  private LocalFederation federation;
  private NodeProcess provider;
  private NodeProcess consumer;
  private List<String> visible;

  @BeforeAll
  void start() throws Exception {
    visible = seed(work.resolve(Federation.PROVIDER).resolve("data"));
    federation = LocalFederation.in(work).node(Federation.PROVIDER, new JsonObject().put("limits",
        new JsonObject().put("maxDspRequestsPerParticipant", SHARE))).node(Federation.CONSUMER).start();
    provider = federation.node(Federation.PROVIDER);
    consumer = federation.node(Federation.CONSUMER);
  }

  @AfterAll
  void stop() throws Exception {
    if (federation != null) {
      federation.close();
    }
  }

  /**
   * Writes the catalog straight into the provider's database before it starts: through the API it
   * would take longer than the test. Returns the ids of the datasets the consumer may see, in order.
   */
  private static List<String> seed(Path dataDir) throws Exception {
    Files.createDirectories(dataDir);
    Vertx vertx = Vertx.vertx();
    Database db = Database.open(vertx, NodeConfig.defaultDatabaseUrl(dataDir), null, null, 1);
    List<String> shown = new ArrayList<>();
    Timestamp now = Timestamp.from(Instant.now());
    try (Connection c = db.dataSource().getConnection()) {
      try (PreparedStatement p = c.prepareStatement("INSERT INTO policy (id, body, created_at) VALUES (?, ?, ?)")) {
        p.setString(1, "open");
        p.setString(2, new JsonObject().put("@type", "Set").put("permission", new JsonArray()
            .add(new JsonObject().put("action", "use"))).encode());
        p.setTimestamp(3, now);
        p.addBatch();
        // The consumer's territory is in région 94, not 93.
        p.setString(1, "elsewhere");
        p.setString(2, new JsonObject().put("@type", "Set").put("permission", new JsonArray()
            .add(new JsonObject().put("action", "use").put("constraint", new JsonArray().add(new JsonObject()
                .put("leftOperand", "territory").put("operator", "isPartOf").put("rightOperand", "INSEE-REG:93")))))
            .encode());
        p.addBatch();
        p.executeBatch();
      }
      try (PreparedStatement asset = c.prepareStatement("INSERT INTO asset (id, title, description, content_type, "
          + "source, classification, created_at) VALUES (?, ?, '', 'text/csv', ?, 'public', ?)");
          PreparedStatement offer = c.prepareStatement(
              "INSERT INTO offer (id, asset_id, policy_id, created_at) VALUES (?, ?, ?, ?)")) {
        String source = new JsonObject().put("type", "file").put("path", "assets/none.csv").encode();
        for (int i = 0; i < VISIBLE; i++) {
          String id = String.format("ds-%05d", i);
          add(asset, offer, source, now, id, "open");
          shown.add(id);
          if (i % HIDDEN_EVERY == 0) {
            add(asset, offer, source, now, id + "-hidden", "elsewhere");
          }
        }
        // A visible dataset shows its visible offers only.
        offer.setString(1, "offer-ds-00001-elsewhere");
        offer.setString(2, "ds-00001");
        offer.setString(3, "elsewhere");
        offer.setTimestamp(4, now);
        offer.addBatch();
        asset.executeBatch();
        offer.executeBatch();
      }
      c.commit();
    } finally {
      db.close();
      vertx.close().await();
    }
    return shown;
  }

  private static void add(PreparedStatement asset, PreparedStatement offer, String source, Timestamp now, String id,
      String policy) throws Exception {
    asset.setString(1, id);
    asset.setString(2, "Dataset " + id);
    asset.setString(3, source);
    asset.setTimestamp(4, now);
    asset.addBatch();
    offer.setString(1, "offer-" + id);
    offer.setString(2, id);
    offer.setString(3, policy);
    offer.setTimestamp(4, now);
    offer.addBatch();
  }

  /**
   * The provider's whole catalog through the consumer's management API. Every one of its datasets is
   * decided and recorded in the audit log, about a hundred a second on a loaded two-core machine:
   * the API client's usual 30 s are not enough for 5,000.
   */
  private HttpResponse<String> catalogRequest(String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(consumer.managementUrl() + "/api/catalog/request"))
        .timeout(Duration.ofMinutes(3)).header("Content-Type", "application/json")
        .header("X-Api-Key", NodeProcess.API_KEY)
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("counterPartyId", provider.participantId())
            .put("counterPartyAddress", provider.dspAddress()).encode()));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void fiveThousandDatasetsArriveWholeOnEveryRequest() throws Exception {
    for (int attempt = 1; attempt <= 3; attempt++) {
      long started = System.nanoTime();
      HttpResponse<String> answer = catalogRequest();
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonArray datasets = new JsonObject(answer.body()).getJsonArray("dataset");
      List<String> ids = datasets.stream().map(d -> ((JsonObject) d).getString("@id")).toList();
      System.out.printf("catalog of %d datasets, request %d: %d ms%n", ids.size(), attempt, millis);
      assertThat(ids).as("request " + attempt).containsExactlyElementsOf(visible);
      JsonObject second = datasets.getJsonObject(1);
      assertThat(second.getJsonArray("hasPolicy").stream().map(p -> ((JsonObject) p).getString("@id")))
          .as("the hidden offer of a visible dataset").containsExactly("offer-ds-00001");
    }
  }

  @Test
  void pagesLinkToTheNextOneByItsFirstDataset() throws Exception {
    HttpClient member = TlsClients.member(Federation.CONSUMER);
    List<String> seen = new ArrayList<>();
    String next = provider.dspAddress() + "/catalog/request?limit=100";
    for (int pages = 0; pages < 3; pages++) {
      HttpResponse<String> page = member.send(dsp(next), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
      JsonArray datasets = new JsonObject(page.body()).getJsonArray("dataset");
      assertThat(datasets).hasSize(100);
      datasets.forEach(d -> seen.add(((JsonObject) d).getString("@id")));
      String link = page.headers().firstValue("Link").orElse("");
      assertThat(link.contains("rel=\"previous\"")).isEqualTo(pages > 0);
      Matcher m = Pattern.compile("<([^>]+)>; rel=\"next\"").matcher(link);
      assertThat(m.find()).as(link).isTrue();
      next = m.group(1);
      // The hidden dataset after the 100th visible one is passed over: the next page starts at a visible one.
      assertThat(next).contains("offset=" + (pages + 1) * 100).endsWith("from=" + visible.get((pages + 1) * 100));
    }
    assertThat(seen).containsExactlyElementsOf(visible.subList(0, 300));

    // An offset without a start is still honoured, by deciding the datasets before it.
    HttpResponse<String> third = member.send(dsp(provider.dspAddress() + "/catalog/request?offset=200&limit=3"),
        HttpResponse.BodyHandlers.ofString());
    assertThat(new JsonObject(third.body()).getJsonArray("dataset").stream()
        .map(d -> ((JsonObject) d).getString("@id")).toList()).isEqualTo(visible.subList(200, 203));
    HttpResponse<String> last = member.send(dsp(provider.dspAddress() + "/catalog/request?from=ds-04999&limit=5"),
        HttpResponse.BodyHandlers.ofString());
    assertThat(new JsonObject(last.body()).getJsonArray("dataset")).hasSize(1);
    assertThat(last.headers().firstValue("Link").orElse("")).doesNotContain("rel=\"next\"");
    HttpResponse<String> bad = member.send(dsp(provider.dspAddress() + "/catalog/request?from=%20x"),
        HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(bad.body()).getString("@type")).isEqualTo("CatalogError");
  }

  @Test
  void aMemberFloodingCatalogRequestsIsRefusedBeyondItsShareWhileAnotherMemberIsAnswered() throws Exception {
    // Each page of 100 datasets takes 100 audited decisions: the flood holds its whole share meanwhile.
    HttpClient flooder = TlsClients.member(Federation.OUTSIDER);
    List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
    for (int i = 0; i < 4 * SHARE; i++) {
      flood.add(flooder.sendAsync(dspAs(Federation.OUTSIDER, provider.dspAddress() + "/catalog/request?limit=100"),
          HttpResponse.BodyHandlers.ofString()));
    }
    HttpResponse<String> other = TlsClients.member(Federation.CONSUMER).send(
        dsp(provider.dspAddress() + "/catalog/request?limit=10"), HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
    assertThat(new JsonObject(other.body()).getJsonArray("dataset")).hasSize(10);

    List<HttpResponse<String>> answers = flood.stream().map(CompletableFuture::join).toList();
    assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200, 429);
    assertThat(answers.stream().filter(a -> a.statusCode() == 200)).hasSizeBetween(SHARE, 4 * SHARE - 1);
    JsonObject refused = new JsonObject(answers.stream().filter(a -> a.statusCode() == 429).findFirst()
        .orElseThrow().body());
    assertThat(refused.getString("@type")).isEqualTo("CatalogError");
    assertThat(refused.getString("code")).isEqualTo("too_many_requests");
    assertThat(refused.getJsonArray("reason").getString(0)).contains("its share");
  }

  @Test
  void policyEngineDownIsAnErrorNotAnEmptyCatalog() throws Exception {
    federation.opa(Federation.PROVIDER).close();
    try {
      HttpResponse<String> direct = TlsClients.member(Federation.CONSUMER).send(
          dsp(provider.dspAddress() + "/catalog/request"), HttpResponse.BodyHandlers.ofString());
      assertThat(direct.statusCode()).as(direct.body()).isEqualTo(503);
      assertThat(direct.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(v).matches("\\d+"));
      JsonObject error = new JsonObject(direct.body());
      assertThat(error.getString("@type")).isEqualTo("CatalogError");
      assertThat(error.getString("code")).isEqualTo("policy_engine_unavailable");
      assertThat(error.getJsonArray("reason").getString(0)).contains("could not decide")
          .contains("policy engine (OPA) is unreachable");
      assertThat(error.encode()).contains("n'a pas pu décider");

      HttpResponse<String> dataset = TlsClients.member(Federation.CONSUMER).send(HttpRequest.newBuilder(
          URI.create(provider.dspAddress() + "/catalog/datasets/ds-00000")).header("Authorization", token()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(dataset.statusCode()).as(dataset.body()).isEqualTo(503);

      HttpResponse<String> managed = catalogRequest();
      assertThat(managed.statusCode()).as(managed.body()).isEqualTo(503);
      assertThat(managed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(managed.headers().firstValue("Retry-After")).isPresent();
      assertThat(new JsonObject(managed.body()).getString("detail")).contains("could not decide")
          .contains("policy engine (OPA) is unreachable");
      HttpResponse<String> french = catalogRequest("Accept-Language", "fr");
      assertThat(new JsonObject(french.body()).getString("detail")).contains("n'a pas pu décider");
    } finally {
      federation.restartOpa(Federation.PROVIDER);
    }
    HttpResponse<String> back = TlsClients.member(Federation.CONSUMER).send(
        dsp(provider.dspAddress() + "/catalog/request?limit=10"), HttpResponse.BodyHandlers.ofString());
    assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    assertThat(new JsonObject(back.body()).getJsonArray("dataset")).hasSize(10);
  }

  private HttpRequest dsp(String uri) {
    return dspAs(Federation.CONSUMER, uri);
  }

  /** A catalog request of member {@code slug}, with a fresh token of its own. */
  private HttpRequest dspAs(String slug, String uri) {
    return HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + Federation.token(slug, provider.participantId())).POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
            .put("@context", new JsonArray().add("https://w3id.org/dspace/2025/1/context.jsonld"))
            .put("@type", "CatalogRequestMessage").encode())).build();
  }

  /** A fresh token of the consumer for the provider: each is single-use. */
  private String token() {
    return "Bearer " + Federation.token(Federation.CONSUMER, provider.participantId());
  }
}
