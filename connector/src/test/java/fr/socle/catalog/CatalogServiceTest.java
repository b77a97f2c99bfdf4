package fr.socle.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.policy.Decision;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.DecisionUnavailable;
import fr.socle.policy.ParticipantDirectory;
import fr.socle.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Catalog pages decide their own datasets only, and a decision that could not be made fails the page. */
class CatalogServiceTest {

  private static final String CALLER = "NTRFR-219900016";

  private Vertx vertx;
  private Database db;
  private CatalogStore store;
  private final AtomicInteger asked = new AtomicInteger();

  @BeforeEach
  void seed() {
    vertx = Vertx.vertx();
    db = Database.open(vertx, "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 2);
    store = new CatalogStore(db, Clock.systemUTC());
    store.savePolicy(new PolicyDefinition("p", new JsonObject().put("permission", new JsonArray()))).await();
    for (int i = 0; i < 500; i++) {
      String id = String.format("a-%03d", i);
      store.saveAsset(new Asset(id, id, "", "text/csv", AssetSource.fromJson(new JsonObject().put("type", "file")
          .put("path", "x")), "public")).await();
      store.saveOffer("o-" + id, id, "p").await();
    }
  }

  @AfterEach
  void close() {
    db.close();
    vertx.close().await();
  }

  /** A catalog whose decision point allows the assets {@code visible} accepts. */
  private CatalogService catalog(Predicate<String> visible) {
    DecisionPoint point = (scope, input) -> {
      asked.incrementAndGet();
      String asset = input.getJsonObject("asset").getString("id");
      return Future.succeededFuture(new Decision(scope, visible.test(asset), List.of(), new JsonArray(), "d", "r"));
    };
    return new CatalogService(store, point, new DecisionInputs(Clock.systemUTC(), ParticipantDirectory.empty(),
        "NTRFR-239900038"), "NTRFR-239900038", "https://provider", 4);
  }

  private static List<String> ids(CatalogService.Page page) {
    JsonArray datasets = page.catalog().getJsonArray("dataset", new JsonArray());
    return datasets.stream().map(d -> ((JsonObject) d).getString("@id")).toList();
  }

  @Test
  void pagesFollowOneAnotherAndEachDecidesItsOwnDatasets() {
    CatalogService catalog = catalog(id -> !id.endsWith("7"));
    List<String> all = new ArrayList<>();
    String from = null;
    int offset = 0;
    int pages = 0;
    do {
      asked.set(0);
      CatalogService.Page page = catalog.catalogFor(CALLER, offset, from, 20).await();
      assertThat(ids(page)).hasSizeLessThanOrEqualTo(20);
      // Its 20 datasets, the few hidden ones among them and the first of the next page: not all 500.
      assertThat(asked.get()).as("decisions for page " + pages).isLessThanOrEqualTo(30);
      all.addAll(ids(page));
      from = page.nextFrom();
      offset += 20;
      pages++;
    } while (from != null);
    assertThat(all).hasSize(450).doesNotHaveDuplicates().noneMatch(id -> id.endsWith("7")).isSorted();
    assertThat(pages).isEqualTo(23);
  }

  @Test
  void anOffsetAloneDecidesTheDatasetsBeforeIt() {
    CatalogService.Page page = catalog(id -> true).catalogFor(CALLER, 100, null, 5).await();
    assertThat(ids(page)).containsExactly("a-100", "a-101", "a-102", "a-103", "a-104");
    assertThat(page.nextFrom()).isEqualTo("a-105");
  }

  @Test
  void aCallerWhoSeesNothingGetsAnEmptyLastPage() {
    CatalogService.Page page = catalog(id -> false).catalogFor(CALLER, 0, null, 100).await();
    assertThat(page.catalog().containsKey("dataset")).isFalse();
    assertThat(page.hasNext()).isFalse();
  }

  @Test
  void aDecisionThatCouldNotBeMadeFailsThePageInsteadOfShorteningIt() {
    DecisionPoint down = (scope, input) -> Future.succeededFuture(input.getJsonObject("asset").getString("id")
        .equals("a-003") ? Decision.failClosed(scope, Decision.ENGINE_UNAVAILABLE, "injoignable", "unreachable")
        : new Decision(scope, true, List.of(), new JsonArray(), "d", "r"));
    CatalogService catalog = new CatalogService(store, down, new DecisionInputs(Clock.systemUTC(),
        ParticipantDirectory.empty(), "NTRFR-239900038"), "NTRFR-239900038", "https://provider", 4);
    Future<CatalogService.Page> page = catalog.catalogFor(CALLER, 0, null, 100);
    Throwable failure = catchFailure(page);
    assertThat(failure).isInstanceOf(DecisionUnavailable.class).hasMessageContaining("offer o-a-003");
    assertThat(catchFailure(catalog.datasetFor(CALLER, "a-003"))).isInstanceOf(DecisionUnavailable.class);
    assertThat(catalog.datasetFor(CALLER, "a-004").await().getString("@id")).isEqualTo("a-004");
  }

  private static Throwable catchFailure(Future<?> future) {
    try {
      future.await();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }
}
