package fr.socle.transfer;

import fr.socle.process.ProcessSteps;
import fr.socle.process.Role;
import fr.socle.policy.Decision;
import fr.socle.policy.LocalizedText;
import fr.socle.protocol.Dsp;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.PartnerState;
import fr.socle.transfer.TransferHook.Move;
import fr.socle.transfer.TransferStore.Change;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a transfer process: what this node does from each persisted state, run by the
 * {@link fr.socle.process.StepRunner} as soon as a state is committed and again at start-up.
 *
 * <p>From an -ING state it sends the message and records the -ED state once the counter-party
 * acknowledged it (a crash in between resends it). In a settled state where this node has the next
 * move, the {@link TransferHook} may choose it; otherwise the provider asks its policy engine on a
 * request and pushes a STARTED {@code HttpData-PUSH} transfer, and both wait for the counter-party.
 *
 * <p>A transfer found waiting for the counter-party at start-up, a message refused for good and a
 * transfer about to be given up are first brought level with the counter-party's own record of it
 * ({@link TransferConvergence}): it may have moved on while this node was not listening.
 */
final class TransferSteps extends ProcessSteps<Transfer, TransferState> {

  private static final Logger LOG = LoggerFactory.getLogger(TransferSteps.class);

  private final TransferStore store;
  private final TransferDecisions decisions;
  private final TransferHook hook;
  private final String selfId;
  private final String selfAddress;
  private final EdrTokens tokens;
  private final Pusher pusher;

  TransferSteps(TransferStore store, DspClient client, TransferDecisions decisions, TransferHook hook,
      String selfId, String selfAddress,
      EdrTokens tokens, Pusher pusher) {
    super("transfer", new PartnerRecord("/transfers/", "TransferProcess", PartnerState.TRANSFER_STATES), client);
    this.store = store;
    this.decisions = decisions;
    this.hook = hook;
    this.selfId = selfId;
    this.selfAddress = selfAddress;
    this.tokens = tokens;
    this.pusher = pusher;
  }

  /**
   * Whether the next move is the counter-party's (or an operator's), so that nothing is resent: a
   * provider's STARTED push is its own to push.
   */
  @Override
  protected boolean waitsForCounterParty(Transfer t) {
    return t.counterPartyPid() != null && switch (t.state()) {
      case REQUESTED -> t.role() == Role.CONSUMER;
      case STARTED -> t.role() == Role.CONSUMER || !t.isPush();
      case SUSPENDED -> true;
      default -> false;
    };
  }

  @Override
  protected Future<Boolean> stepIn(Transfer t) {
    return switch (t.state()) {
      case REQUESTING -> sendRequest(t);
      case REQUESTED, STARTED, SUSPENDED -> settle(t);
      case STARTING -> sendStart(t);
      case RESUMING -> t.role() == Role.PROVIDER ? resume(t) : askToResume(t);
      case SUSPENDING -> send(t, "suspension", Dsp.message("TransferSuspensionMessage").put("code", "suspended")
          .put("reason", new JsonArray().add(t.detail() == null ? "suspended" : t.detail())), TransferState.SUSPENDED);
      case COMPLETING -> send(t, "completion", Dsp.message("TransferCompletionMessage"), TransferState.COMPLETED);
      case TERMINATING -> sendTermination(t);
      case COMPLETED, TERMINATED -> Future.succeededFuture(false);
    };
  }

  private Future<Boolean> sendRequest(Transfer t) {
    JsonObject message = Dsp.message("TransferRequestMessage").put("consumerPid", t.id())
        .put("agreementId", t.agreementId()).put("format", t.format()).put("callbackAddress", selfAddress);
    Future<Void> ready = Future.succeededFuture();
    if (t.isPush() && t.destination() != null && DataFetcher.property(t.destination(), "authorization") != null) {
      message.put("dataAddress", t.destination());
    } else if (t.isPush()) {
      // This node receives the push itself: a fresh token per attempt, its hash stored before it leaves.
      String token = AccessTokens.generate();
      message.put("dataAddress", EdrTokens.dataAddress(DataAddresses.push(selfAddress, t.id()), token));
      ready = store.prepareToken(t.id(), t.state(), AccessTokens.hash(token));
    }
    return ready.compose(v -> client.post(t.counterPartyAddress(), "/transfers/request", t.counterPartyId(), message))
        .transform(sent -> {
          if (sent.failed()) {
            DspClient.PeerRefused refused = DspClient.PeerRefused.definitiveIn(sent.cause());
            return refused == null ? Future.failedFuture(sent.cause())
                : advance(t, Change.to(t.state(), TransferState.TERMINATED).withDetail("the provider refused the"
                    + " request (HTTP " + refused.status() + "): " + refused.reason()));
          }
          String providerPid = sent.result().getString("providerPid");
          if (providerPid == null) {
            return Future.failedFuture("the provider's answer has no providerPid: " + sent.result().encode());
          }
          if (terminatedIn(sent.result(), providerPid, t.id())) {
            // A re-sent request answered with the transfer it opened first, which has ended since.
            return advance(t, Change.to(t.state(), TransferState.TERMINATED).withCounterPartyPid(providerPid)
                .withDetail(new LocalizedText("terminated by " + t.counterPartyId() + ", which answered the request"
                    + " with transfer " + providerPid + ", TERMINATED", "terminé par " + t.counterPartyId()
                    + ", qui a répondu à la demande par le transfert " + providerPid + ", TERMINATED")));
          }
          return advance(t, Change.to(t.state(), TransferState.REQUESTED).withCounterPartyPid(providerPid));
        });
  }

