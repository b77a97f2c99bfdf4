package fr.socle.negotiation;

import fr.socle.catalog.CatalogStore;
import fr.socle.catalog.Offer;
import fr.socle.negotiation.NegotiationHook.Move;
import fr.socle.negotiation.NegotiationStore.Change;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.UsageDeclaration;
import fr.socle.policy.Scope;
import fr.socle.protocol.DspClient;
import fr.socle.store.Conflict;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a negotiation: what this node does from each persisted state, run by the
 * {@link fr.socle.statemachine.StepRunner} as soon as a state is committed and again at start-up.
 *
 * <p>From an -ING state it sends the message and records the -ED state once the counter-party
 * acknowledged it (a crash in between resends it: receivers acknowledge redeliveries). In a settled
 * state where this node has the next move, the {@link NegotiationHook} may choose it; otherwise the
 * provider asks its policy engine on a request or an acceptance and finalizes a verified agreement,
 * the consumer verifies an agreement, and both wait for the counter-party (a consumer holds an offer
 * for its operator).
 */
final class NegotiationSteps {

  private static final Logger LOG = LoggerFactory.getLogger(NegotiationSteps.class);

  private final NegotiationStore store;
  private final CatalogStore catalog;
  private final DspClient client;
  private final DecisionPoint policy;
  private final DecisionInputs inputs;
  private final NegotiationHook hook;
  private final Clock clock;
  private final String selfId;
  private final String selfAddress;
  private final AgreementSigner signer;

  NegotiationSteps(NegotiationStore store, CatalogStore catalog, DspClient client, DecisionPoint policy,
      DecisionInputs inputs, NegotiationHook hook, Clock clock, String selfId, String selfAddress,
      AgreementSigner signer) {
    this.signer = signer;
    this.store = store;
    this.catalog = catalog;
    this.client = client;
    this.policy = policy;
    this.inputs = inputs;
    this.hook = hook;
    this.clock = clock;
    this.selfId = selfId;
    this.selfAddress = selfAddress;
  }

  Future<Boolean> step(String id) {
    return store.find(id).compose(n -> switch (n.role()) {
      case CONSUMER -> consumerStep(n);
      case PROVIDER -> providerStep(n);
    });
  }

  private Future<Boolean> consumerStep(Negotiation n) {
    return switch (n.state()) {
      case REQUESTING -> client.post(n.counterPartyAddress(), NegotiationMessages.requestPath(n),
              n.counterPartyId(), NegotiationMessages.request(n, selfAddress))
          .transform(sent -> {
            if (sent.failed()) {
              // A refusal that resending would not change ends the negotiation at once, with the reason;
              // a refused counter-request also tells the provider, whose process exists.
              DspClient.PeerRefused refused = DspClient.PeerRefused.definitiveIn(sent.cause());
              return refused != null
                  ? advance(n, Change.to(n.state(), n.providerPid() == null ? NegotiationState.TERMINATED
                      : NegotiationState.TERMINATING).withDetail("the provider refused the request (HTTP "
                      + refused.status() + "): " + refused.reason()))
                  : Future.failedFuture(sent.cause());
            }
            String providerPid = n.providerPid() != null ? n.providerPid() : sent.result().getString("providerPid");
            if (providerPid == null) {
              return Future.failedFuture("the provider's answer has no providerPid: " + sent.result().encode());
            }
            return advance(n, Change.to(n.state(), NegotiationState.REQUESTED).withCounterPartyPid(providerPid));
          });
      case REQUESTED, OFFERED, ACCEPTED, VERIFIED -> settle(n, Move.WAIT);
      case ACCEPTING -> send(n, NegotiationMessages.path(n, "events"), NegotiationMessages.event(n, "ACCEPTED"),
          NegotiationState.ACCEPTED);
      case AGREED -> settle(n, null);
      case VERIFYING -> store.findAgreement(n.agreementId())
          .compose(a -> send(n, NegotiationMessages.path(n, "agreement/verification"),
              NegotiationMessages.verification(n, a), NegotiationState.VERIFIED));
      case TERMINATING -> sendTermination(n);
      default -> Future.succeededFuture(false);
    };
  }

  private Future<Boolean> providerStep(Negotiation n) {
    return switch (n.state()) {
      case REQUESTED, ACCEPTED, VERIFIED -> settle(n, null);
      case OFFERED, AGREED -> settle(n, Move.WAIT);
      case OFFERING -> send(n, NegotiationMessages.path(n, "offers"), NegotiationMessages.offer(n),
          NegotiationState.OFFERED);
      case AGREEING -> store.findAgreement(n.agreementId())
          .compose(a -> send(n, NegotiationMessages.path(n, "agreement"),
              NegotiationMessages.agreement(n, a, selfAddress), NegotiationState.AGREED));
      case FINALIZING -> send(n, NegotiationMessages.path(n, "events"), NegotiationMessages.event(n, "FINALIZED"),
          NegotiationState.FINALIZED);
      case TERMINATING -> sendTermination(n);
      default -> Future.succeededFuture(false);
    };
  }

