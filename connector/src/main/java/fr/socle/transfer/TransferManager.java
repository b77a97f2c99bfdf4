package fr.socle.transfer;

import fr.socle.negotiation.Agreement;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.process.CounterParty;
import fr.socle.process.PartnerMessages;
import fr.socle.process.Role;
import fr.socle.policy.LocalizedText;
import fr.socle.protocol.Dsp;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.Refusal;
import fr.socle.protocol.DspMessage;
import fr.socle.process.StepRunner;
import fr.socle.process.Tuning;
import fr.socle.store.Conflict;
import fr.socle.store.NotFound;
import fr.socle.store.OnCreate;
import fr.socle.transfer.TransferStore.Change;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both sides of DSP transfer processes, in the same shape as negotiations: incoming messages
 * authenticate, load, check the owner, validate and transition; outgoing messages are sent only from
 * a persisted -ING state by {@link TransferSteps}. Either side may suspend, complete or terminate a
 * started transfer; only the provider starts it, and starts it again after a suspension, each time
 * with a fresh access token.
 *
 * <p>The format is chosen per transfer. In {@code HttpData-PULL} the start message carries the data
 * address the consumer pulls from. In {@code HttpData-PUSH} the request carries the destination
 * (by default this consumer node's own receiver, with a fresh token of which only the hash is kept),
 * the start message carries none, and a STARTED provider transfer is a pending push: its step pushes
 * ({@link Pusher}), then completes the transfer, or terminates it with the reason. A provider that
 * crashed mid-push finds the transfer STARTED at the next start and pushes it again.
 */
public final class TransferManager {

  /** A token that expires sooner than this is refreshed before use: a request takes some time to arrive. */
  static final Duration REFRESH_MARGIN = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(TransferManager.class);
  /** The widths of the columns that keep a partner's process id and callback address. */
  private static final int MAX_PID_CHARS = 200;
  private static final int MAX_ADDRESS_CHARS = 2000;

  private final TransferStore store;
  private final NegotiationStore agreements;
  private final DspClient client;
  private final Clock clock;
  private final String selfId;
  private final String selfAddress;
  private final StepRunner runner;
  private final TransferSteps steps;
  /** Bounds the rows and state machines one partner can make this node keep. */
  private final int maxOpenPerParticipant;

  public TransferManager(Vertx vertx, TransferStore store, NegotiationStore agreements, DspClient client,
      TransferDecisions decisions, TransferHook hook, Clock clock, String selfId, String selfAddress, EdrTokens tokens,
      Pusher pusher, int maxOpenPerParticipant) {
    this.store = store;
    this.maxOpenPerParticipant = maxOpenPerParticipant;
    this.agreements = agreements;
    this.client = client;
    this.clock = clock;
    this.selfId = selfId;
    this.selfAddress = selfAddress;
    this.steps = new TransferSteps(store, client, decisions, hook, selfId, selfAddress, tokens, pusher);
    this.runner = new StepRunner(vertx, "transfer", Tuning.DEFAULT, steps::step, steps::giveUp,
        () -> store.listUnfinished().map(list -> list.stream().map(Transfer::id).toList()));
  }

  /**
   * Re-runs the pending step of every unfinished transfer; called once at start-up. Those waiting for
   * the counter-party first ask it for its state: it may have moved on while this node was down.
   */
  public Future<Integer> resume() {
    return store.listUnfinished().map(list -> {
      list.forEach(t -> {
        steps.resumed(t.id());
        runner.kick(t.id());
      });
      return list.size();
    });
  }

  /** What a health probe shows of this state machine's step runner. */
  public StepRunner.Status runnerStatus() {
    return runner.status();
  }

  // ---- this node's initiative (operator) ----

  /**
   * Asks the provider of {@code agreementId} to start a transfer in {@code format}; for a push,
   * {@code destination} (a DataAddress) replaces this node's own receiver.
   */
  public Future<Transfer> request(String agreementId, String format, JsonObject destination) {
    return request(agreementId, format, destination, OnCreate.none());
  }

  /**
   * As {@link #request(String, String, JsonObject)}; {@code onCreate} runs in the transaction that
   * creates the transfer's row, before the state machine is kicked.
   */
  public Future<Transfer> request(String agreementId, String format, JsonObject destination,
      OnCreate<? super Transfer> onCreate) {
    if (!Dsp.HTTP_DATA_PULL.equals(format) && !Dsp.HTTP_DATA_PUSH.equals(format)) {
      return Future.failedFuture(new IllegalArgumentException("format: expected " + Dsp.HTTP_DATA_PULL + " or "
          + Dsp.HTTP_DATA_PUSH + ", got '" + format + "'"));
    }
    if (destination != null && !Dsp.HTTP_DATA_PUSH.equals(format)) {
      return Future.failedFuture(new IllegalArgumentException("dataDestination applies to " + Dsp.HTTP_DATA_PUSH
          + " only; a pull's data address comes from the provider"));
    }
    JsonObject given;
    try {
      given = destination == null ? null : PushDestination.parse(destination).toDataAddress();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("dataDestination: " + e.getMessage()));
    }
    String id = UUID.randomUUID().toString();
    // This node's own receiver is kept without a token: sendRequest draws one per attempt, and keeps its hash.
    JsonObject kept = given != null || !Dsp.HTTP_DATA_PUSH.equals(format) ? given
        : new JsonObject().put("@type", "DataAddress").put("endpointType", Dsp.HTTP_ENDPOINT_TYPE)
            .put("endpoint", DataAddresses.push(selfAddress, id));
    return agreements.findAgreement(agreementId)
        .compose(a -> agreements.find(a.negotiationId()))
        .compose(n -> {
          if (n.role() != Role.CONSUMER) {
            return Future.failedFuture(new IllegalArgumentException(
                "agreement " + agreementId + " was granted by this node; only its consumer can request a transfer"));
          }
          Instant now = clock.instant();
          Transfer t = Transfer.open(id, Role.CONSUMER, TransferState.REQUESTING,
              new CounterParty(n.counterPartyId(), null, n.counterPartyAddress()), agreementId, format, kept, now);
          return store.create(t, Integer.MAX_VALUE, onCreate);
        })
        .onSuccess(t -> runner.kick(t.id()));
  }

  /**
   * The data address of a STARTED consumer transfer, with an access token that is still valid: when
   * the provider's token expires within {@link #REFRESH_MARGIN}, a new one is asked for first (see
   * {@link DataAddresses#TOKEN_REFRESH}) and kept. A token that is not a JWT (another
   * connector's opaque token) is used as it is.
   */
  public Future<JsonObject> freshDataAddress(Transfer t) {
    JsonObject address = t.dataAddress();
    String token = DataFetcher.property(address, "authorization");
    Instant expires = DataFetcher.tokenExpiry(token);
    if (expires == null || expires.isAfter(clock.instant().plus(REFRESH_MARGIN))) {
      return Future.succeededFuture(address);
    }
    return client.post(address.getString("endpoint"), DataAddresses.TOKEN_REFRESH, t.counterPartyId(),
            new JsonObject().put("token", token))
        .compose(fresh -> {
          if (!(fresh.getValue("endpoint") instanceof String) || DataFetcher.property(fresh, "authorization") == null) {
            return Future.failedFuture(new IllegalStateException("the provider's refreshed data address lacks an"
                + " endpoint or a token: " + fresh.encode()));
          }
          return store.updateDataAddress(t.id(), TransferState.STARTED, fresh).map(fresh);
        });
  }

  /**
   * Suspends a started transfer on this node's initiative; the counter-party is told why. A provider
   * may also suspend a transfer its consumer suspended first: the suspension becomes the provider's,
   * which the consumer can no longer lift; no message is needed, both sides hold it suspended already.
   */
  public Future<Transfer> suspend(String id, String reason) {
    String detail = "suspended by " + selfId + ": " + reason;
    return store.find(id).compose(t -> {
      if (t.role() == Role.PROVIDER && t.state() == TransferState.SUSPENDED && !heldByProvider(t)) {
        return store.holdSuspension(t.id(), selfId, detail);
      }
      return local(t, Change.to(t.state(), TransferState.SUSPENDING).withDetail(detail));
    });
  }

  /**
   * Starts a suspended transfer again on this node's initiative. A provider asks its policy engine
   * first and, if allowed, sends a new start (a fresh access token, or a new push); a consumer asks
   * the provider to do so, which it may refuse.
   */
  public Future<Transfer> resumeTransfer(String id) {
    return store.find(id).compose(t -> local(t, Change.to(t.state(), TransferState.RESUMING)));
  }

  /** Terminates a transfer on this node's initiative; the counter-party is told why. */
  public Future<Transfer> terminate(String id, String reason) {
    return store.find(id).compose(t -> local(t, Change.to(t.state(), TransferState.TERMINATING)
        .withDetail("terminated by " + selfId + ": " + reason)));
  }

  /** {@link #terminate(String, String)} with the reason in English and French. */
  public Future<Transfer> terminate(String id, LocalizedText reason) {
    return store.find(id).compose(t -> local(t, Change.to(t.state(), TransferState.TERMINATING)
        .withDetail(reason.prefixed("terminated by " + selfId + ": ", "terminé par " + selfId + " : "))));
  }

  /**
   * Revokes agreement {@code agreementId}, which this node granted: from now on the policy engine
   * refuses every transfer and data request under it, and its transfers still running are terminated,
   * which closes their downloads at once and tells the consumer why.
   */
  public Future<Agreement> revokeAgreement(String agreementId, String reason) {
    return agreements.revoke(agreementId, selfId, reason).compose(revoked -> store.listUnfinished(agreementId)
        .compose(unfinished -> Future.join(unfinished.stream()
            .map(t -> terminate(t.id(), "agreement " + agreementId + " revoked: " + reason)
                .onFailure(e -> LOG.warn("transfer {} under revoked agreement {} not terminated: {}", t.id(),
                    agreementId, e.getMessage())))
            .toList()))
        .otherwiseEmpty()
        .map(revoked));
  }

  /** Tells the counter-party this node has done with a started transfer. */
  public Future<Transfer> complete(String id) {
    return store.find(id).compose(t -> local(t, Change.to(t.state(), TransferState.COMPLETING)));
  }

  // ---- DSP endpoints and callbacks ----

  /**
   * {@code POST /transfers/request}. The same consumer re-sending its request under the same
   * consumerPid (it did not hear the answer) gets the transfer the first one opened, in its current
   * state; the same consumerPid with another agreement, format or push endpoint is a 409.
   */
  public Future<Transfer> onTransferRequest(String caller, DspMessage message) {
    String consumerPid = message.requireString("consumerPid");
    String agreementId = message.requireString("agreementId");
    String format = message.requireString("format");
    String callback = message.requireString("callbackAddress");
    if (!Dsp.HTTP_DATA_PULL.equals(format) && !Dsp.HTTP_DATA_PUSH.equals(format)) {
      return Future.failedFuture(Refusal.invalid("unsupported format '" + format + "', expected "
          + Dsp.HTTP_DATA_PULL + " or " + Dsp.HTTP_DATA_PUSH));
    }
    if (consumerPid.length() > MAX_PID_CHARS || callback.length() > MAX_ADDRESS_CHARS) {
      return Future.failedFuture(Refusal.invalid("TransferRequestMessage: the consumerPid may have at most "
          + MAX_PID_CHARS + " characters and the callbackAddress " + MAX_ADDRESS_CHARS + ", got "
          + consumerPid.length() + " and " + callback.length()));
    }
    JsonObject destination = null;
    if (Dsp.HTTP_DATA_PUSH.equals(format)) {
      // Checked now, not at push time: a destination this node cannot use is the requester's error.
      try {
        destination = PushDestination.parse(message.body().getValue("dataAddress") instanceof JsonObject o ? o
            : null).toDataAddress();
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(Refusal.invalid("TransferRequestMessage: " + e.getMessage()));
      }
    }
    JsonObject pushTo = destination;
    return agreements.findAgreement(agreementId)
        .recover(e -> Future.failedFuture(e instanceof NotFound
            ? Refusal.invalid("unknown agreement '" + agreementId + "'") : e))
        .compose(a -> {
          if (!a.providerId().equals(selfId) || !a.consumerId().equals(caller)) {
            // Same answer as an unknown id: no one learns of others' agreements.
            return Future.failedFuture(Refusal.invalid("unknown agreement '" + agreementId + "'"));
          }
          Instant now = clock.instant();
          return store.createRequested(Transfer.open(UUID.randomUUID().toString(), Role.PROVIDER,
              TransferState.REQUESTED, new CounterParty(caller, consumerPid, callback), agreementId, format, pushTo,
                  now),
              maxOpenPerParticipant)
              .recover(PartnerMessages.openLimit("transfer"));
        })
        .compose(requested -> {
          Transfer t = requested.transfer();
          if (requested.created()) {
            runner.kick(t.id());
            return Future.succeededFuture(t);
          }
          return reSent(t, consumerPid, agreementId, format, pushTo);
        });
  }

  /** The answer to a request re-sent under the consumerPid of {@code t}, which it opened. */
  private Future<Transfer> reSent(Transfer t, String consumerPid, String agreementId, String format,
      JsonObject pushTo) {
    String endpoint = pushTo == null ? null : pushTo.getString("endpoint");
    String kept = t.destination() == null ? null : t.destination().getString("endpoint");
    if (!t.agreementId().equals(agreementId) || !t.format().equals(format) || !java.util.Objects.equals(kept,
        endpoint)) {
      return Future.failedFuture(new Refusal(Refusal.Kind.CONFLICT, "consumer_pid_in_use", "consumerPid " + consumerPid
          + " already names transfer " + t.id() + ", requested under agreement " + t.agreementId() + " in " + t.format()
          + (kept == null ? "" : " to " + kept) + "; a new transfer needs a new consumerPid",
          "le consumerPid " + consumerPid + " désigne déjà le transfert " + t.id() + ", demandé sous l'accord "
          + t.agreementId() + " en " + t.format() + (kept == null ? "" : " vers " + kept)
          + " ; un nouveau transfert demande un nouveau consumerPid"));
    }
    LOG.info("transfer request of {} under consumerPid {} re-sent: answered with transfer {}, {}",
        t.counterPartyId(), consumerPid, t.id(), t.state());
    if (pushTo == null || pushTo.equals(t.destination())
        || (t.state() != TransferState.REQUESTED && t.state() != TransferState.STARTING)) {
      return Future.succeededFuture(t);
    }
    // A consumer receiving the push itself draws a new token for each attempt and keeps the last one's
    // hash only: the push must carry that one. Once pushing, it is too late, and the push says so.
    return store.updateDestination(t.id(), t.state(), pushTo).map(t)
        .recover(e -> e instanceof Conflict ? Future.succeededFuture(t) : Future.failedFuture(e));
  }

  /**
   * {@code POST /transfers/:pid/start}. To a consumer: the provider started (or resumed) the
   * transfer, and the message carries the data address to keep. To a provider: the consumer asks to
   * resume a suspended transfer, which the provider does with a start message of its own.
   */
  public Future<Transfer> onStart(String caller, String pid, DspMessage message) {
    return owned(caller, pid, message).compose(t -> {
      if (t.role() == Role.PROVIDER) {
        if (t.state() == TransferState.SUSPENDED && heldByProvider(t)) {
          // The provider's suspension is its own to lift: a consumer cannot undo it.
          throw Refusal.invalidState("transfer " + t.id() + " was suspended by its provider " + selfId
              + ", which alone can resume it");
        }
        return transition(t, Change.to(t.state(), TransferState.RESUMING));
      }
      if (t.isPush()) {
        // The provider pushes: its start message carries no data address.
        return transition(t, Change.to(t.state(), TransferState.STARTED)
            .withCounterPartyPid(message.requireString("providerPid")));
      }
      JsonObject address = message.requireObject("dataAddress");
      if (!(address.getValue("endpoint") instanceof String)) {
        throw Refusal.invalid("TransferStartMessage.dataAddress requires an 'endpoint'");
      }
      return transition(t, Change.to(t.state(), TransferState.STARTED).withDataAddress(address)
          .withCounterPartyPid(message.requireString("providerPid")));
    });
  }

  /**
   * {@code POST /transfers/:pid/suspension}, from either side. When both sides suspend at once, the
   * provider's suspension prevails, in whatever order the messages cross: a consumer's suspension
   * reaching a provider that is sending its own leaves the provider's detail and holder (the
   * consumer's reason goes to the audit record), so that the consumer cannot lift it afterwards.
   */
  public Future<Transfer> onSuspension(String caller, String pid, DspMessage message) {
    return owned(caller, pid, message).compose(t -> {
      String said = "suspended by " + caller + ": " + message.body().getValue("reason", "no reason given");
      Change change = Change.to(t.state(), TransferState.SUSPENDED);
      if (t.role() == Role.PROVIDER && t.state() == TransferState.SUSPENDING) {
        return transition(t, change.withSuspendedBy(selfId).withNote(said));
      }
      return transition(t, change.withDetail(said).withSuspendedBy(caller));
    });
  }

  /** {@code POST /transfers/:pid/completion}, from either side. */
  public Future<Transfer> onCompletion(String caller, String pid, DspMessage message) {
    return owned(caller, pid, message).compose(t -> transition(t, TransferState.COMPLETED, null));
  }

  /** {@code POST /transfers/:pid/termination}, from either side. */
  public Future<Transfer> onTermination(String caller, String pid, DspMessage message) {
    // A Socle partner also gives its reason in French, shown to operators who read French.
    LocalizedText reason = new LocalizedText(String.valueOf(message.body().getValue("reason", "no reason given")),
        LocalizedText.frenchIn(message.body())).prefixed("terminated by " + caller + ": ",
            "terminé par " + caller + " : ");
    return owned(caller, pid, message).compose(t -> transition(t, Change.to(t.state(), TransferState.TERMINATED)
        .withDetail(reason)));
  }

  public Future<Transfer> get(String caller, String pid) {
    return store.find(pid).recover(PartnerMessages::unknown).map(t -> {
      if (!caller.equals(t.counterPartyId())) {
        throw Refusal.notFound("no transfer '" + pid + "'");
      }
      return t;
    });
  }

  public static JsonObject dspBody(Transfer t) {
    return pids(Dsp.message("TransferProcess"), t).put("state", t.state().dspState());
  }

  private Future<Transfer> owned(String caller, String pid, DspMessage message) {
    return store.find(pid).recover(PartnerMessages::unknown)
        .map(t -> PartnerMessages.owned(t, "transfer", caller, message));
  }

  private Future<Transfer> transition(Transfer t, TransferState to, String detail) {
    return transition(t, Change.to(t.state(), to).withDetail(detail));
  }

  /** A transition asked for by the counter-party: idempotent for redeliveries, 409 out of turn. */
  private Future<Transfer> transition(Transfer t, Change change) {
    return PartnerMessages.transition("transfer", t, change.to(), () -> store.move(t.id(), change), runner);
  }

  /** A transition asked for by the local operator rather than a partner. */
  private Future<Transfer> local(Transfer t, Change change) {
    if (!t.state().canMoveTo(change.to())) {
      return Future.failedFuture(new Conflict("transfer " + t.id() + " is " + t.state()
          + " and cannot become " + change.to()));
    }
    return store.move(t.id(), change).onSuccess(moved -> runner.kick(moved.id()));
  }

  /**
   * Whether the suspension of provider transfer {@code t} is this provider's own. A suspended row
   * without holder was suspended before the holder had a column: the detail that named it could be
   * written by the consumer's message, so such a suspension is taken for the provider's (fail closed).
   */
  private boolean heldByProvider(Transfer t) {
    return t.suspendedBy() == null || selfId.equals(t.suspendedBy());
  }

  static JsonObject pids(JsonObject message, Transfer t) {
    return message.put("providerPid", t.providerPid()).put("consumerPid", t.consumerPid());
  }

  // ---- queries, for the management API ----

  /** Every transfer of this node, either role, oldest first. */
  public Future<java.util.List<Transfer>> list() {
    return store.list();
  }

  /** The transfer {@code id}; fails with {@link NotFound} when there is none. */
  public Future<Transfer> find(String id) {
    return store.find(id);
  }
}
