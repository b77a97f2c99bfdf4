package fr.socle.negotiation;

import fr.socle.edge.Failures;
import fr.socle.process.Role;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.agreement.AgreementSigner;
import fr.socle.agreement.AgreementVerifier;
import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import fr.socle.catalog.CatalogStore;
import fr.socle.catalog.PolicyDefinition;
import fr.socle.negotiation.NegotiationStore.Change;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.ParticipantDirectory;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.Refusal;
import fr.socle.protocol.DspMessage;
import fr.socle.protocol.ServerIdentity;
import fr.socle.store.Database;
import fr.socle.testing.Federation;
import fr.socle.testing.Paths;
import fr.socle.trust.TrustMaterial;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each message of a negotiation received a second time, as a partner killed before it recorded the
 * acknowledgement sends it again on restart: acknowledged without change when it is the same message,
 * a 409 when it asks for something else. The hook keeps the nodes from sending anything.
 */
@Timeout(30)
class RedeliveryTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final TrustMaterial PROVIDER = material(Federation.PROVIDER);
  private static final TrustMaterial CONSUMER = material(Federation.CONSUMER);

  private Vertx vertx;
  private Database db;
  private NegotiationStore store;
  private CatalogStore catalog;

  private static TrustMaterial material(String slug) {
    return TrustMaterial.load(Paths.certs().resolve("nodes").resolve(slug), Paths.certs());
  }

  private static String id(TrustMaterial m) {
    return m.participant().id().value();
  }

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    db = Database.open(vertx, "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 2);
    store = new NegotiationStore(db, CLOCK);
    catalog = new CatalogStore(db, CLOCK);
    await(catalog.saveAsset(new Asset("eau-2026", "Eau", "", "text/csv", new AssetSource.FileSource("eau.csv"),
        "public")));
    await(catalog.savePolicy(new PolicyDefinition("p-1", new JsonObject().put("permission", new JsonArray()
        .add(new JsonObject().put("action", "use"))))));
    await(catalog.saveOffer("offer-1", "eau-2026", "p-1"));
  }

  @AfterEach
  void close() throws Exception {
    db.close();
    await(vertx.close());
  }

  private NegotiationManager manager(TrustMaterial self) {
    return new NegotiationManager(vertx, store, catalog,
        new DspClient(vertx, new HttpClientOptions(), 1000, audience -> "unused", ServerIdentity.ANY),
        (scope, input) -> Future.failedFuture("no decision in this test"),
        new DecisionInputs(CLOCK, ParticipantDirectory.empty(), id(self)), n -> NegotiationHook.Move.WAIT, CLOCK,
        id(self), "https://127.0.0.1:1", new AgreementSigner(self, CLOCK),
        AgreementVerifier.federation(() -> self.verifier(CLOCK)), Integer.MAX_VALUE);
  }

  private Negotiation negotiation(Role role, NegotiationState state, String counterParty) throws Exception {
    Instant now = CLOCK.instant();
    return await(store.create(new Negotiation(UUID.randomUUID().toString(), role, state, counterParty,
        "their-" + UUID.randomUUID(), "https://127.0.0.1:1", "offer-1", "eau-2026", offer(), null, null, now,
        now)));
  }

  /** The offer the consumer asked for, whose terms {@link #agreementBody()} grants. */
  private static JsonObject offer() {
    return new JsonObject().put("@id", "offer-1").put("@type", "Offer").put("assigner", id(PROVIDER))
        .put("target", "eau-2026").put("permission", new JsonArray().add(new JsonObject().put("action", "use")));
  }

  private static JsonObject agreementBody() {
    return new JsonObject().put("@id", "urn:uuid:" + UUID.randomUUID()).put("@type", "Agreement")
        .put("assigner", id(PROVIDER)).put("assignee", id(CONSUMER)).put("target", "eau-2026")
        .put("timestamp", "2026-11-26T02:00:00Z").put("permission", new JsonArray()
            .add(new JsonObject().put("action", "use")));
  }

  private static DspMessage agreementMessage(Negotiation n, JsonObject body) {
    return new DspMessage("ContractAgreementMessage", new JsonObject().put("providerPid", n.counterPartyPid())
        .put("consumerPid", n.id()).put("agreement", body).put("callbackAddress", "https://127.0.0.1:1")
        .put(AgreementSigner.MESSAGE_MEMBER, new AgreementSigner(PROVIDER, CLOCK).sign(body,
            AgreementSigner.Role.PROVIDER)));
  }

  @Test
  void anAgreementReSentAfterTheConsumerVerifiedIsAcknowledgedAndKeptOnce() throws Exception {
    NegotiationManager consumer = manager(CONSUMER);
    Negotiation n = negotiation(Role.CONSUMER, NegotiationState.REQUESTED, id(PROVIDER));
    JsonObject body = agreementBody();
    await(consumer.onAgreement(id(PROVIDER), n.id(), agreementMessage(n, body)));
    await(store.move(n.id(), Change.to(NegotiationState.AGREED, NegotiationState.VERIFYING)));
    await(store.move(n.id(), Change.to(NegotiationState.VERIFYING, NegotiationState.VERIFIED)));

    Negotiation again = await(consumer.onAgreement(id(PROVIDER), n.id(), agreementMessage(n, body)));

    assertThat(again.state()).isEqualTo(NegotiationState.VERIFIED);
    assertThat(await(store.find(n.id())).state()).isEqualTo(NegotiationState.VERIFIED);
    assertThat(await(store.listAgreements())).extracting(Agreement::id).containsExactly(body.getString("@id"));
  }

  @Test
  void aSecondAgreementForOneNegotiationIsAConflict() throws Exception {
    NegotiationManager consumer = manager(CONSUMER);
    Negotiation n = negotiation(Role.CONSUMER, NegotiationState.REQUESTED, id(PROVIDER));
    JsonObject first = agreementBody();
    await(consumer.onAgreement(id(PROVIDER), n.id(), agreementMessage(n, first)));

    JsonObject second = agreementBody();
    assertRefused(consumer.onAgreement(id(PROVIDER), n.id(), agreementMessage(n, second)), 409,
        "already holds agreement " + first.getString("@id"));
    assertThat(await(store.listAgreements())).extracting(Agreement::id).containsExactly(first.getString("@id"));
  }

  /**
   * DSP has no offer after an acceptance, and the TCK expects an error (CN_C:03-05): a provider that
   * re-sends one gets a 409 and catches up by reading the negotiation instead.
   */
  @Test
  void anOfferAfterTheConsumerAcceptedIsAConflict() throws Exception {
    NegotiationManager consumer = manager(CONSUMER);
    Negotiation n = negotiation(Role.CONSUMER, NegotiationState.OFFERED, id(PROVIDER));
    await(store.move(n.id(), Change.to(NegotiationState.OFFERED, NegotiationState.ACCEPTING)));
    DspMessage offer = new DspMessage("ContractOfferMessage", new JsonObject().put("providerPid", n.counterPartyPid())
        .put("consumerPid", n.id()).put("offer", new JsonObject().put("@id", "offer-1").put("target", "eau-2026")));

    assertThatThrownBy(() -> await(consumer.onOffer(id(PROVIDER), n.id(), offer))).cause()
        .isInstanceOfSatisfying(Refusal.class, e -> assertThat(Failures.status(e.kind())).isEqualTo(409));
    assertThat(await(store.find(n.id())).state()).isEqualTo(NegotiationState.ACCEPTING);
  }

  /** Nor a second counter-request while the provider decides the first (CN:03-04). */
  @Test
  void aCounterRequestWhileTheProviderDecidesIsAConflict() throws Exception {
    NegotiationManager provider = manager(PROVIDER);
    Negotiation n = negotiation(Role.PROVIDER, NegotiationState.OFFERED, id(CONSUMER));
    DspMessage request = new DspMessage("ContractRequestMessage", new JsonObject().put("providerPid", n.id())
        .put("consumerPid", n.counterPartyPid()).put("offer", new JsonObject().put("@id", "offer-1")));
    assertThat(await(provider.onCounterRequest(id(CONSUMER), n.id(), request)).state())
        .isEqualTo(NegotiationState.REQUESTED);

    assertThatThrownBy(() -> await(provider.onCounterRequest(id(CONSUMER), n.id(), request))).cause()
        .isInstanceOfSatisfying(Refusal.class, e -> assertThat(Failures.status(e.kind())).isEqualTo(409));
  }

  @Test
  void aContractRequestReSentUnderItsConsumerPidFindsItsNegotiation() throws Exception {
    NegotiationManager provider = manager(PROVIDER);
    JsonObject message = new JsonObject().put("consumerPid", "c-" + UUID.randomUUID())
        .put("callbackAddress", "https://127.0.0.1:1").put("offer", new JsonObject().put("@id", "offer-1"));
    Negotiation first = await(provider.onContractRequest(id(CONSUMER),
        new DspMessage("ContractRequestMessage", message)));
    Negotiation again = await(provider.onContractRequest(id(CONSUMER),
        new DspMessage("ContractRequestMessage", message.copy())));
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(await(store.list())).hasSize(1);

    // The same consumerPid from another participant is that participant's own negotiation.
    Negotiation other = await(provider.onContractRequest(id(PROVIDER),
        new DspMessage("ContractRequestMessage", message.copy())));
    assertThat(other.id()).isNotEqualTo(first.id());

    assertRefused(provider.onContractRequest(id(CONSUMER), new DspMessage("ContractRequestMessage", message.copy()
        .put("consumerPid", "c".repeat(201)))), 400, "at most 200 characters");
  }

  private static void assertRefused(Future<?> future, int status, String detail) {
    assertThatThrownBy(() -> await(future)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(Refusal.class, e -> {
          assertThat(Failures.status(e.kind())).isEqualTo(status);
          assertThat(e.getMessage()).contains(detail);
        });
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