  /** A settled state: the hook's move, or the node's own (the provider decides on a request; otherwise wait). */
  private Future<Boolean> settle(Transfer t) {
    Move move = hook.next(t);
    TransferState state = t.state();
    boolean provider = t.role() == Role.PROVIDER;
    if (move == Move.DEFAULT) {
      if (provider && state == TransferState.STARTED && t.isPush()) {
        return push(t);
      }
      return provider && state == TransferState.REQUESTED ? decide(t) : Future.succeededFuture(false);
    }
    if (move == Move.WAIT) {
      return Future.succeededFuture(false);
    }
    if (move == Move.TERMINATE) {
      return advance(t, Change.to(state, TransferState.TERMINATING).withDetail("terminated by " + selfId));
    }
    if (move == Move.SUSPEND && state == TransferState.STARTED) {
      return advance(t, Change.to(state, TransferState.SUSPENDING)
          .withDetail("suspended by " + selfId + ": its transfer hook's move"));
    }
    if (move == Move.COMPLETE && state == TransferState.STARTED) {
      return advance(t, Change.to(state, TransferState.COMPLETING));
    }
    if (move == Move.RESUME && provider && state == TransferState.SUSPENDED) {
      return advance(t, Change.to(state, TransferState.RESUMING));
    }
    return Future.failedFuture(new IllegalStateException("the transfer hook chose " + move + " for a " + t.role()
        + " transfer in " + state + ", where it does not apply"));
  }

  private Future<Boolean> decide(Transfer t) {
    return decisions.decide(t).compose(decision -> decision.allow()
        ? advance(t, Change.to(t.state(), TransferState.STARTING))
        : refuse(t, decision));
  }

  /**
   * A suspended transfer starts again only if the policy still allows it: the agreement may have been
   * revoked, have expired or have used up its count while the transfer was suspended.
   */
  private Future<Boolean> resume(Transfer t) {
    return decisions.decide(t).compose(decision -> decision.allow() ? sendStart(t) : refuse(t, decision));
  }

  private Future<Boolean> refuse(Transfer t, Decision decision) {
    LOG.info("transfer {} refused for {}: {}", t.id(), t.counterPartyId(), decision.summary());
    return advance(t, Change.to(t.state(), TransferState.TERMINATING).withDetail(decision.localizedSummary()));
  }

  /**
   * Consumer: asks the provider to start a suspended transfer again (a start message of its own,
   * without data address), then waits, SUSPENDED, for the provider's start, which may also arrive
   * before the acknowledgement and move the transfer to STARTED first.
   */
  private Future<Boolean> askToResume(Transfer t) {
    return client.post(t.counterPartyAddress(), "/transfers/" + t.providerPid() + "/start", t.counterPartyId(),
            TransferManager.pids(Dsp.message("TransferStartMessage"), t))
        .transform(asked -> {
          if (asked.succeeded()) {
            return advance(t, Change.to(TransferState.RESUMING, TransferState.SUSPENDED)
                .withDetail("resumption asked of " + t.counterPartyId() + ", waiting for its start"));
          }
          DspClient.PeerRefused refused = DspClient.PeerRefused.definitiveIn(asked.cause());
          if (refused != null) {
            // The transfer stays suspended, with the provider's reason, unless the provider shows it ended.
            return converge(t).otherwise(false).compose(moved -> moved ? Future.succeededFuture(true)
                : advance(t, Change.to(TransferState.RESUMING, TransferState.SUSPENDED)
                    .withDetail("the provider refused to resume (HTTP " + refused.status() + "): "
                        + refused.reason())));
          }
          return Future.failedFuture(asked.cause());
        });
  }

