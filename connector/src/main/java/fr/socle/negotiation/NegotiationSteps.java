package fr.socle.negotiation;

import fr.socle.agreement.AgreementSigner;
import fr.socle.catalog.CatalogStore;
import fr.socle.catalog.Offer;
import fr.socle.negotiation.NegotiationHook.Move;
import fr.socle.negotiation.NegotiationStore.Change;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.LocalizedText;
import fr.socle.policy.UsageDeclaration;
import fr.socle.policy.Scope;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.PartnerState;
import fr.socle.store.Conflict;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>A negotiation found waiting for the counter-party at start-up, a message refused for good and a
 * negotiation about to be given up are first brought level with the counter-party's own record of it
 * ({@link NegotiationConvergence}): it may have moved on while this node was not listening.
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
  private final NegotiationConvergence convergence;
  /**
   * Negotiations resumed at start-up whose counter-party is to be asked for its state before their next
   * step; bounded by the unfinished negotiations, each removed at its first step.
   */
  private final Set<String> toAsk = ConcurrentHashMap.newKeySet();

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
    this.convergence = new NegotiationConvergence(store, client);
  }

  /** Marks a negotiation resumed at start-up: its counter-party is asked for its state first. */
  void resumed(String id) {
    toAsk.add(id);
  }

  Future<Boolean> step(String id) {
    return store.find(id).compose(n -> {
      if (!toAsk.contains(id)) {
        return stepIn(n);
      }
      if (!waitsForCounterParty(n)) {
        // This node sends or acts next: the counter-party's answer to that will tell.
        toAsk.remove(id);
        return stepIn(n);
      }
      return convergence.converge(n).transform(asked -> {
        if (asked.succeeded()) {
          toAsk.remove(id);
          return asked.result() ? Future.succeededFuture(true) : stepIn(n);
        }
        if (asked.cause() instanceof PartnerState.Unusable || DspClient.PeerRefused.definitiveIn(asked.cause()) != null) {
          toAsk.remove(id);
          LOG.warn("negotiation {}: the state {} shows cannot be used, it stays {}: {}", id, n.counterPartyId(),
              n.state(), asked.cause().getMessage());
          return stepIn(n);
        }
        // Perhaps restarting too: asked again, with the runner's back-off.
        return Future.failedFuture(new NotAsked(asked.cause()));
      });
    });
  }

  /** The counter-party could not be asked for its state; never a reason to end a negotiation. */
  static final class NotAsked extends RuntimeException {
    NotAsked(Throwable cause) {
      super("its counter-party could not be asked for its state: " + cause.getMessage(), cause, false, false);
    }
  }

  /** Whether the next move is the counter-party's (or the consumer's operator's), so that nothing is resent. */
  private static boolean waitsForCounterParty(Negotiation n) {
    return n.counterPartyPid() != null && switch (n.role()) {
      case CONSUMER -> n.state() == NegotiationState.REQUESTED || n.state() == NegotiationState.OFFERED
          || n.state() == NegotiationState.ACCEPTED || n.state() == NegotiationState.VERIFIED;
      case PROVIDER -> n.state() == NegotiationState.OFFERED || n.state() == NegotiationState.AGREED;
    };
  }

  private Future<Boolean> stepIn(Negotiation n) {
    return switch (n.role()) {
      case CONSUMER -> consumerStep(n);
      case PROVIDER -> providerStep(n);
    };
  }

  private Future<Boolean> consumerStep(Negotiation n) {
    return switch (n.state()) {
      case REQUESTING -> client.post(n.counterPartyAddress(), NegotiationMessages.requestPath(n),
              n.counterPartyId(), NegotiationMessages.request(n, selfAddress))
          .transform(sent -> {
            if (sent.failed()) {
              // A refusal that resending would not change ends the negotiation at once, with the reason;
              // a refused counter-request also tells the provider, whose process exists, unless the
              // provider's own record shows it received the request after all or ended the negotiation.
              DspClient.PeerRefused refused = DspClient.PeerRefused.definitiveIn(sent.cause());
              if (refused == null) {
                return Future.failedFuture(sent.cause());
              }
              return convergence.converge(n).otherwise(false).compose(moved -> moved ? Future.succeededFuture(true)
                  : advance(n, Change.to(n.state(), n.providerPid() == null ? NegotiationState.TERMINATED
                      : NegotiationState.TERMINATING).withDetail("the provider refused the request (HTTP "
                      + refused.status() + "): " + refused.reason())));
            }
            String providerPid = n.providerPid() != null ? n.providerPid() : sent.result().getString("providerPid");
            if (providerPid == null) {
              return Future.failedFuture("the provider's answer has no providerPid: " + sent.result().encode());
            }
            if (n.providerPid() == null && terminatedIn(sent.result(), providerPid, n.id())) {
              // A re-sent request answered with the negotiation it opened first, which has ended since.
              return advance(n, Change.to(n.state(), NegotiationState.TERMINATED).withCounterPartyPid(providerPid)
                  .withDetail(new LocalizedText("terminated by " + n.counterPartyId() + ", which answered the"
                      + " request with negotiation " + providerPid + ", TERMINATED", "terminée par "
                      + n.counterPartyId() + ", qui a répondu à la demande par la négociation " + providerPid
                      + ", TERMINATED")));
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
        .transform(sent -> sent.succeeded() ? advance(n, Change.to(n.state(), done)) : refused(n, sent.cause()));
  }

  /**
   * A message the counter-party refused: when for good, its own record may show why (it moved on
   * without hearing this node, which was down), and this negotiation follows it. Otherwise, or when it
   * cannot follow, the step fails with {@code cause} and is retried, then given up.
   */
  private Future<Boolean> refused(Negotiation n, Throwable cause) {
    if (DspClient.PeerRefused.definitiveIn(cause) == null) {
      return Future.failedFuture(cause);
    }
    return convergence.converge(n).otherwise(false)
        .compose(moved -> moved ? Future.succeededFuture(true) : Future.failedFuture(cause));
  }

  /** Whether a request's answer is the DSP negotiation {@code providerPid}/{@code consumerPid}, TERMINATED. */
  private static boolean terminatedIn(JsonObject answer, String providerPid, String consumerPid) {
    try {
      return "TERMINATED".equals(PartnerState.read(answer, "ContractNegotiation", providerPid, consumerPid,
          PartnerState.NEGOTIATION_STATES).state());
    } catch (PartnerState.Unusable e) {
      // Other connectors may answer with less; the negotiation's messages will tell.
      return false;
    }
  }

  private Future<Boolean> sendTermination(Negotiation n) {
    if (n.counterPartyPid() == null) {
      // The counter-party never heard of this negotiation: there is no one to tell.
      return advance(n, Change.to(n.state(), NegotiationState.TERMINATED));
    }
    return send(n, NegotiationMessages.path(n, "termination"), NegotiationMessages.termination(n),
        NegotiationState.TERMINATED);
  }

  /**
   * After the runner's last attempt: the counter-party's own record first, which may show the
   * negotiation further on (this node's message was delivered, or is no longer needed); else it ends
   * here. A counter-party that could not be asked at start-up ends nothing: it is asked again at the
   * next start.
   */
  Future<Void> giveUp(String id, Throwable cause) {
    if (cause instanceof NotAsked) {
      toAsk.remove(id);
      LOG.warn("negotiation {}: {}; it stays as it is until the next start", id, cause.getMessage());
      return Future.succeededFuture();
    }
    return store.find(id).compose(n -> n.state().isFinal() ? Future.succeededFuture()
        : convergence.converge(n).otherwise(false).compose(moved -> moved ? Future.succeededFuture()
            : store.move(id, Change.to(n.state(), NegotiationState.TERMINATED)
                .withDetail("gave up: " + cause.getMessage())).mapEmpty()));
  }

  /** Commits a step's transition; a conflict means a partner's message moved it first, which is fine. */
  private Future<Boolean> advance(Negotiation n, Change change) {
    return store.move(n.id(), change).map(moved -> {
      LOG.debug("negotiation {} ({}): {} -> {}", moved.id(), moved.role(), change.from(), change.to());
      return true;
    }).recover(e -> e instanceof Conflict ? Future.succeededFuture(true) : Future.failedFuture(e));
  }
}
