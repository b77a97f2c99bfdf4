package fr.socle.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import fr.socle.catalog.CatalogStore;
import fr.socle.negotiation.Agreement;
import fr.socle.negotiation.Negotiation;
import fr.socle.negotiation.NegotiationState;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.policy.Decision;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.ParticipantDirectory;
import fr.socle.process.Role;
import fr.socle.protocol.Refusal;
import fr.socle.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an access under an agreement counts, on the node's default SQLite store: only an access the
 * decision allowed and that runs, however many race for the last allowed use. The policy engine is a
 * fake here, a limit on the count as the {@code count} constraint of the Rego policies is (the real
 * one is exercised end to end in {@code dataplane.DataPlaneTest}); it also plays the other accesses
 * that overtake the one it decides.
 */
class DataAccessTest {

  private static final String PROVIDER = "NTRFR-239900038";
  private static final String CONSUMER = "NTRFR-219900016";

  @TempDir
  Path dir;

  private Vertx vertx;
  private Database db;
  private NegotiationStore negotiations;
  private CatalogStore catalog;
  private Agreement agreement;
  /** The counts each decision was asked with, in order. */
  private final List<Long> decided = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    db = Database.open(vertx, "jdbc:sqlite:" + dir.resolve("socle.db"), null, null, 2);
    negotiations = new NegotiationStore(db, Clock.systemUTC());
    catalog = new CatalogStore(db, Clock.systemUTC());
    catalog.saveAsset(new Asset("a-1", "Lits", "", "text/csv", new AssetSource.FileSource("assets/lits.csv"),
        "public")).await();
    Instant now = Instant.now();
    Negotiation n = new Negotiation(UUID.randomUUID().toString(), Role.PROVIDER, NegotiationState.REQUESTED,
        CONSUMER, "c-1", "https://localhost:1", "o-1", "a-1", new JsonObject().put("@id", "o-1"), null, null, now,
        now);
    negotiations.create(n).await();
    agreement = new Agreement("urn:uuid:" + UUID.randomUUID(), n.id(), "a-1", PROVIDER, CONSUMER,
        new JsonObject().put("@type", "Agreement"), now, 0);
    negotiations.move(n.id(), NegotiationStore.Change.to(NegotiationState.REQUESTED, NegotiationState.AGREED)
        .withAgreement(agreement)).await();
  }

  @AfterEach
  void close() {
    db.close();
    vertx.close().await();
  }

  /** A decision point allowing fewer than {@code limit} accesses, that answers once {@code meanwhile} is done. */
  private DecisionPoint atMost(long limit, Supplier<Future<?>> meanwhile) {
    return (scope, input) -> {
      long count = input.getJsonObject("context").getLong("count");
      decided.add(count);
      return meanwhile.get().map(v -> new Decision(scope, count < limit, count < limit ? List.of()
          : List.of(new Decision.Reason("constraint_not_satisfied", "Contrainte non satisfaite sur count",
              "Constraint not satisfied on count: expected lt " + limit + ", found " + count)), new JsonArray(),
          "d-" + decided.size(), "r"));
    };
  }

  private DecisionPoint atMost(long limit) {
    return atMost(limit, Future::succeededFuture);
  }

  private DataAccess access(DecisionPoint policy, int maxStreams) {
    return new DataAccess(vertx, negotiations, catalog, policy, new DecisionInputs(Clock.systemUTC(),
        ParticipantDirectory.empty(), PROVIDER), dir, Map.of(), maxStreams, 1_000, null);
  }

  private Transfer transfer() {
    return new Transfer("p-" + UUID.randomUUID(), Role.PROVIDER, TransferState.STARTED, CONSUMER, "c-1", null,
        agreement.id(), "HttpData-PULL", null, null, null, Instant.now(), Instant.now());
  }

  private long count() {
    return negotiations.findAgreement(agreement.id()).await().accessCount();
  }

  /** Another access under the agreement, counted behind the back of the one being decided. */
  private Future<?> anotherAccessCounted() {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE agreement SET access_count = access_count + 1 WHERE id = ?")) {
        ps.setString(1, agreement.id());
        return ps.executeUpdate();
      }
    });
  }

  /** {@link #anotherAccessCounted} during the first decision only. */
  private Future<?> duringTheFirstDecision() {
    return decided.size() == 1 ? anotherAccessCounted() : Future.succeededFuture();
  }

  private static void assertRefused(Future<?> access, Refusal.Kind kind, String code) {
    assertThatThrownBy(access::await).isInstanceOfSatisfying(Refusal.class, r -> {
      assertThat(r.kind()).isEqualTo(kind);
      assertThat(r.code()).isEqualTo(code);
    });
  }

  @Test
  void aRefusedAccessUsesUpNoCount() {
    DataAccess access = access(atMost(1), 8);
    assertThat(access.authorize(transfer()).await().id()).isEqualTo("a-1");
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> access.authorize(transfer()).await()).isInstanceOfSatisfying(Refusal.class, r -> {
        assertThat(r.kind()).isEqualTo(Refusal.Kind.FORBIDDEN);
        assertThat(r.code()).isEqualTo("access_denied");
        assertThat(r.getMessage()).contains("Constraint not satisfied on count: expected lt 1, found 1");
      });
    }
    assertThat(count()).isEqualTo(1);
    assertThat(decided).containsExactly(0L, 1L, 1L, 1L);
  }

  @Test
  void anAccessWithoutAFreeStreamSlotUsesUpNoCount() {
    DataAccess access = access(atMost(10), 1);
    Transfer t = transfer();
    access.authorize(t).await();
    assertRefused(access.authorize(t), Refusal.Kind.TOO_MANY, "too_many_transfers");
    assertThat(count()).isEqualTo(1);
    access.release(CONSUMER);
    access.authorize(t).await();
    assertThat(count()).isEqualTo(2);
  }

  @Test
  void anAccessOvertakenAfterItsDecisionDecidesAgainWithTheNewCount() {
    // Two uses allowed; the first is counted for another access while this one is being decided.
    DataAccess twice = access(atMost(2, this::duringTheFirstDecision), 8);
    twice.authorize(transfer()).await();
    assertThat(decided).containsExactly(0L, 1L);
    assertThat(count()).isEqualTo(2);
  }

  @Test
  void anAccessOvertakenOnTheLastAllowedUseIsRefused() {
    DataAccess once = access(atMost(1, this::duringTheFirstDecision), 1);
    assertRefused(once.authorize(transfer()), Refusal.Kind.FORBIDDEN, "access_denied");
    assertThat(decided).containsExactly(0L, 1L);
    assertThat(count()).isEqualTo(1);
    // The one stream slot taken for it was given back: the next access is decided, not refused for lack of one.
    assertRefused(once.authorize(transfer()), Refusal.Kind.FORBIDDEN, "access_denied");
    assertThat(decided).containsExactly(0L, 1L, 1L);
  }

  @Test
  void twiceAsManySimultaneousAccessesAsAllowedGiveThatManyAndClearRefusals() {
    int allowed = 5;
    DataAccess access = access(atMost(allowed), 100);
    List<Future<Asset>> accesses = IntStream.range(0, 2 * allowed).mapToObj(i -> access.authorize(transfer()))
        .toList();
    Future.join(accesses).otherwiseEmpty().await();
    assertThat(accesses).filteredOn(Future::succeeded).hasSize(allowed);
    assertThat(accesses).filteredOn(Future::failed).hasSize(allowed).allSatisfy(f -> {
      assertThat(f.cause()).isInstanceOf(Refusal.class);
      assertThat(((Refusal) f.cause()).kind()).isEqualTo(Refusal.Kind.FORBIDDEN);
      assertThat(f.cause().getMessage()).contains("found " + allowed);
    });
    assertThat(count()).isEqualTo(allowed);
  }

  @Test
  void anAccessOvertakenTimeAfterTimeIsToldToRetry() {
    AtomicBoolean overtaking = new AtomicBoolean(true);
    DataAccess access = access(atMost(Long.MAX_VALUE, () -> overtaking.get() ? anotherAccessCounted()
        : Future.succeededFuture()), 1);
    assertRefused(access.authorize(transfer()), Refusal.Kind.TOO_MANY, "too_many_accesses");
    assertThat(decided).hasSize(DataAccess.MAX_DECISIONS);
    assertThat(count()).isEqualTo(DataAccess.MAX_DECISIONS);
    // Once the others are through, the next access passes: the one stream slot was given back.
    overtaking.set(false);
    access.authorize(transfer()).await();
    assertThat(count()).isEqualTo(DataAccess.MAX_DECISIONS + 1);
  }
}
