package fr.socle.negotiation;

import fr.socle.catalog.CatalogStore;
import fr.socle.catalog.Offer;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.Scope;
import fr.socle.policy.UsageDeclaration;
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
 * Both sides of DSP contract negotiation.
 *
 * <p>Incoming messages are handled in a fixed order: the caller is already authenticated (mTLS);
 * load the negotiation, check the caller owns it, validate the message, transition, then kick the
 * step runner. Outgoing messages are sent only by {@link #step(String)}, from a persisted -ING state,
 * so a node killed at any moment resends what it had not delivered when it starts again.
 */
public final class NegotiationManager {

  private static final Logger LOG = LoggerFactory.getLogger(NegotiationManager.class);

  private final NegotiationStore store;
  private final CatalogStore catalog;
  private final DspClient client;
  private final DecisionPoint policy;
  private final DecisionInputs inputs;
  private final Clock clock;
  private final String selfId;
  private final String selfAddress;
  private final StepRunner runner;

  public NegotiationManager(Vertx vertx, NegotiationStore store, CatalogStore catalog, DspClient client,
      DecisionPoint policy, DecisionInputs inputs, Clock clock, String selfId, String selfAddress) {
    this.store = store;
    this.catalog = catalog;
    this.client = client;
    this.policy = policy;
    this.inputs = inputs;
    this.clock = clock;
    this.selfId = selfId;
    this.selfAddress = selfAddress;
    this.runner = new StepRunner(vertx, "negotiation", this::step, this::giveUp, 8, 500, 30_000, 10_000);
  }

  /** Re-runs the pending step of every unfinished negotiation; called once at start-up. */
  public Future<Integer> resume() {
    return store.listUnfinished().map(list -> {
      list.forEach(n -> runner.kick(n.id()));
      return list.size();
    });
  }

  // ---- consumer side, from the management API ----

  /** Starts negotiating {@code offer} (as found in the provider's catalog) with a provider. */
  public Future<Negotiation> request(String counterPartyId, String counterPartyAddress, JsonObject offer) {
    return request(counterPartyId, counterPartyAddress, offer, UsageDeclaration.NONE);
  }

  /**
   * Starts negotiating {@code offer} with what this consumer declares about its use; the declaration
   * is kept in the stored offer document (under its own IRIs) until the request is sent.
   */
  public Future<Negotiation> request(String counterPartyId, String counterPartyAddress, JsonObject offer,
      UsageDeclaration declared) {
    String offerId = offer.getString("@id");
    String target = offer.getValue("target") instanceof String t ? t : null;
    if (offerId == null || target == null) {
      return Future.failedFuture(new IllegalArgumentException(
          "the offer must carry '@id' and 'target' as in the provider's catalog, got " + offer.encode()));
    }
    Instant now = clock.instant();
    Negotiation n = new Negotiation(UUID.randomUUID().toString(), Role.CONSUMER, NegotiationState.REQUESTING,
        counterPartyId, null, counterPartyAddress, offerId, target, declared.writeTo(offer.copy()), null, null, now,
        now);
    return store.create(n).onSuccess(created -> runner.kick(created.id()));
  }

  // ---- provider side, DSP endpoints ----

  /** {@code POST /negotiations/request}: a consumer asks for an offer. */
  public Future<Negotiation> onContractRequest(String caller, DspMessage message) {
    String consumerPid = message.requireString("consumerPid");
    String callback = message.requireString("callbackAddress");
    JsonObject offer = message.requireObject("offer");
    String offerId = offer.getString("@id");
    if (offerId == null) {
      return Future.failedFuture(DspException.badRequest("ContractRequestMessage.offer requires an '@id'"));
    }
    if (message.optionalString("providerPid") != null) {
      return Future.failedFuture(DspException.badRequest(
          "an initial ContractRequestMessage must not carry a providerPid (counter-offers are not supported yet)"));
    }
    UsageDeclaration declared;
    try {
      declared = UsageDeclaration.readFrom(message.body());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(DspException.badRequest("ContractRequestMessage: " + e.getMessage()));
    }
    return catalog.findOffer(offerId)
        .recover(e -> Future.failedFuture(e instanceof NotFound
            ? DspException.badRequest("unknown offer '" + offerId + "'") : e))
        .compose(found -> {
          Instant now = clock.instant();
          Negotiation n = new Negotiation(UUID.randomUUID().toString(), Role.PROVIDER, NegotiationState.REQUESTED,
              caller, consumerPid, callback, offerId, found.asset().id(), declared.writeTo(found.odrlOffer(selfId)),
              null, null, now, now);
          return store.create(n);
        })
        .onSuccess(n -> runner.kick(n.id()));
  }

  /** {@code POST /negotiations/:providerPid/agreement/verification}. */
  public Future<Negotiation> onVerification(String caller, String providerPid, DspMessage message) {
    return owned(caller, providerPid, Role.PROVIDER, message)
        .compose(n -> move(n, NegotiationState.VERIFIED, null));
  }

  // ---- consumer side, DSP callbacks ----

  /** {@code POST /negotiations/:consumerPid/agreement}: the provider agreed. */
  public Future<Negotiation> onAgreement(String caller, String consumerPid, DspMessage message) {
    JsonObject body = message.requireObject("agreement");
    return owned(caller, consumerPid, Role.CONSUMER, message).compose(n -> {
      String agreementId = body.getString("@id");
      if (agreementId == null) {
        throw DspException.badRequest("ContractAgreementMessage.agreement requires an '@id'");
      }
      if (!n.assetId().equals(body.getString("target"))) {
        throw DspException.badRequest("the agreement's target " + body.getString("target")
            + " is not the negotiated asset " + n.assetId());
      }
      if (!selfId.equals(body.getString("assignee"))) {
        throw DspException.badRequest("the agreement's assignee " + body.getString("assignee")
            + " is not this participant " + selfId);
      }
      Agreement agreement = new Agreement(agreementId, n.id(), n.assetId(), caller, selfId, body, clock.instant(), 0);
      NegotiationStore.Change change = NegotiationStore.Change.to(n.state(), NegotiationState.AGREED)
          .withAgreement(agreement).withCounterPartyPid(message.requireString("providerPid"));
      return transition(n, change);
    });
  }

  /** {@code POST /negotiations/:pid/events}: FINALIZED for a consumer; ACCEPTED is not expected yet. */
  public Future<Negotiation> onEvent(String caller, String pid, DspMessage message) {
    String eventType = message.requireString("eventType");
    return store.find(pid).recover(NegotiationManager::notFound).compose(n -> {
      checkOwner(n, caller, message);
      if (n.role() == Role.CONSUMER && eventType.endsWith("FINALIZED")) {
        return move(n, NegotiationState.FINALIZED, null);
      }
      throw DspException.conflict("event " + eventType + " is not expected by the " + n.role().name().toLowerCase()
          + " in state " + n.state().dspState());
    });
  }

  /** {@code POST /negotiations/:pid/termination}, from either side. */
  public Future<Negotiation> onTermination(String caller, String pid, DspMessage message) {
    return store.find(pid).recover(NegotiationManager::notFound).compose(n -> {
      checkOwner(n, caller, message);
      String reason = message.body().getValue("reason") == null ? "no reason given"
          : message.body().getValue("reason").toString();
      return move(n, NegotiationState.TERMINATED, "terminated by " + caller + ": " + reason);
    });
  }

  /** {@code GET /negotiations/:pid}: only the counter-party may read it. */
  public Future<Negotiation> get(String caller, String pid) {
    return store.find(pid).recover(NegotiationManager::notFound).map(n -> {
      if (!caller.equals(n.counterPartyId())) {
        throw DspException.notFound("no negotiation '" + pid + "'");
      }
      return n;
    });
  }

  public NegotiationStore store() {
    return store;
  }

  // ---- steps ----

  Future<Boolean> step(String id) {
    return store.find(id).compose(n -> switch (n.role()) {
      case CONSUMER -> consumerStep(n);
      case PROVIDER -> providerStep(n);
    });
  }

  private Future<Boolean> consumerStep(Negotiation n) {
    return switch (n.state()) {
      case REQUESTING -> client.post(n.counterPartyAddress(), "/negotiations/request", n.counterPartyId(),
              contractRequest(n))
          .compose(answer -> {
            String providerPid = answer.getString("providerPid");
            if (providerPid == null) {
              return Future.failedFuture("the provider's answer has no providerPid: " + answer.encode());
            }
            return advance(n, NegotiationStore.Change.to(n.state(), NegotiationState.REQUESTED)
                .withCounterPartyPid(providerPid));
          });
      case AGREED -> advance(n, NegotiationStore.Change.to(n.state(), NegotiationState.VERIFYING));
      case VERIFYING -> client.post(n.counterPartyAddress(),
              "/negotiations/" + n.providerPid() + "/agreement/verification", n.counterPartyId(),
              pids(Dsp.message("ContractAgreementVerificationMessage"), n))
          .compose(ok -> advance(n, NegotiationStore.Change.to(n.state(), NegotiationState.VERIFIED)));
      case TERMINATING -> sendTermination(n, "/negotiations/" + n.providerPid() + "/termination");
      default -> Future.succeededFuture(false);
    };
  }

  private Future<Boolean> providerStep(Negotiation n) {
    return switch (n.state()) {
      case REQUESTED -> decide(n);
      case AGREEING -> store.findAgreement(n.agreementId())
          .compose(a -> client.post(n.counterPartyAddress(), "/negotiations/" + n.consumerPid() + "/agreement",
              n.counterPartyId(), pids(Dsp.message("ContractAgreementMessage"), n).put("agreement", a.body())
                  .put("callbackAddress", selfAddress)))
          .compose(ok -> advance(n, NegotiationStore.Change.to(n.state(), NegotiationState.AGREED)));
      case VERIFIED -> advance(n, NegotiationStore.Change.to(n.state(), NegotiationState.FINALIZING));
      case FINALIZING -> client.post(n.counterPartyAddress(), "/negotiations/" + n.consumerPid() + "/events",
              n.counterPartyId(), pids(Dsp.message("ContractNegotiationEventMessage"), n).put("eventType", "FINALIZED"))
          .compose(ok -> advance(n, NegotiationStore.Change.to(n.state(), NegotiationState.FINALIZED)));
      case TERMINATING -> sendTermination(n, "/negotiations/" + n.consumerPid() + "/termination");
      default -> Future.succeededFuture(false);
    };
  }

  /** The provider's decision: its own stored offer policy, evaluated by OPA for the authenticated consumer. */
  private Future<Boolean> decide(Negotiation n) {
    return catalog.findOffer(n.offerId()).compose(offer -> policy.decide(Scope.NEGOTIATION,
        inputs.build(Scope.NEGOTIATION, n.counterPartyId(), offer.asset().id(), offer.asset().classification(),
            UsageDeclaration.readFrom(n.offer()).writeTo(offer.odrlOffer(selfId)), null, 0))
        .compose(decision -> {
          if (!decision.allow()) {
            LOG.info("negotiation {} refused for {}: {}", n.id(), n.counterPartyId(), decision.summary());
            return advance(n, NegotiationStore.Change.to(n.state(), NegotiationState.TERMINATING)
                .withDetail(decision.summary()));
          }
          return advance(n, NegotiationStore.Change.to(n.state(), NegotiationState.AGREEING)
              .withAgreement(agreementFor(n, offer)));
        }));
  }

  private Agreement agreementFor(Negotiation n, Offer offer) {
    Instant now = clock.instant();
    // The agreement records what the consumer declared, for the transfer and access decisions under it.
    JsonObject body = UsageDeclaration.readFrom(n.offer()).writeTo(offer.odrlOffer(selfId).copy());
    body.put("@id", "urn:uuid:" + UUID.randomUUID()).put("@type", "Agreement").put("assignee", n.counterPartyId())
        .put("timestamp", now.toString());
    return new Agreement(body.getString("@id"), n.id(), offer.asset().id(), selfId, n.counterPartyId(), body, now, 0);
  }

  private Future<Boolean> sendTermination(Negotiation n, String path) {
    Future<JsonObject> sent = n.counterPartyPid() == null ? Future.succeededFuture(new JsonObject())
        : client.post(n.counterPartyAddress(), path, n.counterPartyId(),
            pids(Dsp.message("ContractNegotiationTerminationMessage"), n)
            .put("code", "refused").put("reason", new JsonArray().add(n.detail() == null ? "terminated" : n.detail())));
    return sent.compose(ok -> advance(n, NegotiationStore.Change.to(n.state(), NegotiationState.TERMINATED)));
  }

  private Future<Void> giveUp(String id, Throwable cause) {
    return store.find(id).compose(n -> n.state().isFinal() ? Future.succeededFuture()
        : store.move(id, NegotiationStore.Change.to(n.state(), NegotiationState.TERMINATED)
            .withDetail("gave up: " + cause.getMessage())).mapEmpty());
  }

  /** Commits a step's transition; a conflict means a partner's message moved it first, which is fine. */
  private Future<Boolean> advance(Negotiation n, NegotiationStore.Change change) {
    return store.move(n.id(), change).map(true)
        .recover(e -> e instanceof Conflict ? Future.succeededFuture(true) : Future.failedFuture(e));
  }

  private Future<Negotiation> owned(String caller, String pid, Role role, DspMessage message) {
    return store.find(pid).recover(NegotiationManager::notFound).map(n -> {
      if (n.role() != role) {
        throw DspException.notFound("no " + role.name().toLowerCase() + " negotiation '" + pid + "'");
      }
      checkOwner(n, caller, message);
      return n;
    });
  }

  private void checkOwner(Negotiation n, String caller, DspMessage message) {
    if (!caller.equals(n.counterPartyId())) {
      // Same answer as an unknown id: a participant learns nothing about others' negotiations.
      throw DspException.notFound("no negotiation '" + n.id() + "'");
    }
    String ours = n.role() == Role.PROVIDER ? "providerPid" : "consumerPid";
    String theirs = n.role() == Role.PROVIDER ? "consumerPid" : "providerPid";
    if (!n.id().equals(message.requireString(ours))) {
      throw DspException.badRequest(ours + " " + message.body().getString(ours) + " does not match the path " + n.id());
    }
    String claimed = message.requireString(theirs);
    if (n.counterPartyPid() != null && !n.counterPartyPid().equals(claimed)) {
      throw DspException.badRequest(theirs + " " + claimed + " does not match " + n.counterPartyPid());
    }
  }

  private Future<Negotiation> move(Negotiation n, NegotiationState to, String detail) {
    return transition(n, NegotiationStore.Change.to(n.state(), to).withDetail(detail));
  }

  private Future<Negotiation> transition(Negotiation n, NegotiationStore.Change change) {
    if (n.state().hasReached(change.to())) {
      return Future.succeededFuture(n);
    }
    if (!n.state().canMoveTo(change.to())) {
      return Future.failedFuture(DspException.conflict("negotiation " + n.id() + " is " + n.state().dspState()
          + " and cannot become " + change.to().dspState()));
    }
    return store.move(n.id(), change)
        .recover(e -> Future.failedFuture(e instanceof Conflict ? DspException.conflict(e.getMessage()) : e))
        .onSuccess(moved -> runner.kick(moved.id()));
  }

  private JsonObject contractRequest(Negotiation n) {
    return UsageDeclaration.readFrom(n.offer()).writeTo(Dsp.message("ContractRequestMessage")
        .put("consumerPid", n.id()).put("offer", UsageDeclaration.strip(n.offer())).put("callbackAddress", selfAddress));
  }

  private static JsonObject pids(JsonObject message, Negotiation n) {
    return message.put("providerPid", n.providerPid()).put("consumerPid", n.consumerPid());
  }

  private static <T> Future<T> notFound(Throwable e) {
    return Future.failedFuture(e instanceof NotFound ? DspException.notFound(e.getMessage()) : e);
  }

  /** The DSP {@code ContractNegotiation} body for {@code n}. */
  public static JsonObject dspBody(Negotiation n) {
    return pids(Dsp.message("ContractNegotiation"), n).put("state", n.state().dspState());
  }
}
