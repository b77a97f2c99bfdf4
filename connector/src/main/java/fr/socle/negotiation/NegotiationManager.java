package fr.socle.negotiation;

import fr.socle.agreement.AgreementSigner;
import fr.socle.agreement.AgreementVerifier;
import fr.socle.agreement.SignatureCheck;
import fr.socle.agreement.SignatureReason;
import fr.socle.process.CounterParty;
import fr.socle.process.PartnerMessages;
import fr.socle.process.Role;
import fr.socle.catalog.CatalogStore;
import fr.socle.catalog.Offer;
import fr.socle.negotiation.NegotiationStore.Change;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.LocalizedText;
import fr.socle.policy.UsageDeclaration;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.Refusal;
import fr.socle.protocol.DspMessage;
import fr.socle.process.StepRunner;
import fr.socle.process.Tuning;
import fr.socle.store.NotFound;
import fr.socle.store.OnCreate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both sides of DSP contract negotiation, counter-offers included.
 *
 * <p>Incoming messages are handled in a fixed order: the caller is already authenticated; load the
 * negotiation, check the caller owns it and the message names it, validate, transition (a
 * compare-and-set), then kick the step runner. A message that does not fit the current state is a
 * 409 and changes nothing; a redelivered one is acknowledged without change
 * ({@link NegotiationState#hasReached}).
 *
 * <p>Outgoing messages are sent only by {@link NegotiationSteps}, from a persisted -ING state, so a
 * node killed at any moment resends what it had not delivered when it starts again.
 */
public final class NegotiationManager {

  private static final Logger LOG = LoggerFactory.getLogger(NegotiationManager.class);
  /** The widths of the columns that keep a partner's process id and callback address. */
  static final int MAX_PID_CHARS = 200;
  static final int MAX_ADDRESS_CHARS = 2000;

  private final NegotiationStore store;
  private final CatalogStore catalog;
  private final Clock clock;
  private final String selfId;
  /** Bounds the rows and state machines one partner can make this node keep. */
  private final int maxOpenPerParticipant;
  private final StepRunner runner;
  private final NegotiationSteps steps;
  private final AgreementSigner signer;
  private final AgreementVerifier verifier;

  /**
   * @param signer signs this node's side of every agreement (provider) or countersigns it (consumer)
   * @param verifier checks the counter-party's signature when its message arrives
   */
  public NegotiationManager(Vertx vertx, NegotiationStore store, CatalogStore catalog, DspClient client,
      DecisionPoint policy, DecisionInputs inputs, NegotiationHook hook, Clock clock, String selfId,
      String selfAddress, AgreementSigner signer, AgreementVerifier verifier, int maxOpenPerParticipant) {
    this.signer = signer;
    this.maxOpenPerParticipant = maxOpenPerParticipant;
    this.verifier = verifier;
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
    this.selfId = selfId;
    this.steps = new NegotiationSteps(store, catalog, client, policy, inputs, hook, clock, selfId,
        selfAddress, signer);
    this.runner = new StepRunner(vertx, "negotiation", Tuning.DEFAULT, steps::step, steps::giveUp,
        () -> store.listUnfinished().map(list -> list.stream().map(Negotiation::id).toList()));
  }

  /**
   * Re-runs the pending step of every unfinished negotiation; called once at start-up. Those waiting
   * for the counter-party first ask it for its state: it may have moved on while this node was down.
   */
  public Future<Integer> resume() {
    return store.listUnfinished().map(list -> {
      list.forEach(n -> {
        steps.resumed(n.id());
        runner.kick(n.id());
      });
      return list.size();
    });
  }

  /** What a health probe shows of this state machine's step runner. */
  public StepRunner.Status runnerStatus() {
    return runner.status();
  }

  // ---- consumer side, from the management API ----

  /**
   * Starts negotiating {@code offer} (as found in the provider's catalog) with a provider. The
   * dataset is the offer's {@code target} or, as DSP 2025-1 catalogs leave it out, {@code datasetId}.
   */
  public Future<Negotiation> request(String counterPartyId, String counterPartyAddress, JsonObject offer,
      String datasetId) {
    return request(counterPartyId, counterPartyAddress, offer, datasetId, UsageDeclaration.NONE);
  }

  /**
   * As {@link #request(String, String, JsonObject, String)}, with what this consumer declares about its
   * use; the declaration is kept in the stored offer document (under its own IRIs) until it is sent.
   */
  public Future<Negotiation> request(String counterPartyId, String counterPartyAddress, JsonObject offer,
      String datasetId, UsageDeclaration declared) {
    return request(counterPartyId, counterPartyAddress, offer, datasetId, declared, OnCreate.none());
  }

  /**
   * As {@link #request(String, String, JsonObject, String, UsageDeclaration)}; {@code onCreate} runs in
   * the transaction that creates the negotiation's row, before the state machine is kicked.
   */
  public Future<Negotiation> request(String counterPartyId, String counterPartyAddress, JsonObject offer,
      String datasetId, UsageDeclaration declared, OnCreate<? super Negotiation> onCreate) {
    String offerId = text(offer, "@id");
    String target = offer.getValue("target") instanceof String t ? t : datasetId;
    if (offerId == null || target == null) {
      return Future.failedFuture(new IllegalArgumentException("the offer must carry an '@id', and a 'target' "
          + "unless the dataset id is given, got " + offer.encode()));
    }
    JsonObject body = declared.writeTo(offer.copy().put("target", target));
    Instant now = clock.instant();
    Negotiation n = Negotiation.open(UUID.randomUUID().toString(), Role.CONSUMER, NegotiationState.REQUESTING,
        new CounterParty(counterPartyId, null, counterPartyAddress), offerId, target, body, now);
    return store.create(n, Integer.MAX_VALUE, onCreate).onSuccess(created -> runner.kick(created.id()));
  }

  // ---- provider side, DSP endpoints ----

  /**
   * {@code POST /negotiations/request}: a consumer asks for an offer. The same consumer re-sending
   * its request under the same consumerPid (it did not hear the answer) gets the negotiation the first
   * one opened, in its current state; the same consumerPid with another offer is a 409.
   */
  public Future<Negotiation> onContractRequest(String caller, DspMessage message) {
    String consumerPid = message.requireString("consumerPid");
    String callback = message.requireString("callbackAddress");
    String offerId = offerId(message);
    if (message.optionalString("providerPid") != null) {
      return Future.failedFuture(Refusal.invalid("a ContractRequestMessage to /negotiations/request starts a "
          + "negotiation and must not carry a providerPid; send counter-requests to /negotiations/:providerPid/request"));
    }
    if (consumerPid.length() > MAX_PID_CHARS || callback.length() > MAX_ADDRESS_CHARS) {
      return Future.failedFuture(Refusal.invalid("ContractRequestMessage: the consumerPid may have at most "
          + MAX_PID_CHARS + " characters and the callbackAddress " + MAX_ADDRESS_CHARS + ", got "
          + consumerPid.length() + " and " + callback.length()));
    }
    UsageDeclaration declared;
    try {
      declared = UsageDeclaration.readFrom(message.body());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(Refusal.invalid("ContractRequestMessage: " + e.getMessage()));
    }
    return knownOffer(offerId, null).compose(found -> {
      Instant now = clock.instant();
      Negotiation n = Negotiation.open(UUID.randomUUID().toString(), Role.PROVIDER, NegotiationState.REQUESTED,
          new CounterParty(caller, consumerPid, callback), offerId, found.asset().id(),
          declared.writeTo(found.odrlOffer(selfId)), now);
      return store.createRequested(n, maxOpenPerParticipant).recover(PartnerMessages.openLimit("negotiation"));
    }).map(requested -> {
      Negotiation n = requested.negotiation();
      if (requested.created()) {
        runner.kick(n.id());
        return n;
      }
      if (!offerId.equals(requested.requestedOfferId())) {
        throw new Refusal(Refusal.Kind.CONFLICT, "consumer_pid_in_use",
            "consumerPid " + consumerPid + " already names negotiation "
            + n.id() + ", requested for offer " + requested.requestedOfferId() + ", not " + offerId
            + "; a new negotiation needs a new consumerPid", "le consumerPid " + consumerPid
            + " désigne déjà la négociation " + n.id() + ", demandée pour l'offre " + requested.requestedOfferId()
            + " et non " + offerId + " ; une nouvelle négociation demande un nouveau consumerPid");
      }
      LOG.info("contract request of {} under consumerPid {} re-sent: answered with negotiation {}, {}", caller,
          consumerPid, n.id(), n.state());
      return n;
    });
  }

  /** {@code POST /negotiations/:providerPid/request}: a consumer's counter-request to our offer. */
  public Future<Negotiation> onCounterRequest(String caller, String providerPid, DspMessage message) {
    String offerId = offerId(message);
    UsageDeclaration restated;
    try {
      restated = UsageDeclaration.readFrom(message.body());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(Refusal.invalid("ContractRequestMessage: " + e.getMessage()));
    }
    return owned(caller, providerPid, Role.PROVIDER, message)
        .compose(n -> knownOffer(offerId, n.assetId()).compose(found -> {
          // No counter-request is acknowledged twice: DSP has none while the provider decides or after
          // (the TCK expects an error, CN:03-04). A consumer that re-sent one after a crash gets a 409
          // and reads the negotiation's state instead (NegotiationConvergence).
          // A counter-request may restate the declaration; if it does not, the first one still holds.
          UsageDeclaration declared = restated.isEmpty() ? UsageDeclaration.readFrom(n.offer()) : restated;
          return transition(n, Change.to(n.state(), NegotiationState.REQUESTED)
              .withOffer(offerId, declared.writeTo(found.odrlOffer(selfId))));
        }));
  }

  /**
   * {@code POST /negotiations/:providerPid/agreement/verification}. A countersignature that does not
   * verify is a 400 and leaves the negotiation AGREED; a verification without one (a connector that
   * does not sign) is accepted, and the agreement records the consumer's side as NOT_SIGNED.
   */
  public Future<Negotiation> onVerification(String caller, String providerPid, DspMessage message) {
    return owned(caller, providerPid, Role.PROVIDER, message).compose(n -> {
      String jws = signatureIn(message);
      Change change = Change.to(n.state(), NegotiationState.VERIFIED);
      if (n.state().hasReached(NegotiationState.VERIFIED) || !n.state().canMoveTo(NegotiationState.VERIFIED)) {
        return transition(n, change);
      }
      return store.findAgreement(n.agreementId()).compose(a -> {
        if (jws == null) {
          LOG.info("agreement {}: consumer {} verified it without a countersignature, recorded as NOT_SIGNED",
              a.id(), caller);
        } else {
          checkSignature(jws, a.body(), AgreementSigner.Role.CONSUMER, caller);
        }
        return transition(n, change, () -> store.moveCountersigned(n.id(), change, a.id(), jws));
      });
    });
  }

  // ---- consumer side, DSP callbacks ----

  /** {@code POST /negotiations/:consumerPid/offers}: the provider makes an offer. */
  public Future<Negotiation> onOffer(String caller, String consumerPid, DspMessage message) {
    JsonObject offer = message.requireObject("offer");
    String providerPid = message.requireString("providerPid");
    return owned(caller, consumerPid, Role.CONSUMER, message).compose(n -> {
      String offerId = text(offer, "@id");
      if (offerId == null) {
        throw Refusal.invalid("ContractOfferMessage.offer requires an '@id'");
      }
      Object target = offer.getValue("target");
      if (target != null && !n.assetId().equals(target)) {
        throw Refusal.invalid("the offer's target " + target + " is not the negotiated dataset " + n.assetId());
      }
      // Our declaration stays with the negotiation for a later counter-request; the provider's offer
      // cannot declare anything on our behalf.
      JsonObject kept = UsageDeclaration.readFrom(n.offer()).writeTo(UsageDeclaration.strip(offer)
          .put("target", n.assetId()));
      return transition(n, Change.to(n.state(), NegotiationState.OFFERED).withCounterPartyPid(providerPid)
          .withOffer(offerId, kept));
    });
  }

  /** {@code POST /negotiations/:consumerPid/agreement}: the provider agreed. */
  public Future<Negotiation> onAgreement(String caller, String consumerPid, DspMessage message) {
    JsonObject body = message.requireObject("agreement");
    String providerPid = message.requireString("providerPid");
    return owned(caller, consumerPid, Role.CONSUMER, message).compose(n -> {
      String agreementId = text(body, "@id");
      if (agreementId == null) {
        throw Refusal.invalid("ContractAgreementMessage.agreement requires an '@id'");
      }
      if (n.agreementId() != null && !n.agreementId().equals(agreementId)) {
        // One negotiation, one agreement: a second would stand beside the first, both signed.
        throw Refusal.invalidState("negotiation " + n.id() + " already holds agreement " + n.agreementId()
            + ", not " + agreementId);
      }
      if (n.state().hasReached(NegotiationState.AGREED)) {
        // A redelivery of the agreement this consumer holds: acknowledged without checking it again.
        return Future.succeededFuture(n);
      }
      if (!n.state().canMoveTo(NegotiationState.AGREED)) {
        // Out of turn (the offer on the table was not accepted, say): a 409 from the transition, which
        // writes nothing, whatever the agreement says.
        return transition(n, Change.to(n.state(), NegotiationState.AGREED));
      }
      // The stored offer is what this consumer last requested or accepted, with its usage declaration.
      List<LocalizedText> differences = AgreementTerms.differences(n.offer(), body, caller, selfId);
      if (!differences.isEmpty()) {
        return refuseTerms(n, providerPid, agreementId, AgreementTerms.summary(differences));
      }
      String providerJws = signatureIn(message);
      if (providerJws == null) {
        LOG.info("agreement {}: provider {} sent it unsigned, recorded as NOT_SIGNED", agreementId, caller);
      } else {
        checkSignature(providerJws, body, AgreementSigner.Role.PROVIDER, caller);
      }
      // Countersigned on receipt, once the provider's side holds; sent with the verification message.
      Agreement.Signatures signatures = new Agreement.Signatures(providerJws == null
          ? Agreement.SignatureState.NOT_SIGNED : Agreement.SignatureState.SIGNED, providerJws,
          Agreement.SignatureState.SIGNED, signer.sign(body, AgreementSigner.Role.CONSUMER));
      Agreement agreement = new Agreement(agreementId, n.id(), n.assetId(), caller, selfId, body, clock.instant(), 0,
          signatures);
      return transition(n, Change.to(n.state(), NegotiationState.AGREED).withAgreement(agreement)
          .withCounterPartyPid(providerPid));
    });
  }

  /**
   * An agreement whose terms are not those this consumer asked for is never countersigned: the
   * negotiation ends (the step runner tells the provider why) and the provider's message gets a 400
   * naming what differs.
   */
  private Future<Negotiation> refuseTerms(Negotiation n, String providerPid, String agreementId, LocalizedText why) {
    LOG.warn("negotiation {}: agreement {} of {} refused, terminating: {}", n.id(), agreementId, n.counterPartyId(),
        why.en());
    LocalizedText detail = why.prefixed("agreement " + agreementId + " refused: ",
        "accord " + agreementId + " refusé : ");
    return transition(n, Change.to(n.state(), NegotiationState.TERMINATING).withCounterPartyPid(providerPid)
        .withDetail(detail))
        .compose(ended -> Future.failedFuture(new Refusal(Refusal.Kind.INVALID, "agreement_terms_differ",
            detail.en(), detail.fr())));
  }

  /** {@code POST /negotiations/:pid/events}: ACCEPTED for a provider, FINALIZED for a consumer. */
  public Future<Negotiation> onEvent(String caller, String pid, DspMessage message) {
    String eventType = message.requireString("eventType");
    // Compacted with the DSP context the value is a bare term; a peer may also send the full IRI.
    String event = eventType.replaceFirst("^.*[:/]", "");
    return store.find(pid).recover(PartnerMessages::unknown).compose(n -> {
      PartnerMessages.owned(n, "negotiation", caller, message);
      if (n.role() == Role.PROVIDER && event.equals("ACCEPTED")) {
        return move(n, NegotiationState.ACCEPTED, null);
      }
      if (n.role() == Role.CONSUMER && event.equals("FINALIZED")) {
        return move(n, NegotiationState.FINALIZED, null);
      }
      throw Refusal.invalid("event " + eventType + " is not one a " + n.role().name().toLowerCase()
          + " receives; expected " + (n.role() == Role.PROVIDER ? "ACCEPTED" : "FINALIZED"));
    });
  }

  /** {@code POST /negotiations/:pid/termination}, from either side. */
  public Future<Negotiation> onTermination(String caller, String pid, DspMessage message) {
    return store.find(pid).recover(PartnerMessages::unknown).compose(n -> {
      PartnerMessages.owned(n, "negotiation", caller, message);
      Object reason = message.body().getValue("reason");
      // A Socle partner also gives its reason in French, shown to operators who read French.
      LocalizedText detail = new LocalizedText(reason == null ? "no reason given" : reason.toString(),
          LocalizedText.frenchIn(message.body())).prefixed("terminated by " + caller + ": ",
          "terminée par " + caller + " : ");
      return transition(n, Change.to(n.state(), NegotiationState.TERMINATED).withDetail(detail));
    });
  }

  /** {@code GET /negotiations/:pid}: only the counter-party may read it. */
  public Future<Negotiation> get(String caller, String pid) {
    return store.find(pid).recover(PartnerMessages::unknown).map(n -> {
      if (!caller.equals(n.counterPartyId())) {
        throw Refusal.notFound("no negotiation '" + pid + "'");
      }
      return n;
    });
  }

  /** The DSP {@code ContractNegotiation} body for {@code n}. */
  public static JsonObject dspBody(Negotiation n) {
    return NegotiationMessages.negotiation(n);
  }

  // ---- incoming message checks ----

  private static String offerId(DspMessage message) {
    String offerId = text(message.requireObject("offer"), "@id");
    if (offerId == null) {
      throw Refusal.invalid("ContractRequestMessage.offer requires an '@id'");
    }
    return offerId;
  }

  /** One of this node's offers, for {@code assetId} when it is not null. */
  private Future<Offer> knownOffer(String offerId, String assetId) {
    return catalog.findOffer(offerId)
        .recover(e -> Future.failedFuture(e instanceof NotFound
            ? Refusal.invalid("unknown offer '" + offerId + "'") : e))
        .map(found -> {
          if (assetId != null && !assetId.equals(found.asset().id())) {
            throw Refusal.invalid("offer '" + offerId + "' is for dataset " + found.asset().id()
                + ", not the negotiated " + assetId);
          }
          return found;
        });
  }

  private Future<Negotiation> owned(String caller, String pid, Role role, DspMessage message) {
    return store.find(pid).recover(PartnerMessages::unknown).map(n -> {
      PartnerMessages.owned(n, "negotiation", caller, message);
      if (n.role() != role) {
        throw Refusal.invalidState("negotiation " + pid + " is a " + n.role().name().toLowerCase()
            + " negotiation; a " + message.type() + " goes to the " + role.name().toLowerCase());
      }
      return n;
    });
  }

  /** The agreement signature a message carries, or null; anything but a string is a 400. */
  private static String signatureIn(DspMessage message) {
    Object value = message.body().getValue(AgreementSigner.MESSAGE_MEMBER);
    if (value != null && !(value instanceof String)) {
      throw Refusal.invalid(message.type() + ": '" + AgreementSigner.MESSAGE_MEMBER
          + "' must be a compact JWS string, got " + value);
    }
    return (String) value;
  }

  /** Fails closed with a 400 naming the check that failed; the negotiation is not advanced. */
  private void checkSignature(String jws, JsonObject agreement, AgreementSigner.Role role, String caller) {
    SignatureCheck check = verifier.verify(jws, agreement, role);
    if (check instanceof SignatureCheck.Invalid invalid) {
      throw Refusal.invalid("the " + role.claim() + "'s signature of agreement " + agreement.getValue("@id")
          + " is refused: " + invalid.summary());
    }
    String signer = ((SignatureCheck.Valid) check).participant();
    if (!signer.equals(caller)) {
      throw Refusal.invalid("the " + role.claim() + "'s signature of agreement " + agreement.getValue("@id")
          + " is refused: " + SignatureReason.SIGNER_MISMATCH.code() + ": signed by " + signer
          + ", but the message comes from " + caller);
    }
  }

  private Future<Negotiation> move(Negotiation n, NegotiationState to, String detail) {
    return transition(n, Change.to(n.state(), to).withDetail(detail));
  }

  /** A transition asked for by the counter-party: idempotent for redeliveries, 409 out of turn. */
  private Future<Negotiation> transition(Negotiation n, Change change) {
    return transition(n, change, () -> store.move(n.id(), change));
  }

  /** {@link #transition(Negotiation, Change)} with the store write given by the caller. */
  private Future<Negotiation> transition(Negotiation n, Change change, Supplier<Future<Negotiation>> write) {
    return PartnerMessages.transition("negotiation", n, change.to(), write, runner);
  }

  /** A string member, or null when it is absent or not a string (a partner's JSON is never cast blindly). */
  private static String text(JsonObject o, String key) {
    return o.getValue(key) instanceof String s ? s : null;
  }

  // ---- queries, for the management API ----

  /** Every negotiation of this node, either role, oldest first. */
  public Future<java.util.List<Negotiation>> list() {
    return store.list();
  }

  /** The negotiation {@code id}; fails with {@link NotFound} when there is none. */
  public Future<Negotiation> find(String id) {
    return store.find(id);
  }

  /** Every agreement of this node, either role, in the order they were signed. */
  public Future<java.util.List<Agreement>> listAgreements() {
    return store.listAgreements();
  }

  /** The agreement {@code id}; fails with {@link NotFound} when there is none. */
  public Future<Agreement> findAgreement(String id) {
    return store.findAgreement(id);
  }
}
