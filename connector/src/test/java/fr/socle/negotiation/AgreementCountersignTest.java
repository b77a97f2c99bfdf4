package fr.socle.negotiation;

import fr.socle.edge.Failures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.agreement.AgreementSigner;
import fr.socle.agreement.AgreementSigner.Role;
import fr.socle.agreement.AgreementVerifier;
import fr.socle.agreement.SignatureCheck;
import fr.socle.catalog.CatalogStore;
import fr.socle.negotiation.Agreement.SignatureState;
import fr.socle.negotiation.NegotiationStore.Change;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.ParticipantDirectory;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.ServerIdentity;
import fr.socle.protocol.Refusal;
import fr.socle.protocol.DspMessage;
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
 * The negotiation manager receiving the counter-party's signature, on both sides, with the
 * federation's real node keys and an in-memory database: a signature that does not hold is a 400 and
 * leaves the negotiation where it was; a counter-party that does not sign is recorded as NOT_SIGNED.
 * The hook keeps the node from sending anything, so no network is involved.
 */
@Timeout(30)
class AgreementCountersignTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final TrustMaterial PROVIDER = material(Federation.PROVIDER);
  private static final TrustMaterial CONSUMER = material(Federation.CONSUMER);
  private static final TrustMaterial OUTSIDER = material(Federation.OUTSIDER);

  private Vertx vertx;
  private Database db;
  private NegotiationStore store;

  private static TrustMaterial material(String slug) {
    return TrustMaterial.load(Paths.certs().resolve("nodes").resolve(slug), Paths.certs());
  }

  private static String id(TrustMaterial m) {
    return m.participant().id().value();
  }

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    db = Database.open(vertx, "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 2);
    store = new NegotiationStore(db, CLOCK);
  }

  @AfterEach
  void close() throws Exception {
    db.close();
    await(vertx.close());
  }

  /** The manager of {@code self}'s node, which never moves by itself. */
  private NegotiationManager manager(TrustMaterial self) {
    return new NegotiationManager(vertx, store, new CatalogStore(db, CLOCK),
        new DspClient(vertx, new HttpClientOptions(), 1000, audience -> "unused", ServerIdentity.ANY),
        (scope, input) -> Future.failedFuture("no decision in this test"),
        new DecisionInputs(CLOCK, ParticipantDirectory.empty(), id(self)), n -> NegotiationHook.Move.WAIT, CLOCK,
        id(self), "https://127.0.0.1:1", new AgreementSigner(self, CLOCK),
        AgreementVerifier.federation(() -> self.verifier(CLOCK)), Integer.MAX_VALUE);
  }

  /** The offer the consumer asked for, whose terms {@link #agreementBody()} grants. */
  private static JsonObject offer() {
    return new JsonObject().put("@id", "offer-1").put("@type", "Offer").put("assigner", id(PROVIDER))
        .put("target", "eau-2026").put("permission", new JsonArray().add(new JsonObject().put("action", "use")));
  }

  private static JsonObject agreementBody() {
    return new JsonObject().put("@id", "urn:uuid:" + UUID.randomUUID()).put("@type", "Agreement")
        .put("assigner", id(PROVIDER)).put("assignee", id(CONSUMER)).put("target", "eau-2026")
        .put("timestamp", "2026-11-26T02:00:00Z").put("permission", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("action", "use")));
  }

  private Negotiation negotiation(Role side, NegotiationState state, String counterParty) throws Exception {
    Instant now = CLOCK.instant();
    return await(store.create(new Negotiation(UUID.randomUUID().toString(), side == Role.PROVIDER
        ? fr.socle.process.Role.PROVIDER : fr.socle.process.Role.CONSUMER, state, counterParty,
        "their-" + UUID.randomUUID(), "https://127.0.0.1:1", "offer-1", "eau-2026", offer(), null, null, now,
        now)));
  }

  // ---- consumer receiving the provider's agreement ----

  private DspMessage agreementMessage(Negotiation n, JsonObject body, String jws) {
    JsonObject m = new JsonObject().put("providerPid", n.counterPartyPid()).put("consumerPid", n.id())
        .put("agreement", body).put("callbackAddress", "https://127.0.0.1:1");
    return new DspMessage("ContractAgreementMessage", jws == null ? m : m.put(AgreementSigner.MESSAGE_MEMBER, jws));
  }

  @Test
  void aConsumerKeepsTheProvidersSignatureAndCountersigns() throws Exception {
    Negotiation n = negotiation(Role.CONSUMER, NegotiationState.REQUESTED, id(PROVIDER));
    JsonObject body = agreementBody();
    String providerJws = new AgreementSigner(PROVIDER, CLOCK).sign(body, Role.PROVIDER);

    Negotiation agreed = await(manager(CONSUMER).onAgreement(id(PROVIDER), n.id(), agreementMessage(n, body,
        providerJws)));

    assertThat(agreed.state()).isEqualTo(NegotiationState.AGREED);
    Agreement a = await(store.findAgreement(body.getString("@id")));
    assertThat(a.signatures().providerState()).isEqualTo(SignatureState.SIGNED);
    assertThat(a.signatures().provider()).isEqualTo(providerJws);
    assertThat(a.signatures().consumerState()).isEqualTo(SignatureState.SIGNED);
    AgreementVerifier auditor = AgreementVerifier.offline(PROVIDER.rootCa(), CLOCK);
    assertThat(auditor.verify(a.signatures().consumer(), a.body(), Role.CONSUMER))
        .isInstanceOfSatisfying(SignatureCheck.Valid.class, v -> assertThat(v.participant()).isEqualTo(id(CONSUMER)));
    assertThat(NegotiationMessages.verification(agreed, a).getString(AgreementSigner.MESSAGE_MEMBER))
        .isEqualTo(a.signatures().consumer());
  }

  @Test
  void anAgreementAlteredAfterTheProviderSignedIsRefusedAndNothingMoves() throws Exception {
    Negotiation n = negotiation(Role.CONSUMER, NegotiationState.REQUESTED, id(PROVIDER));
    JsonObject body = agreementBody();
    String providerJws = new AgreementSigner(PROVIDER, CLOCK).sign(body, Role.PROVIDER);
    JsonObject altered = body.copy().put("timestamp", "2027-01-01T00:00:00Z");

    assertRefused(manager(CONSUMER).onAgreement(id(PROVIDER), n.id(), agreementMessage(n, altered, providerJws)),
        "the provider's signature of agreement " + body.getString("@id") + " is refused: digest_mismatch");
    assertThat(await(store.find(n.id())).state()).isEqualTo(NegotiationState.REQUESTED);
    assertThat(await(store.listAgreements())).isEmpty();
  }

  @Test
  void anAgreementOnTermsNotAskedForIsRefusedAndEndsTheNegotiation() throws Exception {
    Negotiation n = negotiation(Role.CONSUMER, NegotiationState.REQUESTED, id(PROVIDER));
    JsonObject body = agreementBody().put("prohibition", new JsonArray().add(new JsonObject()
        .put("action", "distribute")));
    String providerJws = new AgreementSigner(PROVIDER, CLOCK).sign(body, Role.PROVIDER);

    assertRefused(manager(CONSUMER).onAgreement(id(PROVIDER), n.id(), agreementMessage(n, body, providerJws)),
        "the agreement differs from the terms this consumer asked for: prohibition: the agreement adds "
        + "{action: distribute}, not asked for");
    Negotiation ended = await(store.find(n.id()));
    // Ending: the step runner tells the provider, which this test does not play.
    assertThat(ended.state()).isEqualTo(NegotiationState.TERMINATING);
    assertThat(ended.detail()).isEqualTo("agreement " + body.getString("@id") + " refused: the agreement "
        + "differs from the terms this consumer asked for: prohibition: the agreement adds {action: distribute}, "
        + "not asked for");
    assertThat(ended.detailFr()).contains("prohibition : l'accord ajoute {action: distribute}");
    assertThat(ended.agreementId()).isNull();
    assertThat(await(store.listAgreements())).isEmpty();
  }

  @Test
  void anAgreementOutOfTurnIsAConflictWhateverItSays() throws Exception {
    Negotiation n = negotiation(Role.CONSUMER, NegotiationState.OFFERED, id(PROVIDER));
    JsonObject body = agreementBody().put("target", "another-dataset");

    assertThatThrownBy(() -> await(manager(CONSUMER).onAgreement(id(PROVIDER), n.id(), agreementMessage(n, body,
        null)))).cause().isInstanceOfSatisfying(Refusal.class,
            e -> assertThat(Failures.status(e.kind())).isEqualTo(409));
    assertThat(await(store.find(n.id())).state()).isEqualTo(NegotiationState.OFFERED);
  }

  @Test
  void anAgreementSignedByAnotherMemberIsRefused() throws Exception {
    Negotiation n = negotiation(Role.CONSUMER, NegotiationState.REQUESTED, id(PROVIDER));
    JsonObject body = agreementBody();
    String outsiderJws = new AgreementSigner(OUTSIDER, CLOCK).sign(body, Role.PROVIDER);

    assertRefused(manager(CONSUMER).onAgreement(id(PROVIDER), n.id(), agreementMessage(n, body, outsiderJws)),
        "signer_mismatch: signed by " + id(OUTSIDER));
    assertThat(await(store.find(n.id())).state()).isEqualTo(NegotiationState.REQUESTED);
  }

  @Test
  void anUnsignedAgreementIsRecordedAsNotSignedByTheProvider() throws Exception {
    Negotiation n = negotiation(Role.CONSUMER, NegotiationState.REQUESTED, id(PROVIDER));
    JsonObject body = agreementBody();

    await(manager(CONSUMER).onAgreement(id(PROVIDER), n.id(), agreementMessage(n, body, null)));

    Agreement a = await(store.findAgreement(body.getString("@id")));
    assertThat(a.signatures().providerState()).isEqualTo(SignatureState.NOT_SIGNED);
    assertThat(a.signatures().provider()).isNull();
    assertThat(a.toJson().getJsonObject("signatures").getJsonObject("provider").getString("state"))
        .isEqualTo("NOT_SIGNED");
  }

  // ---- provider receiving the consumer's verification ----

  /** A provider negotiation in AGREED whose agreement carries the provider's signature. */
  private Negotiation agreedByProvider(JsonObject body) throws Exception {
    Negotiation n = negotiation(Role.PROVIDER, NegotiationState.REQUESTED, id(CONSUMER));
    Agreement a = new Agreement(body.getString("@id"), n.id(), "eau-2026", id(PROVIDER), id(CONSUMER), body,
        CLOCK.instant(), 0, Agreement.Signatures.byProvider(new AgreementSigner(PROVIDER, CLOCK).sign(body,
        Role.PROVIDER)));
    await(store.move(n.id(), Change.to(NegotiationState.REQUESTED, NegotiationState.AGREEING).withAgreement(a)));
    return await(store.move(n.id(), Change.to(NegotiationState.AGREEING, NegotiationState.AGREED)));
  }

  private DspMessage verification(Negotiation n, String jws) {
    JsonObject m = new JsonObject().put("providerPid", n.id()).put("consumerPid", n.counterPartyPid());
    return new DspMessage("ContractAgreementVerificationMessage",
        jws == null ? m : m.put(AgreementSigner.MESSAGE_MEMBER, jws));
  }

  @Test
  void aProviderStoresAVerifiedCountersignature() throws Exception {
    JsonObject body = agreementBody();
    Negotiation n = agreedByProvider(body);
    String consumerJws = new AgreementSigner(CONSUMER, CLOCK).sign(body, Role.CONSUMER);

    assertThat(await(manager(PROVIDER).onVerification(id(CONSUMER), n.id(), verification(n, consumerJws))).state())
        .isEqualTo(NegotiationState.VERIFIED);

    Agreement a = await(store.findAgreement(body.getString("@id")));
    assertThat(a.signatures().providerState()).isEqualTo(SignatureState.SIGNED);
    assertThat(a.signatures().consumerState()).isEqualTo(SignatureState.SIGNED);
    assertThat(a.signatures().consumer()).isEqualTo(consumerJws);
  }

  @Test
  void aBadCountersignatureIsRefusedAndTheNegotiationStaysAgreed() throws Exception {
    JsonObject body = agreementBody();
    Negotiation n = agreedByProvider(body);
    String[] parts = new AgreementSigner(CONSUMER, CLOCK).sign(body, Role.CONSUMER).split("\\.");
    String flipped = parts[0] + "." + parts[1] + "." + (parts[2].charAt(0) == 'A' ? 'B' : 'A') + parts[2].substring(1);

    assertRefused(manager(PROVIDER).onVerification(id(CONSUMER), n.id(), verification(n, flipped)),
        "the consumer's signature of agreement " + body.getString("@id") + " is refused: bad_signature");
    assertRefused(manager(PROVIDER).onVerification(id(CONSUMER), n.id(), verification(n,
        new AgreementSigner(PROVIDER, CLOCK).sign(body, Role.PROVIDER))), "role_mismatch");
    assertThat(await(store.find(n.id())).state()).isEqualTo(NegotiationState.AGREED);
    Agreement a = await(store.findAgreement(body.getString("@id")));
    assertThat(a.signatures().consumerState()).isEqualTo(SignatureState.PENDING);
  }

  @Test
  void aVerificationWithoutCountersignatureIsRecordedAsNotSigned() throws Exception {
    JsonObject body = agreementBody();
    Negotiation n = agreedByProvider(body);
    assertThat(await(store.findAgreement(body.getString("@id"))).signatures().consumerState())
        .isEqualTo(SignatureState.PENDING);

    await(manager(PROVIDER).onVerification(id(CONSUMER), n.id(), verification(n, null)));

    Agreement a = await(store.findAgreement(body.getString("@id")));
    assertThat(a.signatures().consumerState()).isEqualTo(SignatureState.NOT_SIGNED);
    assertThat(a.signatures().consumer()).isNull();
  }

  private static void assertRefused(Future<?> future, String detail) {
    assertThatThrownBy(() -> await(future)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(Refusal.class, e -> {
          assertThat(Failures.status(e.kind())).isEqualTo(400);
          assertThat(e.getMessage()).contains(detail);
        });
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
