package fr.socle.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.catalog.CatalogStore;
import fr.socle.edge.Failures;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.ParticipantDirectory;
import fr.socle.process.Role;
import fr.socle.protocol.Dsp;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.DspMessage;
import fr.socle.protocol.Refusal;
import fr.socle.protocol.ServerIdentity;
import fr.socle.store.Database;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who may lift a suspension when both sides suspend a transfer at once. The provider's manager runs
 * against a stand-in consumer (an HTTP server that holds the provider's suspension message until told
 * to answer), so that the messages cross in the order a dishonest consumer would choose.
 */
@Timeout(30)
class TransferSuspensionTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final String PROVIDER = "NTRFR-239900038";
  private static final String CONSUMER = "NTRFR-219900016";

  private Vertx vertx;
  private Context context;
  private Database db;
  private TransferStore store;
  private HttpServer consumer;
  /** The provider's suspension message, held by the stand-in consumer until the test answers it. */
  private final CompletableFuture<HttpServerRequest> heldSuspension = new CompletableFuture<>();
  /** Each time the provider's transfer settles SUSPENDED, i.e. after its own suspension step ended. */
  private final LinkedBlockingQueue<Transfer> settled = new LinkedBlockingQueue<>();
  private TransferManager provider;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    db = Database.open(vertx, "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 2);
    store = new TransferStore(db, CLOCK);
    consumer = vertx.createHttpServer().requestHandler(r -> {
      if (r.path().endsWith("/suspension")) {
        heldSuspension.complete(r);
      } else {
        r.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").await();
    NegotiationStore negotiations = new NegotiationStore(db, CLOCK);
    DecisionInputs inputs = new DecisionInputs(CLOCK, ParticipantDirectory.empty(), PROVIDER);
    TransferDecisions decisions = new TransferDecisions(negotiations, new CatalogStore(db, CLOCK),
        (scope, input) -> Future.failedFuture("no decision in this test"), inputs);
    provider = new TransferManager(vertx, store, negotiations,
        new DspClient(vertx, new HttpClientOptions(), 5000, audience -> "unused", ServerIdentity.ANY), decisions,
        t -> {
          if (t.state() == TransferState.SUSPENDED) {
            settled.add(t);
          }
          return TransferHook.Move.WAIT;
        }, CLOCK, PROVIDER, "https://127.0.0.1:1", null, null, Integer.MAX_VALUE);
  }

  @AfterEach
  void close() throws Exception {
    db.close();
    vertx.close().await();
  }

  /** A provider transfer STARTED with {@link #CONSUMER}, whose callback is the stand-in consumer. */
  private Transfer started() throws Exception {
    Instant now = CLOCK.instant();
    return call(() -> store.create(new Transfer(UUID.randomUUID().toString(), Role.PROVIDER, TransferState.STARTED,
        CONSUMER, "c-" + UUID.randomUUID(), "http://127.0.0.1:" + consumer.actualPort(), "urn:uuid:a-1",
        Dsp.HTTP_DATA_PULL, null, null, null, now, now)));
  }

  private static DspMessage message(String type, Transfer t) {
    return new DspMessage(type, Dsp.message(type).put("providerPid", t.id()).put("consumerPid", t.counterPartyPid()));
  }

  private static DspMessage suspension(Transfer t, String reason) {
    DspMessage m = message("TransferSuspensionMessage", t);
    m.body().put("code", "suspended").put("reason", new JsonArray().add(reason));
    return m;
  }

  @Test
  void aConsumersSuspensionCrossingTheProvidersOwnCannotBeUsedToLiftIt() throws Exception {
    Transfer t = started();
    call(() -> provider.suspend(t.id(), "audit"));
    // The provider's suspension message is on its way; the consumer's own arrives first.
    HttpServerRequest inFlight = heldSuspension.get(10, TimeUnit.SECONDS);
    Transfer crossed = call(() -> provider.onSuspension(CONSUMER, t.id(), suspension(t, "night batch")));
    assertThat(crossed.state()).isEqualTo(TransferState.SUSPENDED);
    // Then the consumer acknowledges the provider's message, and the provider's own move finds it SUSPENDED.
    context.runOnContext(v -> inFlight.response().setStatusCode(200).end());
    assertThat(settled.poll(10, TimeUnit.SECONDS)).as("the provider's suspension step ended").isNotNull();

    Transfer suspended = call(() -> store.find(t.id()));
    assertThat(suspended.state()).isEqualTo(TransferState.SUSPENDED);
    assertThat(suspended.suspendedBy()).isEqualTo(PROVIDER);
    assertThat(suspended.detail()).isEqualTo("suspended by " + PROVIDER + ": audit");

    // The consumer asks to resume (its start message): refused, and the transfer stays suspended.
    assertRefused(() -> provider.onStart(CONSUMER, t.id(), message("TransferStartMessage", t)), 409,
        "was suspended by its provider " + PROVIDER + ", which alone can resume it");
    assertThat(call(() -> store.find(t.id())).state()).isEqualTo(TransferState.SUSPENDED);
  }

  @Test
  void aProviderSuspendingWhatItsConsumerSuspendedHoldsTheSuspension() throws Exception {
    Transfer t = started();
    call(() -> provider.onSuspension(CONSUMER, t.id(), suspension(t, "night batch")));
    assertThat(call(() -> store.find(t.id())).suspendedBy()).isEqualTo(CONSUMER);

    Transfer held = call(() -> provider.suspend(t.id(), "audit"));
    assertThat(held.state()).isEqualTo(TransferState.SUSPENDED);
    assertThat(held.suspendedBy()).isEqualTo(PROVIDER);
    assertRefused(() -> provider.onStart(CONSUMER, t.id(), message("TransferStartMessage", t)), 409,
        "which alone can resume it");
    // A second suspension by the provider is out of turn, as before.
    assertRefused(() -> provider.suspend(t.id(), "again"), -1, "cannot become SUSPENDING");
  }

  @Test
  void aConsumerLiftsASuspensionOfItsOwn() throws Exception {
    Transfer t = started();
    call(() -> provider.onSuspension(CONSUMER, t.id(), suspension(t, "night batch")));
    Transfer resuming = call(() -> provider.onStart(CONSUMER, t.id(), message("TransferStartMessage", t)));
    assertThat(resuming.state()).isEqualTo(TransferState.RESUMING);
  }

  /** Runs {@code call} on the test's one event-loop context, as the node runs its managers, and waits. */
  private <T> T call(Supplier<Future<T>> call) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        call.get().onComplete(done);
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** {@code status} -1: any failure that is not a partner's refusal (an operator's conflict). */
  private void assertRefused(Supplier<Future<Transfer>> future, int status, String detail) {
    assertThatThrownBy(() -> call(future)).isInstanceOf(ExecutionException.class).cause()
        .satisfies(e -> {
          assertThat(e.getMessage()).contains(detail);
          if (status > 0) {
            assertThat(e).isInstanceOfSatisfying(Refusal.class,
                r -> assertThat(Failures.status(r.kind())).isEqualTo(status));
          }
        });
  }
}
