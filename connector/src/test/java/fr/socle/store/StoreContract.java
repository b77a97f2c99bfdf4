package fr.socle.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import fr.socle.catalog.CatalogStore;
import fr.socle.catalog.Offer;
import fr.socle.catalog.PolicyDefinition;
import fr.socle.negotiation.Agreement;
import fr.socle.negotiation.Negotiation;
import fr.socle.negotiation.NegotiationState;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.process.Role;
import fr.socle.policy.LocalizedText;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferState;
import fr.socle.transfer.TransferStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every database behind the stores must do, run against each supported engine: the schema
 * applies, rows round-trip, and a state change is a compare-and-set that reports a lost race.
 */
abstract class StoreContract {

  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  /** The key of the encrypted values, the same across the reopenings of one test, as a node's own. */
  private static final SealedValues KEY = SealedValues.ephemeral();

  protected Vertx vertx;
  private String[] target;
  private Database db;
  private CatalogStore catalog;
  private NegotiationStore negotiations;
  private TransferStore transfers;

  /** A JDBC URL of an empty database, with its user. */
  protected abstract String[] emptyDatabase() throws Exception;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    target = emptyDatabase();
    openStores();
  }

  private void openStores() {
    db = Database.open(vertx, target[0], target[1], target[2], 2);
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    catalog = new CatalogStore(db, clock);
    negotiations = new NegotiationStore(db, clock);
    transfers = new TransferStore(db, clock, StateRecorder.NONE, KEY);
  }

  @AfterEach
  void close() throws Exception {
    db.close();
    vertx.close().await();
  }

  /** Blocks the test thread (never an event loop) and rethrows the store's own exception. */
  private static <T> T await(Future<T> f) {
    return f.await();
  }

  @Test
  void offersJoinTheirAssetAndPolicy() {
    await(catalog.saveAsset(new Asset("a-1", "Budget", "desc", "text/csv", new AssetSource.FileSource("assets/b.csv"),
        "public")));
    await(catalog.savePolicy(new PolicyDefinition("p-1", new JsonObject().put("permission", "x"))));
    Offer offer = await(catalog.saveOffer("o-1", "a-1", "p-1"));
    assertThat(offer.asset().title()).isEqualTo("Budget");
    assertThat(offer.policy().body().getString("permission")).isEqualTo("x");
    assertThat(await(catalog.listOffers())).extracting(Offer::id).containsExactly("o-1");
  }

  @Test
  void operatorChangesAreStagedInTheirOwnTransactionAndOnlyWhenTheyCommit() throws Exception {
    // Staged rows land in a table of the change's own connection: they commit or roll back with it.
    await(db.transaction(c -> {
      c.createStatement().execute("CREATE TABLE staged_test (kind VARCHAR(32), subject VARCHAR(200))");
      return null;
    }));
    StateRecorder recording = new StateRecorder() {
      @Override
      public void stage(java.sql.Connection c, String kind, String subject, JsonObject payload) throws SQLException {
        try (var ps = c.prepareStatement("INSERT INTO staged_test (kind, subject) VALUES (?, ?)")) {
          ps.setString(1, kind);
          ps.setString(2, subject);
          ps.executeUpdate();
        }
      }

      @Override
      public Future<Void> publish() {
        return Future.succeededFuture();
      }
    };
    CatalogStore audited = new CatalogStore(db, Clock.fixed(NOW, ZoneOffset.UTC), recording);
    await(audited.saveAsset(new Asset("a-1", "t", "", "text/csv", new AssetSource.FileSource("x.csv"), "public")));
    await(audited.savePolicy(new PolicyDefinition("p-1", new JsonObject())));
    await(audited.saveOffer("o-1", "a-1", "p-1"));
    assertThatThrownBy(() -> await(audited.saveOffer("o-2", "nope", "p-1"))).isInstanceOf(NotFound.class);
    assertThatThrownBy(() -> await(audited.saveAsset(
        new Asset("a-1", "again", "", "text/csv", new AssetSource.FileSource("x.csv"), "public"))))
        .isInstanceOf(SQLException.class);
    java.util.List<String> staged = await(db.transaction(c -> {
      java.util.List<String> rows = new java.util.ArrayList<>();
      try (var rs = c.createStatement().executeQuery("SELECT kind, subject FROM staged_test ORDER BY subject")) {
        while (rs.next()) {
          rows.add(rs.getString(1) + " " + rs.getString(2));
        }
      }
      return rows;
    }));
    assertThat(staged).containsExactly("admin asset.created:a-1", "admin offer.created:o-1",
        "admin policy.created:p-1");
  }

  @Test
  void anOfferNamesTheMissingAssetOrPolicy() {
    await(catalog.savePolicy(new PolicyDefinition("p-1", new JsonObject())));
    assertThatThrownBy(() -> await(catalog.saveOffer("o-1", "nope", "p-1")))
        .isInstanceOf(NotFound.class).hasMessage("no asset with id 'nope'");
  }

  @Test
  void aDuplicateAssetIsAConstraintViolation() {
    Asset asset = new Asset("a-1", "t", "", "text/csv", new AssetSource.FileSource("x.csv"), "public");
    await(catalog.saveAsset(asset));
    assertThatThrownBy(() -> await(catalog.saveAsset(asset)))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("23"));
  }

  @Test
  void negotiationMovesOnlyFromTheExpectedState() {
    Negotiation n = negotiation();
    await(negotiations.create(n));
    Negotiation moved = await(negotiations.move(n.id(), NegotiationStore.Change
        .to(NegotiationState.REQUESTING, NegotiationState.REQUESTED).withCounterPartyPid("p-9")));
    assertThat(moved.state()).isEqualTo(NegotiationState.REQUESTED);
    assertThat(moved.counterPartyPid()).isEqualTo("p-9");
    assertThatThrownBy(() -> await(negotiations.move(n.id(),
        NegotiationStore.Change.to(NegotiationState.REQUESTING, NegotiationState.REQUESTED))))
        .isInstanceOf(Conflict.class)
        .hasMessage("negotiation " + n.id() + " is REQUESTED, expected REQUESTING");
  }

  @Test
  void anAgreementIsStoredWithItsTransitionAndCountsAccesses() {
    Negotiation n = negotiation();
    await(negotiations.create(n));
    await(negotiations.move(n.id(), NegotiationStore.Change.to(NegotiationState.REQUESTING,
        NegotiationState.REQUESTED)));
    Agreement a = new Agreement("urn:uuid:" + UUID.randomUUID(), n.id(), "a-1", "NTRFR-239900038",
        "NTRFR-219900016", new JsonObject().put("@type", "Agreement"), NOW, 0);
    Negotiation agreed = await(negotiations.move(n.id(), NegotiationStore.Change
        .to(NegotiationState.REQUESTED, NegotiationState.AGREED).withAgreement(a)));
    assertThat(agreed.agreementId()).isEqualTo(a.id());
    assertThat(await(negotiations.findAgreement(a.id())).body()).isEqualTo(a.body());
    // An access is counted only if the count is still the one it was decided with.
    assertThat(await(negotiations.countAccess(a.id(), 0))).isTrue();
    assertThat(await(negotiations.countAccess(a.id(), 0))).isFalse();
    assertThat(await(negotiations.countAccess(a.id(), 1))).isTrue();
    assertThat(await(negotiations.findAgreement(a.id())).accessCount()).isEqualTo(2);
    assertThatThrownBy(() -> await(negotiations.countAccess("urn:uuid:none", 0))).isInstanceOf(NotFound.class);
    assertThat(await(negotiations.listUnfinished())).extracting(Negotiation::id).containsExactly(n.id());
  }

  @Test
  void simultaneousAccessesNeverBothPassTheLastAllowedUse() {
    Negotiation n = negotiation();
    await(negotiations.create(n));
    await(negotiations.move(n.id(), NegotiationStore.Change.to(NegotiationState.REQUESTING,
        NegotiationState.REQUESTED)));
    Agreement a = new Agreement("urn:uuid:" + UUID.randomUUID(), n.id(), "a-1", "NTRFR-239900038",
        "NTRFR-219900016", new JsonObject().put("@type", "Agreement"), NOW, 0);
    await(negotiations.move(n.id(), NegotiationStore.Change.to(NegotiationState.REQUESTED, NegotiationState.AGREED)
        .withAgreement(a)));
    // Twice as many accesses at once as the agreement allows (a count below the limit), each deciding
    // with the count it read and again with the new one when another was counted first, as
    // transfer.DataAccess does: exactly the limit pass, the others find it reached, none fails.
    int limit = 10;
    java.util.List<Future<Boolean>> accesses = java.util.stream.IntStream.range(0, 2 * limit)
        .mapToObj(i -> access(a.id(), limit)).toList();
    await(Future.all(accesses));
    assertThat(accesses).extracting(Future::result).filteredOn(Boolean.TRUE::equals).hasSize(limit);
    assertThat(await(negotiations.findAgreement(a.id())).accessCount()).isEqualTo(limit);
  }

  /** Reads the count, and counts an access if it is below {@code limit}; again when overtaken. Whether it passed. */
  private Future<Boolean> access(String agreementId, long limit) {
    return negotiations.findAgreement(agreementId).compose(a -> a.accessCount() >= limit
        ? Future.succeededFuture(false)
        : negotiations.countAccess(agreementId, a.accessCount())
            .compose(counted -> counted ? Future.succeededFuture(true) : access(agreementId, limit)));
  }

  @Test
  void agreementSignaturesAreStoredAndTheCountersignatureJoinsTheVerification() {
    Negotiation n = negotiation();
    await(negotiations.create(n));
    await(negotiations.move(n.id(), NegotiationStore.Change.to(NegotiationState.REQUESTING,
        NegotiationState.REQUESTED)));
    Agreement a = new Agreement("urn:uuid:" + UUID.randomUUID(), n.id(), "a-1", "NTRFR-239900038",
        "NTRFR-219900016", new JsonObject().put("@type", "Agreement"), NOW, 0,
        Agreement.Signatures.byProvider("provider.jws.sig"));
    await(negotiations.move(n.id(), NegotiationStore.Change.to(NegotiationState.REQUESTED, NegotiationState.AGREED)
        .withAgreement(a)));
    assertThat(await(negotiations.findAgreement(a.id())).signatures()).isEqualTo(a.signatures());

    await(negotiations.moveCountersigned(n.id(), NegotiationStore.Change.to(NegotiationState.AGREED,
        NegotiationState.VERIFIED), a.id(), "consumer.jws.sig"));
    assertThat(await(negotiations.findAgreement(a.id())).signatures())
        .isEqualTo(a.signatures().withConsumer("consumer.jws.sig"));
    assertThat(await(negotiations.find(n.id())).state()).isEqualTo(NegotiationState.VERIFIED);
  }

  @Test
  void aDetailKeepsItsFrenchWordingUntilAnotherDetailReplacesIt() {
    Negotiation n = negotiation();
    await(negotiations.create(n));
    Negotiation refused = await(negotiations.move(n.id(), NegotiationStore.Change.to(NegotiationState.REQUESTING,
        NegotiationState.TERMINATING).withDetail(new LocalizedText("Denied.", "Refusé."))));
    assertThat(refused.toJson("fr").getString("detail")).isEqualTo("Refusé.");
    assertThat(refused.toJson("en").getString("detail")).isEqualTo("Denied.");
    Negotiation ended = await(negotiations.move(n.id(), NegotiationStore.Change.to(NegotiationState.TERMINATING,
        NegotiationState.TERMINATED)));
    assertThat(ended.toJson("fr").getString("detail")).isEqualTo("Refusé.");

    Transfer t = new Transfer(UUID.randomUUID().toString(), Role.PROVIDER, TransferState.REQUESTED,
        "NTRFR-219900016", "c-1", "https://localhost:1", "urn:uuid:1", "HttpData-PULL", null, null, null, NOW, NOW);
    await(transfers.create(t));
    Transfer stopping = await(transfers.move(t.id(), TransferStore.Change.to(TransferState.REQUESTED,
        TransferState.TERMINATING).withDetail(new LocalizedText("Denied.", "Refusé."))));
    assertThat(stopping.toJson("fr").getString("detail")).isEqualTo("Refusé.");
    Transfer gaveUp = await(transfers.move(t.id(), TransferStore.Change.to(TransferState.TERMINATING,
        TransferState.TERMINATED).withDetail("gave up: unreachable")));
    assertThat(gaveUp.toJson("fr").getString("detail")).as("no stale French").isEqualTo("gave up: unreachable");
  }

  @Test
  void anImpossibleTransitionIsABugNotAConflict() {
    Negotiation n = negotiation();
    await(negotiations.create(n));
    assertThatThrownBy(() -> await(negotiations.move(n.id(),
        NegotiationStore.Change.to(NegotiationState.REQUESTING, NegotiationState.FINALIZED))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("negotiation transition REQUESTING -> FINALIZED is not allowed");
  }

  @Test
  void transferKeepsItsDataAddressAndTokenHash() {
    Transfer t = new Transfer(UUID.randomUUID().toString(), Role.PROVIDER, TransferState.REQUESTED,
        "NTRFR-219900016", "c-1", "https://localhost:1", "urn:uuid:1", "HttpData-PULL", null, null, null, NOW, NOW);
    await(transfers.create(t));
    await(transfers.move(t.id(), TransferStore.Change.to(TransferState.REQUESTED, TransferState.STARTING)));
    await(transfers.prepareToken(t.id(), TransferState.STARTING, "abc"));
    assertThatThrownBy(() -> await(transfers.prepareToken(t.id(), TransferState.REQUESTED, "other")))
        .isInstanceOf(Conflict.class);
    Transfer started = await(transfers.move(t.id(), TransferStore.Change
        .to(TransferState.STARTING, TransferState.STARTED)
        .withDataAddress(new JsonObject().put("endpoint", "https://x"))));
    assertThat(started.tokenHash()).isEqualTo("abc");
    assertThat(started.dataAddress().getString("endpoint")).isEqualTo("https://x");
    assertThatThrownBy(() -> await(transfers.move(t.id(),
        TransferStore.Change.to(TransferState.STARTING, TransferState.STARTED))))
        .isInstanceOf(Conflict.class);
    assertThat(await(transfers.find(t.id())).state()).isEqualTo(TransferState.STARTED);
    // A refreshed data address replaces the stored one only while the transfer is still STARTED.
    await(transfers.updateDataAddress(t.id(), TransferState.STARTED, new JsonObject().put("endpoint", "https://y")));
    assertThat(await(transfers.find(t.id())).dataAddress().getString("endpoint")).isEqualTo("https://y");
    assertThatThrownBy(() -> await(transfers.updateDataAddress(t.id(), TransferState.SUSPENDED,
        new JsonObject().put("endpoint", "https://z")))).isInstanceOf(Conflict.class);
    assertThat(await(transfers.find(t.id())).dataAddress().getString("endpoint")).isEqualTo("https://y");
  }

  /** The provider's token must not work again while a resumption waits; a push receiver's token must. */
  @Test
  void aSuspendedProviderTransferForgetsItsTokenAndAConsumerKeepsIts() {
    for (Role role : Role.values()) {
      Transfer t = new Transfer(UUID.randomUUID().toString(), role, TransferState.REQUESTED,
          "NTRFR-219900016", "c-1", "https://localhost:1", "urn:uuid:1", "HttpData-PULL", null, null, null, NOW, NOW);
      await(transfers.create(t));
      await(transfers.prepareToken(t.id(), TransferState.REQUESTED, "abc"));
      await(transfers.move(t.id(), TransferStore.Change.to(TransferState.REQUESTED, TransferState.STARTED)));
      await(transfers.move(t.id(), TransferStore.Change.to(TransferState.STARTED, TransferState.SUSPENDING)));
      assertThat(await(transfers.find(t.id())).tokenHash()).isEqualTo("abc");
      Transfer suspended = await(transfers.move(t.id(),
          TransferStore.Change.to(TransferState.SUSPENDING, TransferState.SUSPENDED)));
      assertThat(suspended.tokenHash()).as(role.name()).isEqualTo(role == Role.PROVIDER ? null : "abc");
    }
  }

  /**
   * Who suspended a transfer has a column of its own: a later detail does not change it, it survives
   * a failed resumption, a provider may take a suspension over, and a new start clears it.
   */
  @Test
  void whoSuspendedATransferIsKeptApartFromItsDetail() {
    Transfer t = transfer("NTRFR-219900016", Role.PROVIDER);
    await(transfers.create(t));
    await(transfers.move(t.id(), TransferStore.Change.to(TransferState.REQUESTED, TransferState.STARTED)));
    await(transfers.move(t.id(), TransferStore.Change.to(TransferState.STARTED, TransferState.SUSPENDING)
        .withDetail("suspended by NTRFR-239900038: audit")));
    assertThat(await(transfers.find(t.id())).suspendedBy()).isNull();
    Transfer suspended = await(transfers.move(t.id(), TransferStore.Change.to(TransferState.SUSPENDING,
        TransferState.SUSPENDED).withSuspendedBy("NTRFR-239900038")));
    assertThat(suspended.suspendedBy()).isEqualTo("NTRFR-239900038");
    assertThat(suspended.toJson().getString("suspendedBy")).isEqualTo("NTRFR-239900038");

    // A resumption that goes back to SUSPENDED with another detail keeps the holder.
    await(transfers.move(t.id(), TransferStore.Change.to(TransferState.SUSPENDED, TransferState.RESUMING)));
    Transfer back = await(transfers.move(t.id(), TransferStore.Change.to(TransferState.RESUMING,
        TransferState.SUSPENDED).withDetail("suspended by NTRFR-219900016: night batch")));
    assertThat(back.suspendedBy()).isEqualTo("NTRFR-239900038");
    assertThat(back.detail()).isEqualTo("suspended by NTRFR-219900016: night batch");

    Transfer held = await(transfers.holdSuspension(t.id(), "NTRFR-219900016", "taken over"));
    assertThat(held.suspendedBy()).isEqualTo("NTRFR-219900016");
    assertThat(held.detail()).isEqualTo("taken over");
    reopen();
    assertThat(await(transfers.find(t.id())).suspendedBy()).as("read back after a restart")
        .isEqualTo("NTRFR-219900016");

    await(transfers.move(t.id(), TransferStore.Change.to(TransferState.SUSPENDED, TransferState.RESUMING)));
    Transfer started = await(transfers.move(t.id(), TransferStore.Change.to(TransferState.RESUMING,
        TransferState.STARTED)));
    assertThat(started.suspendedBy()).isNull();
    assertThatThrownBy(() -> await(transfers.holdSuspension(t.id(), "NTRFR-239900038", "too late")))
        .isInstanceOf(Conflict.class).hasMessage("transfer " + t.id() + " is STARTED, expected SUSPENDED");
  }

  @Test
  void unfinishedTransfersAreListedByAgreement() {
    String agreement = "urn:uuid:" + UUID.randomUUID();
    List<String> ids = new ArrayList<>();
    for (String under : List.of(agreement, agreement, "urn:uuid:" + UUID.randomUUID())) {
      Transfer t = new Transfer(UUID.randomUUID().toString(), Role.PROVIDER, TransferState.REQUESTED,
          "NTRFR-219900016", "c-1", "https://localhost:1", under, "HttpData-PULL", null, null, null, NOW, NOW);
      ids.add(await(transfers.create(t)).id());
    }
    await(transfers.move(ids.get(1), TransferStore.Change.to(TransferState.REQUESTED, TransferState.TERMINATED)));
    assertThat(await(transfers.listUnfinished(agreement))).extracting(Transfer::id).containsExactly(ids.get(0));
  }

  @Test
  void aPartnersUnfinishedTransfersAreBounded() {
    String partner = "NTRFR-" + UUID.randomUUID();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ids.add(await(transfers.create(transfer(partner, Role.PROVIDER), 2)).id());
    }
    assertThatThrownBy(() -> await(transfers.create(transfer(partner, Role.PROVIDER), 2)))
        .isInstanceOf(TooManyOpen.class)
        .hasMessageStartingWith(partner + " already has 2 unfinished transfers with this node");
    // Other partners, and this partner's transfers as a provider to this node, count apart.
    await(transfers.create(transfer("NTRFR-" + UUID.randomUUID(), Role.PROVIDER), 2));
    await(transfers.create(transfer(partner, Role.CONSUMER), 2));
    await(transfers.move(ids.get(0), TransferStore.Change.to(TransferState.REQUESTED, TransferState.TERMINATED)));
    await(transfers.create(transfer(partner, Role.PROVIDER), 2));
  }

  private static Transfer transfer(String counterParty, Role role) {
    return new Transfer(UUID.randomUUID().toString(), role, TransferState.REQUESTED, counterParty, "c-1",
        "https://localhost:1", "urn:uuid:1", "HttpData-PULL", null, null, null, NOW, NOW);
  }

  @Test
  void pushTransferKeepsItsDestinationAndShowsOnlyItsEndpoint() {
    JsonObject destination = fr.socle.transfer.EdrTokens.dataAddress("https://consumer.example/push/transfers/c-1",
        "receiver-secret");
    Transfer t = new Transfer(UUID.randomUUID().toString(), Role.PROVIDER, TransferState.REQUESTED,
        "NTRFR-219900016", "c-1", "https://localhost:1", "urn:uuid:1", "HttpData-PUSH", null, null, null, NOW, NOW,
        null, destination);
    await(transfers.create(t));
    Transfer stored = await(transfers.find(t.id()));
    assertThat(stored.destination()).isEqualTo(destination);
    assertThat(stored.isPush()).isTrue();
    assertThat(stored.toJson().getString("destination")).isEqualTo("https://consumer.example/push/transfers/c-1");
    assertThat(stored.toJson().encode()).doesNotContain("receiver-secret");
  }

  // ---- partners' tokens kept encrypted ----

  /** Column {@code column} of transfer {@code id} as it lies in the database, read as a copy of it would be. */
  private String raw(String id, String column) {
    return await(db.transaction(c -> {
      try (var ps = c.prepareStatement("SELECT " + column + " FROM transfer WHERE id = ?")) {
        ps.setString(1, id);
        try (var rs = ps.executeQuery()) {
          rs.next();
          return rs.getString(1);
        }
      }
    }));
  }

  private void writeRaw(String id, String column, String value) {
    await(db.transaction(c -> {
      try (var ps = c.prepareStatement("UPDATE transfer SET " + column + " = ? WHERE id = ?")) {
        ps.setString(1, value);
        ps.setString(2, id);
        return ps.executeUpdate();
      }
    }));
  }

  @Test
  void partnersTokensAreKeptEncryptedAndReadBack() {
    JsonObject destination = fr.socle.transfer.EdrTokens.dataAddress("https://consumer.example/push/transfers/c-1",
        "receiver-secret");
    Transfer push = await(transfers.create(new Transfer(UUID.randomUUID().toString(), Role.PROVIDER,
        TransferState.REQUESTED, "NTRFR-219900016", "c-1", "https://localhost:1", "urn:uuid:1", "HttpData-PUSH", null,
        null, null, NOW, NOW, null, destination)));
    assertThat(raw(push.id(), "destination")).startsWith("sealed:v1:").doesNotContain("receiver-secret")
        .doesNotContain("consumer.example");
    JsonObject again = fr.socle.transfer.EdrTokens.dataAddress("https://consumer.example/push/transfers/c-1",
        "receiver-secret-2");
    await(transfers.updateDestination(push.id(), TransferState.REQUESTED, again));
    assertThat(raw(push.id(), "destination")).doesNotContain("receiver-secret");
    assertThat(await(transfers.find(push.id())).destination()).isEqualTo(again);

    Transfer pull = await(transfers.create(transfer("NTRFR-239900038", Role.CONSUMER)));
    JsonObject address = fr.socle.transfer.EdrTokens.dataAddress("https://provider.example/public/transfers/p-1",
        "edr-secret");
    await(transfers.move(pull.id(), TransferStore.Change.to(TransferState.REQUESTED, TransferState.STARTED)
        .withDataAddress(address)));
    assertThat(raw(pull.id(), "data_address")).startsWith("sealed:v1:").doesNotContain("edr-secret");
    assertThat(await(transfers.find(pull.id())).dataAddress()).isEqualTo(address);
    JsonObject refreshed = fr.socle.transfer.EdrTokens.dataAddress("https://provider.example/public/transfers/p-1",
        "edr-refreshed");
    await(transfers.updateDataAddress(pull.id(), TransferState.STARTED, refreshed));
    assertThat(raw(pull.id(), "data_address")).doesNotContain("edr-refreshed");
    reopen();
    assertThat(await(transfers.find(pull.id())).dataAddress()).as("read back after a restart").isEqualTo(refreshed);
  }

  /**
   * A value that does not decrypt (altered, or copied from another row) is never used: reading it
   * refuses with the reason, while the transfer itself is still listed and can be terminated.
   */
  @Test
  void aTamperedTokenIsRefusedWhereItIsUsed() {
    JsonObject address = fr.socle.transfer.EdrTokens.dataAddress("https://provider.example/public/transfers/p-1",
        "edr-secret");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Transfer t = await(transfers.create(transfer("NTRFR-239900038", Role.CONSUMER)));
      await(transfers.move(t.id(), TransferStore.Change.to(TransferState.REQUESTED, TransferState.STARTED)
          .withDataAddress(address)));
      ids.add(t.id());
    }
    String sealed = raw(ids.get(0), "data_address");
    int at = sealed.length() - 3;
    writeRaw(ids.get(0), "data_address", sealed.substring(0, at) + (sealed.charAt(at) == 'x' ? 'y' : 'x')
        + sealed.substring(at + 1));
    // Another row's genuine value does not open here either.
    writeRaw(ids.get(1), "data_address", sealed);

    for (String id : ids) {
      Transfer t = await(transfers.find(id));
      assertThatThrownBy(t::dataAddress).isInstanceOfSatisfying(fr.socle.protocol.Refusal.class, e -> {
        assertThat(e.kind()).isEqualTo(fr.socle.protocol.Refusal.Kind.CONFLICT);
        assertThat(e.getMessage()).contains("transfer " + id + ": its data address").contains("does not decrypt");
      });
      assertThat(t.toJson().getString("state")).isEqualTo("STARTED");
    }
    assertThat(await(transfers.list())).extracting(Transfer::id).containsAll(ids);
    Transfer ended = await(transfers.move(ids.get(0), TransferStore.Change.to(TransferState.STARTED,
        TransferState.TERMINATED).withDetail("its token cannot be read")));
    assertThat(ended.state()).isEqualTo(TransferState.TERMINATED);
  }

  /** Rows an earlier version wrote in clear are read, then encrypted at start-up; later ones in clear are refused. */
  @Test
  void tokensKeptInClearByAnEarlierVersionAreEncryptedAtStart() {
    JsonObject address = fr.socle.transfer.EdrTokens.dataAddress("https://provider.example/public/transfers/p-1",
        "edr-secret");
    JsonObject destination = fr.socle.transfer.EdrTokens.dataAddress("https://consumer.example/push/transfers/c-1",
        "receiver-secret");
    Transfer pull = await(transfers.create(transfer("NTRFR-239900038", Role.CONSUMER)));
    Transfer push = await(transfers.create(transfer("NTRFR-219900016", Role.PROVIDER)));
    writeRaw(pull.id(), "data_address", address.encode());
    writeRaw(push.id(), "destination", destination.encode());
    assertThat(await(transfers.find(pull.id())).dataAddress()).isEqualTo(address);

    assertThat(await(transfers.sealInClear())).isEqualTo(2);
    assertThat(raw(pull.id(), "data_address")).startsWith("sealed:v1:").doesNotContain("edr-secret");
    assertThat(raw(push.id(), "destination")).startsWith("sealed:v1:").doesNotContain("receiver-secret");
    assertThat(await(transfers.find(pull.id())).dataAddress()).isEqualTo(address);
    assertThat(await(transfers.find(push.id())).destination()).isEqualTo(destination);
    assertThat(await(transfers.sealInClear())).as("nothing left in clear").isZero();

    writeRaw(push.id(), "destination", destination.encode());
    assertThatThrownBy(await(transfers.find(push.id()))::destination)
        .isInstanceOf(fr.socle.protocol.Refusal.class).hasMessageContaining("does not decrypt");
  }

  // ---- the same consumerPid finds the same process (DSP), enforced by the database ----

  private static Negotiation requested(String counterParty, String consumerPid, String offerId) {
    return new Negotiation(UUID.randomUUID().toString(), Role.PROVIDER, NegotiationState.REQUESTED, counterParty,
        consumerPid, "https://localhost:1", offerId, "a-1", new JsonObject().put("@id", offerId), null, null, NOW,
        NOW);
  }

  @Test
  void aRequestReSentUnderTheSameConsumerPidFindsTheFirstNegotiation() {
    NegotiationStore.Requested first = await(negotiations.createRequested(requested("NTRFR-1", "c-1", "o-1"), 5));
    NegotiationStore.Requested again = await(negotiations.createRequested(requested("NTRFR-1", "c-1", "o-2"), 5));
    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.negotiation().id()).isEqualTo(first.negotiation().id());
    assertThat(again.requestedOfferId()).as("the first request's offer, to tell a different request").isEqualTo("o-1");
    // Another partner, or another consumerPid, is another negotiation.
    assertThat(await(negotiations.createRequested(requested("NTRFR-2", "c-1", "o-1"), 5)).created()).isTrue();
    assertThat(await(negotiations.createRequested(requested("NTRFR-1", "c-2", "o-1"), 5)).created()).isTrue();
    assertThat(await(negotiations.list())).hasSize(3);
  }

  @Test
  void aReSentRequestIsAnsweredEvenWhenThePartnerHasNoRoomForANewOne() {
    String first = await(negotiations.createRequested(requested("NTRFR-1", "c-1", "o-1"), 1)).negotiation().id();
    assertThat(await(negotiations.createRequested(requested("NTRFR-1", "c-1", "o-1"), 1)).negotiation().id())
        .isEqualTo(first);
    assertThatThrownBy(() -> await(negotiations.createRequested(requested("NTRFR-1", "c-2", "o-1"), 1)))
        .isInstanceOf(TooManyOpen.class);
  }

  @Test
  void concurrentRequestsUnderOneConsumerPidOpenOneNegotiationAndOneTransfer() {
    int copies = 8;
    List<Future<NegotiationStore.Requested>> negotiationRequests = new ArrayList<>();
    List<Future<TransferStore.Requested>> transferRequests = new ArrayList<>();
    for (int i = 0; i < copies; i++) {
      negotiationRequests.add(negotiations.createRequested(requested("NTRFR-1", "c-same", "o-1"), 100));
      transferRequests.add(transfers.createRequested(transfer("NTRFR-1", Role.PROVIDER), 100));
    }
    await(Future.join(negotiationRequests));
    await(Future.join(transferRequests));
    assertThat(negotiationRequests).allSatisfy(f -> assertThat(f.succeeded()).as(String.valueOf(f.cause())).isTrue());
    assertThat(transferRequests).allSatisfy(f -> assertThat(f.succeeded()).as(String.valueOf(f.cause())).isTrue());
    assertThat(negotiationRequests.stream().filter(f -> f.result().created())).hasSize(1);
    assertThat(negotiationRequests.stream().map(f -> f.result().negotiation().id()).distinct()).hasSize(1);
    assertThat(transferRequests.stream().filter(f -> f.result().created())).hasSize(1);
    assertThat(transferRequests.stream().map(f -> f.result().transfer().id()).distinct()).hasSize(1);
    assertThat(await(negotiations.list())).hasSize(1);
    assertThat(await(transfers.list())).hasSize(1);
  }

  @Test
  void theDatabaseItselfRefusesASecondProcessUnderOneConsumerPid() {
    Negotiation n = await(negotiations.createRequested(requested("NTRFR-1", "c-1", "o-1"), 5)).negotiation();
    assertThatThrownBy(() -> await(db.transaction(c -> {
      try (var ps = c.prepareStatement("INSERT INTO negotiation_request (role, counter_party_id, counter_party_pid,"
          + " negotiation_id, offer_id) VALUES ('PROVIDER', 'NTRFR-1', 'c-1', 'another', 'o-1')")) {
        return ps.executeUpdate();
      }
    }))).isInstanceOfSatisfying(SQLException.class, e -> assertThat(Database.isUniqueViolation(e)).isTrue());
    Transfer t = await(transfers.createRequested(transfer("NTRFR-1", Role.PROVIDER), 5)).transfer();
    assertThatThrownBy(() -> await(db.transaction(c -> {
      try (var ps = c.prepareStatement("INSERT INTO transfer_request (role, counter_party_id, counter_party_pid,"
          + " transfer_id) VALUES ('PROVIDER', 'NTRFR-1', 'c-1', 'another')")) {
        return ps.executeUpdate();
      }
    }))).isInstanceOfSatisfying(SQLException.class, e -> assertThat(Database.isUniqueViolation(e)).isTrue());
    assertThat(n.id()).isNotEqualTo(t.id());
  }

  /**
   * A database from before the request keys, which may already hold a second negotiation made by a
   * re-sent request, still opens; from then on the consumerPid finds the latest of the two.
   */
  @Test
  void aDatabaseThatAlreadyHoldsDuplicatesOpensAndKeysTheLatest() throws Exception {
    await(db.transaction(c -> {
      c.createStatement().execute("DROP TABLE negotiation_request");
      c.createStatement().execute("DROP TABLE transfer_request");
      return null;
    }));
    Negotiation older = requested("NTRFR-1", "c-dup", "o-1");
    Negotiation newer = new Negotiation(UUID.randomUUID().toString(), Role.PROVIDER, NegotiationState.REQUESTED,
        "NTRFR-1", "c-dup", "https://localhost:1", "o-1", "a-1", new JsonObject(), null, null, NOW.plusSeconds(5),
        NOW.plusSeconds(5));
    await(negotiations.create(older));
    await(negotiations.create(newer));
    Transfer t1 = transfer("NTRFR-1", Role.PROVIDER);
    Transfer t2 = new Transfer(UUID.randomUUID().toString(), Role.PROVIDER, TransferState.REQUESTED, "NTRFR-1", "c-1",
        "https://localhost:1", "urn:uuid:1", "HttpData-PULL", null, null, null, NOW.plusSeconds(5), NOW.plusSeconds(5));
    await(transfers.create(t1));
    await(transfers.create(t2));
    db.close();

    openStores();
    reopen();
    NegotiationStore.Requested found = await(negotiations.createRequested(requested("NTRFR-1", "c-dup", "o-1"), 5));
    assertThat(found.created()).isFalse();
    assertThat(found.negotiation().id()).isEqualTo(newer.id());
    TransferStore.Requested foundTransfer = await(transfers.createRequested(transfer("NTRFR-1", Role.PROVIDER), 5));
    assertThat(foundTransfer.created()).isFalse();
    assertThat(foundTransfer.transfer().id()).isEqualTo(t2.id());
    assertThat(await(negotiations.list())).hasSize(2);
  }

  /** The schema applies again at every start; the keys it filled once are left as they are. */
  private void reopen() {
    db.close();
    openStores();
  }

  @Test
  void unknownRowsAreNotFound() {
    assertThatThrownBy(() -> await(negotiations.find("nope"))).isInstanceOf(NotFound.class)
        .hasMessage("no negotiation with id 'nope'");
    assertThatThrownBy(() -> await(transfers.find("nope"))).isInstanceOf(NotFound.class);
  }

  private static Negotiation negotiation() {
    return new Negotiation(UUID.randomUUID().toString(), Role.CONSUMER, NegotiationState.REQUESTING,
        "NTRFR-239900038", null, "https://localhost:1", "o-1", "a-1", new JsonObject().put("@id", "o-1"), null, null,
        NOW, NOW);
  }
}
