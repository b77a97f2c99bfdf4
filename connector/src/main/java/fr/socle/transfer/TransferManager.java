package fr.socle.transfer;

import fr.socle.catalog.CatalogStore;
import fr.socle.dataplane.AccessTokens;
import fr.socle.negotiation.Agreement;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.negotiation.Role;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.Scope;
import fr.socle.protocol.Dsp;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.DspException;
import fr.socle.protocol.DspMessage;
import fr.socle.statemachine.StepRunner;
import fr.socle.store.Conflict;
import fr.socle.store.NotFound;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both sides of DSP transfer processes, in the same shape as negotiations: incoming messages
 * authenticate, load, check the owner, validate and transition; outgoing messages are sent only from
 * a persisted -ING state by {@link #step(String)}.
 */
public final class TransferManager {

  private static final Logger LOG = LoggerFactory.getLogger(TransferManager.class);

  private final TransferStore store;
  private final NegotiationStore agreements;
  private final CatalogStore catalog;
  private final DspClient client;
  private final DecisionPoint policy;
  private final DecisionInputs inputs;
  private final Clock clock;
  private final String selfId;
  private final String selfAddress;
  private final StepRunner runner;

  public TransferManager(Vertx vertx, TransferStore store, NegotiationStore agreements, CatalogStore catalog,
      DspClient client, DecisionPoint policy, DecisionInputs inputs, Clock clock, String selfId, String selfAddress) {
    this.store = store;
    this.agreements = agreements;
    this.catalog = catalog;
    this.client = client;
    this.policy = policy;
    this.inputs = inputs;
    this.clock = clock;
    this.selfId = selfId;
    this.selfAddress = selfAddress;
    this.runner = new StepRunner(vertx, "transfer", this::step, this::giveUp, 8, 500, 30_000, 10_000);
  }

  public Future<Integer> resume() {
    return store.listUnfinished().map(list -> {
      list.forEach(t -> runner.kick(t.id()));
      return list.size();
    });
  }

  public TransferStore store() {
    return store;
  }

  // ---- consumer side, from the management API ----

  /** Asks the provider of {@code agreementId} to start a transfer. */
  public Future<Transfer> request(String agreementId, String format) {
    return agreements.findAgreement(agreementId)
        .compose(a -> agreements.find(a.negotiationId()))
        .compose(n -> {
          if (n.role() != Role.CONSUMER) {
            return Future.failedFuture(new IllegalArgumentException(
                "agreement " + agreementId + " was granted by this node; only its consumer can request a transfer"));
          }
          Instant now = clock.instant();
          Transfer t = new Transfer(UUID.randomUUID().toString(), Role.CONSUMER, TransferState.REQUESTING,
              n.counterPartyId(), null, n.counterPartyAddress(), agreementId, format, null, null, null, now, now);
          return store.create(t);
        })
        .onSuccess(t -> runner.kick(t.id()));
  }

  /** Tells the provider the consumer has what it needed. */
  public Future<Transfer> complete(String id) {
    return store.find(id).compose(t -> {
      if (t.role() != Role.CONSUMER) {
        return Future.failedFuture(new IllegalArgumentException("transfer " + id + " is not a consumer transfer"));
      }
      return local(t, TransferStore.Change.to(t.state(), TransferState.COMPLETING));
    });
  }

  // ---- provider side, DSP endpoints ----

  /** {@code POST /transfers/request}. */
  public Future<Transfer> onTransferRequest(String caller, DspMessage message) {
    String consumerPid = message.requireString("consumerPid");
    String agreementId = message.requireString("agreementId");
    String format = message.requireString("format");
    String callback = message.requireString("callbackAddress");
    if (!Dsp.HTTP_DATA_PULL.equals(format)) {
      return Future.failedFuture(DspException.badRequest("unsupported format '" + format + "', expected "
          + Dsp.HTTP_DATA_PULL));
    }
    return agreements.findAgreement(agreementId)
        .recover(e -> Future.failedFuture(e instanceof NotFound
            ? DspException.badRequest("unknown agreement '" + agreementId + "'") : e))
        .compose(a -> {
          if (!a.providerId().equals(selfId) || !a.consumerId().equals(caller)) {
            // Same answer as an unknown id: no one learns of others' agreements.
            return Future.failedFuture(DspException.badRequest("unknown agreement '" + agreementId + "'"));
          }
          Instant now = clock.instant();
          return store.create(new Transfer(UUID.randomUUID().toString(), Role.PROVIDER, TransferState.REQUESTED,
              caller, consumerPid, callback, agreementId, format, null, null, null, now, now));
        })
        .onSuccess(t -> runner.kick(t.id()));
  }

  /** {@code POST /transfers/:providerPid/completion}, or the consumer callback of the same name. */
  public Future<Transfer> onCompletion(String caller, String pid, DspMessage message) {
    return owned(caller, pid, message).compose(t -> transition(t, TransferState.COMPLETED, null));
  }

  /** {@code POST /transfers/:pid/termination}, from either side. */
  public Future<Transfer> onTermination(String caller, String pid, DspMessage message) {
    return owned(caller, pid, message).compose(t -> transition(t, TransferState.TERMINATED,
        "terminated by " + caller + ": " + message.body().getValue("reason", "no reason given")));
  }

  /** Consumer callback {@code POST /transfers/:consumerPid/start}: keeps the data address. */
  public Future<Transfer> onStart(String caller, String consumerPid, DspMessage message) {
    JsonObject address = message.requireObject("dataAddress");
    if (!(address.getValue("endpoint") instanceof String)) {
      return Future.failedFuture(DspException.badRequest("TransferStartMessage.dataAddress requires an 'endpoint'"));
    }
    return owned(caller, consumerPid, message).compose(t -> {
      if (t.role() != Role.CONSUMER) {
        throw DspException.notFound("no consumer transfer '" + consumerPid + "'");
      }
      TransferStore.Change change = TransferStore.Change.to(t.state(), TransferState.STARTED)
          .withDataAddress(address).withCounterPartyPid(message.requireString("providerPid"));
      return transition(t, change);
    });
  }

  public Future<Transfer> get(String caller, String pid) {
    return store.find(pid).recover(TransferManager::notFound).map(t -> {
      if (!caller.equals(t.counterPartyId())) {
        throw DspException.notFound("no transfer '" + pid + "'");
      }
      return t;
    });
  }

  // ---- steps ----

  Future<Boolean> step(String id) {
    return store.find(id).compose(t -> t.role() == Role.CONSUMER ? consumerStep(t) : providerStep(t));
  }

  private Future<Boolean> consumerStep(Transfer t) {
    return switch (t.state()) {
      case REQUESTING -> client.post(t.counterPartyAddress(), "/transfers/request", t.counterPartyId(),
              Dsp.message("TransferRequestMessage").put("consumerPid", t.id()).put("agreementId", t.agreementId())
                  .put("format", t.format()).put("callbackAddress", selfAddress))
          .compose(answer -> {
            String providerPid = answer.getString("providerPid");
            if (providerPid == null) {
              return Future.failedFuture("the provider's answer has no providerPid: " + answer.encode());
            }
            return advance(t, TransferStore.Change.to(t.state(), TransferState.REQUESTED)
                .withCounterPartyPid(providerPid));
          });
      case COMPLETING -> client.post(t.counterPartyAddress(), "/transfers/" + t.providerPid() + "/completion",
              t.counterPartyId(), pids(Dsp.message("TransferCompletionMessage"), t))
          .compose(ok -> advance(t, TransferStore.Change.to(t.state(), TransferState.COMPLETED)));
      case TERMINATING -> sendTermination(t, "/transfers/" + t.providerPid() + "/termination");
      default -> Future.succeededFuture(false);
    };
  }

  private Future<Boolean> providerStep(Transfer t) {
    return switch (t.state()) {
      case REQUESTED -> decide(t);
      case STARTING -> {
        // A fresh token per attempt: only its hash is stored, and only once the consumer has it.
        String token = AccessTokens.generate();
        JsonObject address = new JsonObject().put("@type", "DataAddress")
            .put("endpointType", Dsp.HTTP_ENDPOINT_TYPE)
            .put("endpoint", selfAddress + "/public/transfers/" + t.id())
            .put("endpointProperties", new JsonArray()
                .add(new JsonObject().put("@type", "EndpointProperty").put("name", "authorization").put("value", token))
                .add(new JsonObject().put("@type", "EndpointProperty").put("name", "authType").put("value", "bearer")));
        yield client.post(t.counterPartyAddress(), "/transfers/" + t.consumerPid() + "/start", t.counterPartyId(),
                pids(Dsp.message("TransferStartMessage"), t).put("dataAddress", address))
            .compose(ok -> advance(t, TransferStore.Change.to(t.state(), TransferState.STARTED)
                .withTokenHash(AccessTokens.hash(token))));
      }
      case TERMINATING -> sendTermination(t, "/transfers/" + t.consumerPid() + "/termination");
      default -> Future.succeededFuture(false);
    };
  }

  private Future<Boolean> decide(Transfer t) {
    return agreements.findAgreement(t.agreementId())
        .compose(a -> catalog.findAsset(a.assetId()).compose(asset -> policy.decide(Scope.TRANSFER,
            inputs.build(Scope.TRANSFER, t.counterPartyId(), asset.id(), asset.classification(), a.body(),
                a.signedAt(), a.accessCount()))))
        .compose(decision -> {
          if (!decision.allow()) {
            LOG.info("transfer {} refused for {}: {}", t.id(), t.counterPartyId(), decision.summary());
            return advance(t, TransferStore.Change.to(t.state(), TransferState.TERMINATING)
                .withDetail(decision.summary()));
          }
          return advance(t, TransferStore.Change.to(t.state(), TransferState.STARTING));
        });
  }

  private Future<Boolean> sendTermination(Transfer t, String path) {
    Future<JsonObject> sent = t.counterPartyPid() == null ? Future.succeededFuture(new JsonObject())
        : client.post(t.counterPartyAddress(), path, t.counterPartyId(),
            pids(Dsp.message("TransferTerminationMessage"), t)
            .put("code", "refused").put("reason", new JsonArray().add(t.detail() == null ? "terminated" : t.detail())));
    return sent.compose(ok -> advance(t, TransferStore.Change.to(t.state(), TransferState.TERMINATED)));
  }

  private Future<Void> giveUp(String id, Throwable cause) {
    return store.find(id).compose(t -> t.state().isFinal() ? Future.succeededFuture()
        : store.move(id, TransferStore.Change.to(t.state(), TransferState.TERMINATED)
            .withDetail("gave up: " + cause.getMessage())).mapEmpty());
  }

  private Future<Boolean> advance(Transfer t, TransferStore.Change change) {
    return store.move(t.id(), change).map(true)
        .recover(e -> e instanceof Conflict ? Future.succeededFuture(true) : Future.failedFuture(e));
  }

  private Future<Transfer> owned(String caller, String pid, DspMessage message) {
    return store.find(pid).recover(TransferManager::notFound).map(t -> {
      if (!caller.equals(t.counterPartyId())) {
        throw DspException.notFound("no transfer '" + pid + "'");
      }
      String ours = t.role() == Role.PROVIDER ? "providerPid" : "consumerPid";
      if (!t.id().equals(message.requireString(ours))) {
        throw DspException.badRequest(ours + " " + message.body().getString(ours) + " does not match the path " + pid);
      }
      return t;
    });
  }

  private Future<Transfer> transition(Transfer t, TransferState to, String detail) {
    return transition(t, TransferStore.Change.to(t.state(), to).withDetail(detail));
  }

  private Future<Transfer> transition(Transfer t, TransferStore.Change change) {
    if (t.state().hasReached(change.to())) {
      return Future.succeededFuture(t);
    }
    if (!t.state().canMoveTo(change.to())) {
      return Future.failedFuture(DspException.conflict("transfer " + t.id() + " is " + t.state().dspState()
          + " and cannot become " + change.to().dspState()));
    }
    return store.move(t.id(), change)
        .recover(e -> Future.failedFuture(e instanceof Conflict ? DspException.conflict(e.getMessage()) : e))
        .onSuccess(moved -> runner.kick(moved.id()));
  }

  /** A transition asked for by the local operator rather than a partner. */
  private Future<Transfer> local(Transfer t, TransferStore.Change change) {
    if (!t.state().canMoveTo(change.to())) {
      return Future.failedFuture(new Conflict("transfer " + t.id() + " is " + t.state()
          + " and cannot become " + change.to()));
    }
    return store.move(t.id(), change).onSuccess(moved -> runner.kick(moved.id()));
  }

  private static JsonObject pids(JsonObject message, Transfer t) {
    return message.put("providerPid", t.providerPid()).put("consumerPid", t.consumerPid());
  }

  private static <T> Future<T> notFound(Throwable e) {
    return Future.failedFuture(e instanceof NotFound ? DspException.notFound(e.getMessage()) : e);
  }

  public static JsonObject dspBody(Transfer t) {
    return pids(Dsp.message("TransferProcess"), t).put("state", t.state().dspState());
  }
}
