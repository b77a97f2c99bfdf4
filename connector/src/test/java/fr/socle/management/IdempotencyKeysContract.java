package fr.socle.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import fr.socle.catalog.CatalogStore;
import fr.socle.management.IdempotencyKeys.Begun;
import fr.socle.management.IdempotencyKeys.Claimed;
import fr.socle.management.IdempotencyKeys.Replay;
import fr.socle.store.Conflict;
import fr.socle.store.Database;
import fr.socle.store.NotFound;
import fr.socle.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The idempotency keys' rows on each supported database: a key's response commits with the resource
 * or not at all, a claim a dead process left is taken over, and keys expire and are bounded.
 */
abstract class IdempotencyKeysContract {

  private static final String SCOPE = IdempotencyKeys.scope("operator-key-0123456789");
  private static final Duration TTL = Duration.ofHours(24);

  private Vertx vertx;
  private Database db;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
  private CatalogStore catalog;
  private IdempotencyKeys keys;

  /** A JDBC URL of an empty database, with its user. */
  protected abstract String[] emptyDatabase() throws Exception;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    String[] target = emptyDatabase();
    db = Database.open(vertx, target[0], target[1], target[2], 2);
    catalog = new CatalogStore(db, clock);
    keys = new IdempotencyKeys(db, clock, TTL, 3);
  }

  @AfterEach
  void close() throws Exception {
    db.close();
    vertx.close().await();
  }

  private static Asset asset(String id) {
    return new Asset(id, "Budget", "", "text/csv", new AssetSource.FileSource("assets/b.csv"), "public");
  }

  /** Runs a creation of {@code id} under {@code claimed}, the response written in its transaction. */
  private Future<Asset> create(IdempotencyKeys by, Claimed claimed, String id) {
    return catalog.saveAsset(asset(id), (c, a) -> by.complete(c, claimed, 201, a.toJson().encode()));
  }

  private Claimed claim(IdempotencyKeys by, String key, String fingerprint) {
    Begun begun = by.begin(SCOPE, key, fingerprint).await();
    assertThat(begun).isInstanceOf(Claimed.class);
    return (Claimed) begun;
  }

  private static int status(Future<?> failed) {
    assertThatThrownBy(failed::await).isInstanceOf(Problem.class);
    return ((Problem) failed.cause()).status();
  }

  @Test
  void aKeysResponseIsReplayedForTheSameRequestOnly() {
    create(keys, claim(keys, "k-1", "digest-a"), "a-1").await();

    Begun again = keys.begin(SCOPE, "k-1", "digest-a").await();
    assertThat(again).isEqualTo(new Replay(201, asset("a-1").toJson().encode()));
    assertThat(status(keys.begin(SCOPE, "k-1", "digest-b"))).isEqualTo(422);
    assertThat(keys.begin(IdempotencyKeys.scope("another-callers-key-0123"), "k-1", "digest-b").await())
        .as("another caller's key of the same name").isInstanceOf(Claimed.class);
  }

  @Test
  void aKeyIsBusyWhileItsRequestRunsAndFreeAgainOnceItFailed() {
    Claimed claimed = claim(keys, "k-1", "digest-a");
    assertThat(status(keys.begin(SCOPE, "k-1", "digest-a"))).isEqualTo(409);

    Future<Asset> failed = catalog.saveOffer("o-1", "missing", "missing", (c, o) -> keys.complete(c, claimed, 201,
        o.toJson().encode())).map(o -> null);
    assertThatThrownBy(failed::await).isInstanceOf(NotFound.class);
    keys.release(claimed).await();

    create(keys, claim(keys, "k-1", "digest-a"), "a-1").await();
    assertThat(keys.begin(SCOPE, "k-1", "digest-a").await()).isInstanceOf(Replay.class);
  }

  /**
   * A node killed while a keyed request ran leaves a claim without response, and no resource: the
   * next process takes the claim over, and the killed one's creation, had it gone on, could no
   * longer commit.
   */
  @Test
  void aClaimLeftByAnotherProcessIsTakenOverAndTheLoserCreatesNothing() {
    Claimed lost = claim(keys, "k-1", "digest-a");
    IdempotencyKeys restarted = new IdempotencyKeys(db, clock, TTL, 3);

    Claimed taken = claim(restarted, "k-1", "digest-a");
    assertThatThrownBy(() -> create(keys, lost, "a-lost").await()).isInstanceOf(Conflict.class);
    assertThat(catalog.listAssets().await()).isEmpty();

    create(restarted, taken, "a-1").await();
    assertThat(restarted.begin(SCOPE, "k-1", "digest-a").await()).isInstanceOf(Replay.class);
    assertThat(catalog.listAssets().await()).extracting(Asset::id).containsExactly("a-1");
  }

  @Test
  void keysExpireAndAreBounded() {
    for (String key : List.of("k-1", "k-2", "k-3")) {
      create(keys, claim(keys, key, "digest-" + key), "a-" + key).await();
    }
    assertThat(status(keys.begin(SCOPE, "k-4", "digest-k-4"))).isEqualTo(429);
    assertThat(keys.begin(SCOPE, "k-1", "digest-k-1").await()).as("a kept key still answers")
        .isInstanceOf(Replay.class);

    clock.advance(TTL);
    claim(keys, "k-4", "digest-k-4");
    assertThat(keys.begin(SCOPE, "k-1", "digest-other").await()).as("an expired key is a new key")
        .isInstanceOf(Claimed.class);
  }

  @Test
  void keysAreBoundedInLengthAndCharacters() {
    assertThat(IdempotencyKeys.key(List.of())).isNull();
    assertThat(IdempotencyKeys.key(List.of("8e03978e-40d5-43e8-bc93-6894a57f9324")))
        .isEqualTo("8e03978e-40d5-43e8-bc93-6894a57f9324");
    assertThat(IdempotencyKeys.key(List.of("\"quoted-key\""))).as("the draft's structured string").isEqualTo("quoted-key");
    for (List<String> bad : List.of(List.of(""), List.of("a b"), List.of("é"), List.of("x".repeat(256)),
        List.of("a", "b"))) {
      assertThatThrownBy(() -> IdempotencyKeys.key(bad)).as(bad.toString()).isInstanceOfSatisfying(Problem.class,
          p -> assertThat(p.status()).isEqualTo(400));
    }
  }
}
