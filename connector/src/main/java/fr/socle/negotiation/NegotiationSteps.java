package fr.socle.negotiation;

import fr.socle.agreement.AgreementSigner;
import fr.socle.process.ProcessSteps;
import fr.socle.process.Role;
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
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a negotiation: what this node does from each persisted state, run by the
 * {@link fr.socle.process.StepRunner} as soon as a state is committed and again at start-up.
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
final class NegotiationSteps extends ProcessSteps<Negotiation, NegotiationState> {

  private static final Logger LOG = LoggerFactory.getLogger(NegotiationSteps.class);

  private final NegotiationStore store;
  private final CatalogStore catalog;
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
    super("negotiation", new PartnerRecord("/negotiations/", "ContractNegotiation", PartnerState.NEGOTIATION_STATES),
        client);
    this.signer = signer;
    this.store = store;
    this.catalog = catalog;
    this.policy = policy;
    this.inputs = inputs;
    this.hook = hook;
    this.clock = clock;
    this.selfId = selfId;
    this.selfAddress = selfAddress;
  }

  /** Whether the next move is the counter-party's (or the consumer's operator's), so that nothing is resent. */
  @Override
  protected boolean waitsForCounterParty(Negotiation n) {
    return n.counterPartyPid() != null && switch (n.role()) {
      case CONSUMER -> n.state() == NegotiationState.REQUESTED || n.state() == NegotiationState.OFFERED
          || n.state() == NegotiationState.ACCEPTED || n.state() == NegotiationState.VERIFIED;
      case PROVIDER -> n.state() == NegotiationState.OFFERED || n.state() == NegotiationState.AGREED;
    };
  }

  @Override
  protected Future<Boolean> stepIn(Negotiation n) {
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
              return converge(n).otherwise(false).compose(moved -> moved ? Future.succeededFuture(true)
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

  private Future<Boolean> sendTermination(Negotiation n) {
    if (n.counterPartyPid() == null) {
      // The counter-party never heard of this negotiation: there is no one to tell.
      return advance(n, Change.to(n.state(), NegotiationState.TERMINATED));
    }
    return send(n, NegotiationMessages.path(n, "termination"), NegotiationMessages.termination(n),
        NegotiationState.TERMINATED);
  }

  private Future<Boolean> advance(Negotiation n, Change change) {
    return advanced(n, change.to(), store.move(n.id(), change));
  }

  @Override
  protected Future<Negotiation> find(String id) {
    return store.find(id);
  }

  @Override
  protected NegotiationState target(Role role, NegotiationState local, String partner) {
    return NegotiationConvergence.target(role, local, partner);
  }

  @Override
  protected NegotiationState terminated() {
    return NegotiationState.TERMINATED;
  }

  @Override
  protected Future<Negotiation> moveTo(Negotiation n, NegotiationState to, String note, LocalizedText detail) {
    Change change = Change.to(n.state(), to).withNote(note);
    return store.move(n.id(), detail == null ? change : change.withDetail(detail));
  }

  @Override
  protected LocalizedText terminatedByCounterParty(Negotiation n) {
    return NegotiationConvergence.terminatedBy(n.counterPartyId());
  }
}