  /**
   * A STARTED push: pushed whole, then completed; or terminated with the reason the consumer will
   * read. A consumer out of stream slots is retried later by the runner (a failed step).
   */
  private Future<Boolean> push(Transfer t) {
    return pusher.push(t).transform(pushed -> {
      if (pushed.succeeded()) {
        return advance(t, Change.to(TransferState.STARTED, TransferState.COMPLETING));
      }
      if (pushed.cause() instanceof Pusher.PushFailed failed) {
        LOG.info("push of transfer {} to {} failed: {}", t.id(), t.counterPartyId(), failed.getMessage());
        return advance(t, Change.to(TransferState.STARTED, TransferState.TERMINATING)
            .withDetail(new LocalizedText(failed.getMessage(), failed.french())));
      }
      return Future.failedFuture(pushed.cause());
    });
  }

  /**
   * Starts or resumes: a fresh start id per attempt, of which only the hash is kept, and an access
   * token signed for it. Tokens of an earlier start stop working as soon as the hash is replaced.
   */
  private Future<Boolean> sendStart(Transfer t) {
    if (t.isPush()) {
      // No data address and no access token: this node sends the data, once the start is acknowledged.
      return client.post(t.counterPartyAddress(), "/transfers/" + t.consumerPid() + "/start", t.counterPartyId(),
              TransferManager.pids(Dsp.message("TransferStartMessage"), t))
          .transform(sent -> sent.succeeded() ? advance(t, Change.to(t.state(), TransferState.STARTED))
              : refused(t, sent.cause()));
    }
    String sid = EdrTokens.newStart();
    JsonObject address = EdrTokens.dataAddress(DataAddresses.pull(selfAddress, t.id()),
        tokens.issue(t, sid));
    // The hash is stored before the token leaves: the consumer may use it before the acknowledgement is back.
    return store.prepareToken(t.id(), t.state(), AccessTokens.hash(sid))
        .compose(v -> client.post(t.counterPartyAddress(), "/transfers/" + t.consumerPid() + "/start",
            t.counterPartyId(), TransferManager.pids(Dsp.message("TransferStartMessage"), t).put("dataAddress",
                address))
            .transform(sent -> sent.succeeded() ? advance(t, Change.to(t.state(), TransferState.STARTED))
                : refused(t, sent.cause())));
  }

  private Future<Boolean> send(Transfer t, String action, JsonObject message, TransferState done) {
    Change change = Change.to(t.state(), done);
    // This node's own suspension, delivered: it holds the transfer suspended (see TransferManager#onSuspension).
    Change sent = done == TransferState.SUSPENDED ? change.withSuspendedBy(selfId) : change;
    return client.post(t.counterPartyAddress(), "/transfers/" + t.counterPartyPid() + "/" + action,
            t.counterPartyId(), TransferManager.pids(message, t))
        .transform(posted -> posted.succeeded() ? advance(t, sent) : refused(t, posted.cause()));
  }

  private Future<Boolean> sendTermination(Transfer t) {
    if (t.counterPartyPid() == null) {
      // The provider never acknowledged the request: there is no process of theirs to terminate.
      return advance(t, Change.to(t.state(), TransferState.TERMINATED));
    }
    JsonObject message = Dsp.message("TransferTerminationMessage").put("code", "terminated")
        .put("reason", new JsonArray().add(t.detail() == null ? "terminated" : t.detail()));
    return send(t, "termination", t.detail() == null ? message
        : new LocalizedText(t.detail(), t.detailFr()).writeTo(message), TransferState.TERMINATED);
  }

  private Future<Boolean> advance(Transfer t, Change change) {
    return advanced(t, change.to(), store.move(t.id(), change));
  }

  @Override
  protected Future<Transfer> find(String id) {
    return store.find(id);
  }

  @Override
  protected TransferState target(Role role, TransferState local, String partner) {
    return TransferConvergence.target(role, local, partner);
  }

  @Override
  protected TransferState terminated() {
    return TransferState.TERMINATED;
  }

  @Override
  protected Future<Transfer> moveTo(Transfer t, TransferState to, String note, LocalizedText detail) {
    Change change = Change.to(t.state(), to).withNote(note);
    if (to == TransferState.SUSPENDED) {
      // Only from SUSPENDING (TransferConvergence): this node's own suspension was heard.
      change = change.withSuspendedBy(selfId);
    }
    return store.move(t.id(), detail == null ? change : change.withDetail(detail));
  }

  @Override
  protected LocalizedText terminatedByCounterParty(Transfer t) {
    return TransferConvergence.terminatedBy(t.counterPartyId());
  }
}