  /**
   * The next move in a settled state where this node may act: the hook's choice, or the node's own
   * ({@code fallback}; null where the node acts by itself).
   */
  private Future<Boolean> settle(Negotiation n, Move fallback) {
    Move move = hook.next(n);
    if (move == Move.DEFAULT) {
      move = fallback;
    }
    if (move == Move.WAIT) {
      return Future.succeededFuture(false);
    }
    if (move == Move.TERMINATE) {
      return advance(n, Change.to(n.state(), NegotiationState.TERMINATING).withDetail("terminated by " + selfId));
    }
    NegotiationState state = n.state();
    if (move == null) {
      return switch (state) {
        case REQUESTED, ACCEPTED -> decide(n);
        case VERIFIED -> advance(n, Change.to(state, NegotiationState.FINALIZING));
        case AGREED -> advance(n, Change.to(state, NegotiationState.VERIFYING));
        default -> Future.succeededFuture(false);
      };
    }
    boolean provider = n.role() == Role.PROVIDER;
    if (move == Move.OFFER && provider && state == NegotiationState.REQUESTED) {
      return advance(n, Change.to(state, NegotiationState.OFFERING));
    }
    if (move == Move.ACCEPT && !provider && state == NegotiationState.OFFERED) {
      return advance(n, Change.to(state, NegotiationState.ACCEPTING));
    }
    if (move == Move.REQUEST && !provider && state == NegotiationState.OFFERED) {
      return advance(n, Change.to(state, NegotiationState.REQUESTING));
    }
    return Future.failedFuture(new IllegalStateException("the negotiation hook chose " + move + " for a "
        + n.role() + " negotiation in " + state + ", where it does not apply"));
  }

  /** The provider's decision: its own stored offer policy, evaluated by OPA for the authenticated consumer. */
  private Future<Boolean> decide(Negotiation n) {
    return catalog.findOffer(n.offerId()).compose(offer -> policy.decide(Scope.NEGOTIATION,
        inputs.build(Scope.NEGOTIATION, n.counterPartyId(), offer.asset().id(), offer.asset().classification(),
            UsageDeclaration.readFrom(n.offer()).writeTo(offer.odrlOffer(selfId)), null, 0))
        .compose(decision -> {
          if (!decision.allow()) {
            LOG.info("negotiation {} refused for {}: {}", n.id(), n.counterPartyId(), decision.summary());
            return advance(n, Change.to(n.state(), NegotiationState.TERMINATING)
                .withDetail(decision.localizedSummary()));
          }
          return advance(n, Change.to(n.state(), NegotiationState.AGREEING).withAgreement(agreementFor(n, offer)));
        }));
  }

  private Agreement agreementFor(Negotiation n, Offer offer) {
    Instant now = clock.instant();
    // The agreement records what the consumer declared, for the transfer and access decisions under it.
    JsonObject body = UsageDeclaration.readFrom(n.offer()).writeTo(offer.odrlOffer(selfId).copy());
    body.put("@id", "urn:uuid:" + UUID.randomUUID()).put("@type", "Agreement").put("assignee", n.counterPartyId())
        .put("timestamp", now.toString());
    // Signed as stored and sent: the consumer keeps a message in the DSP context exactly as received.
    return new Agreement(body.getString("@id"), n.id(), offer.asset().id(), selfId, n.counterPartyId(), body, now, 0,
        Agreement.Signatures.byProvider(signer.sign(body, AgreementSigner.Role.PROVIDER)));
  }

  /** Sends a message of a -ING state, then records {@code done} once the counter-party acknowledged it. */
  private Future<Boolean> send(Negotiation n, String path, JsonObject message, NegotiationState done) {
    return client.post(n.counterPartyAddress(), path, n.counterPartyId(), message)
        .compose(ok -> advance(n, Change.to(n.state(), done)));
  }

  private Future<Boolean> sendTermination(Negotiation n) {
    if (n.counterPartyPid() == null) {
      // The counter-party never heard of this negotiation: there is no one to tell.
      return advance(n, Change.to(n.state(), NegotiationState.TERMINATED));
    }
    return send(n, NegotiationMessages.path(n, "termination"), NegotiationMessages.termination(n),
        NegotiationState.TERMINATED);
  }

  Future<Void> giveUp(String id, Throwable cause) {
    return store.find(id).compose(n -> n.state().isFinal() ? Future.succeededFuture()
        : store.move(id, Change.to(n.state(), NegotiationState.TERMINATED)
            .withDetail("gave up: " + cause.getMessage())).mapEmpty());
  }

  /** Commits a step's transition; a conflict means a partner's message moved it first, which is fine. */
  private Future<Boolean> advance(Negotiation n, Change change) {
    return store.move(n.id(), change).map(moved -> {
      LOG.debug("negotiation {} ({}): {} -> {}", moved.id(), moved.role(), change.from(), change.to());
      return true;
    }).recover(e -> e instanceof Conflict ? Future.succeededFuture(true) : Future.failedFuture(e));
  }
}
