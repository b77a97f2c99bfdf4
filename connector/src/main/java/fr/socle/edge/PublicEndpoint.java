package fr.socle.edge;

import fr.socle.catalog.Asset;
import fr.socle.dataplane.DataSink;
import fr.socle.dataplane.SourceUnavailable;
import fr.socle.dataplane.StreamTuning;
import fr.socle.policy.LocalizedText;
import fr.socle.process.Role;
import fr.socle.protocol.PeerAuthenticator;
import fr.socle.protocol.Refusal;
import fr.socle.store.NotFound;
import fr.socle.transfer.DataAccess;
import fr.socle.transfer.DataAddresses;
import fr.socle.transfer.EdrTokens;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferDecisions;
import fr.socle.transfer.TransferStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's data endpoint for HTTP pull. Each request must come from the transfer's consumer
 * (mTLS and node token), carry a valid access token of the transfer's current start ({@link EdrTokens}),
 * find the transfer STARTED, and be allowed by the policy engine's {@code access} decision with the
 * agreement's current usage count; only then are the bytes streamed from the source, with
 * back-pressure and no full buffering.
 *
 * <p>Responses in progress are kept per transfer: when the transfer leaves STARTED (suspended,
 * terminated, completed), {@link #cut} resets them at once rather than letting a download that was
 * authorised before the change run to its end.
 *
 * <p>A source that cannot be read (file missing, backend unreachable or failing) is a 502
 * {@code source_unavailable} to the consumer, and the transfer is terminated with that reason: a
 * generic one naming the transfer ({@link DataAccess#sourceFailed}); what failed, with its host, port,
 * SQL error or path, goes to this node's log and the attempt's audit entry only.
 *
 * <p>{@code POST /public/transfers/:pid/token} refreshes an access token. The caller authenticates as
 * on DSP endpoints (mTLS and its node token in {@code Authorization}) and sends the token it holds as
 * {@code {"token": ...}}, expired or not: its signature and binding prove it belongs to the transfer's
 * current start. The transfer must be STARTED and the policy engine's {@code transfer} decision must
 * still allow it (a revoked or expired agreement gets no new token); the answer is a new data address.
 */
public final class PublicEndpoint {

  private static final Logger LOG = LoggerFactory.getLogger(PublicEndpoint.class);

  private final PeerAuthenticator authenticator;
  private final PeerAuthenticator dspAuthenticator;
  private final EdrTokens tokens;
  private final TransferStore transfers;
  private final TransferDecisions decisions;
  private final DataAccess access;
  private final BiConsumer<String, LocalizedText> sourceFailed;
  private final String selfAddress;
  // Responses in progress per transfer id, for cut(); touched only on the event loop serving this endpoint.
  private final Map<String, Set<HttpServerResponse>> open = new HashMap<>();

  public PublicEndpoint(PeerAuthenticator authenticator, PeerAuthenticator dspAuthenticator, EdrTokens tokens,
      TransferStore transfers, TransferDecisions decisions, DataAccess access,
      BiConsumer<String, LocalizedText> sourceFailed, String selfAddress) {
    this.sourceFailed = sourceFailed;
    this.selfAddress = selfAddress;
    this.authenticator = authenticator;
    this.dspAuthenticator = dspAuthenticator;
    this.tokens = tokens;
    this.transfers = transfers;
    this.decisions = decisions;
    this.access = access;
  }

  public void mount(Router router) {
    router.get(DataAddresses.PULL_ROUTE).handler(this::serve);
    router.post(DataAddresses.PULL_ROUTE + DataAddresses.TOKEN_REFRESH).handler(this::refresh);
  }

  /**
   * Resets every response in progress for transfer {@code id}; called when the transfer leaves
   * STARTED. The consumer sees its connection closed before the announced length, never a body it
   * could take for complete.
   */
  public void cut(String id, String why) {
    Set<HttpServerResponse> responses = open.remove(id);
    if (responses != null) {
      LOG.info("closing {} download(s) of transfer {}: {}", responses.size(), id, why);
      // A copy: reset() runs the close handlers, which remove themselves from the set.
      for (HttpServerResponse response : List.copyOf(responses)) {
        response.reset();
      }
    }
  }

  private void serve(RoutingContext ctx) {
    String caller = authenticator.authenticate(ctx);
    String token = bearer(ctx.request().getHeader("Authorization"));
    String pid = ctx.pathParam("pid");
    if (token == null) {
      // Said before any lookup: the caller learns nothing about which transfers exist.
      ctx.fail(refused(ctx, new EdrTokens.Rejected(EdrTokens.Reason.TOKEN_MISSING,
          "an access token is required in Authorization (Bearer)")));
      return;
    }
    providerTransfer(pid)
        .compose(t -> {
          if (tokens.verify(token, caller, t, EdrTokens.Expiry.ENFORCED) instanceof EdrTokens.Rejected r) {
            return Future.failedFuture(refused(ctx, r));
          }
          // STARTING/RESUMING: the provider decided to start, stored the start's hash and is delivering
          // the token; a consumer holding that token may already use it.
          if (!t.state().servesData()) {
            return Future.failedFuture(Refusal.forbidden("transfer " + pid + " is " + t.state().dspState()
                + "; data flows only while it is STARTED"));
          }
          return access.authorize(t).map(asset -> new Access(t, asset));
        })
        .onSuccess(access -> stream(ctx, caller, access))
        .onFailure(ctx::fail);
  }

  /** This node's provider transfer {@code pid}; a consumer's, like an unknown id, is not found. */
  private Future<Transfer> providerTransfer(String pid) {
    return transfers.find(pid)
        .recover(e -> Future.failedFuture(e instanceof NotFound ? unknown(pid) : e))
        .compose(t -> t.role() == Role.PROVIDER ? Future.succeededFuture(t) : Future.failedFuture(unknown(pid)));
  }

  private void refresh(RoutingContext ctx) {
    String caller = dspAuthenticator.authenticate(ctx);
    String pid = ctx.pathParam("pid");
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    String token = body == null ? null : body.getValue("token") instanceof String s ? s : null;
    if (token == null) {
      ctx.fail(Refusal.invalid("a token refresh needs a JSON body {\"token\": <the access token held>}"));
      return;
    }
    providerTransfer(pid)
        .compose(t -> {
          EdrTokens.Check check = tokens.verify(token, caller, t, EdrTokens.Expiry.IGNORED);
          if (check instanceof EdrTokens.Rejected r) {
            return Future.failedFuture(refused(ctx, r));
          }
          String sid = ((EdrTokens.Valid) check).sid();
          // As for data requests, STARTING/RESUMING count: the consumer may hold the start's token (and
          // refresh it) before this node has processed the acknowledgement of its start message.
          if (!t.state().servesData()) {
            return Future.failedFuture(Refusal.forbidden("transfer " + pid + " is " + t.state().dspState()
                + "; a token is refreshed only while it is STARTED"));
          }
          return decisions.decide(t).compose(decision -> decision.allow()
              ? Future.succeededFuture(EdrTokens.dataAddress(DataAddresses.pull(selfAddress, pid), tokens.issue(t,
                  sid)))
              : Future.failedFuture(new Refusal(Refusal.Kind.FORBIDDEN, "refresh_denied",
                  "no new access token under agreement "
                  + t.agreementId() + ": " + decision.summary())));
        })
        .onSuccess(address -> ctx.response().putHeader("Content-Type", "application/json").end(address.toBuffer()))
        .onFailure(ctx::fail);
  }

  /** One allowed request: the transfer it belongs to and the asset it reads. */
  private record Access(Transfer transfer, Asset asset) {
  }

  private void stream(RoutingContext ctx, String consumer, Access allowed) {
    Asset asset = allowed.asset();
    AtomicBoolean ended = new AtomicBoolean();
    // Why the body did not go out whole, for the audit entry only: never in what the consumer reads.
    AtomicReference<String> failure = new AtomicReference<>();
    String id = allowed.transfer().id();
    HttpServerResponse response = ctx.response();
    open.computeIfAbsent(id, k -> new HashSet<>()).add(response);
    response.closeHandler(v -> served(ctx, consumer, allowed, ended, failure, false));
    response.endHandler(v -> served(ctx, consumer, allowed, ended, failure, true));
    StreamTuning.bulk(response);
    DataSink sink = DataSink.response(response);
    access.stream(asset, ctx.request().getHeader("Range"), sink).onFailure(e -> {
      failure.set(DataAccess.detail(e));
      if (!sink.opened()) {
        LocalizedText reason = access.sourceFailed(allowed.transfer(), asset, e);
        ctx.fail(new Refusal(Refusal.Kind.SOURCE_FAILED, DataAccess.SOURCE_UNAVAILABLE, reason.en(), reason.fr()));
        if (e instanceof SourceUnavailable) {
          // The transfer cannot deliver: it ends TERMINATED with the reason, rather than staying
          // STARTED for a consumer that would retry in vain.
          sourceFailed.accept(id, reason);
        }
      } else {
        LOG.info("download of {} interrupted: {}", asset.id(), e.getMessage());
        sink.reset();
      }
    });
  }

  /** Once per response, whichever of end and close comes first: frees the slot and records what was served. */
  private void served(RoutingContext ctx, String consumer, Access allowed, AtomicBoolean ended,
      AtomicReference<String> failure, boolean complete) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    access.release(consumer);
    Set<HttpServerResponse> responses = open.get(allowed.transfer().id());
    if (responses != null && responses.remove(ctx.response()) && responses.isEmpty()) {
      open.remove(allowed.transfer().id());
    }
    JsonObject details = new JsonObject()
        .put("status", ctx.response().getStatusCode()).put("range", ctx.request().getHeader("Range"))
        .put("bytes", ctx.response().bytesWritten()).put("complete", complete);
    if (failure.get() != null) {
      details.put("error", failure.get());
    }
    access.record(allowed.transfer(), consumer, allowed.asset(), "pull", details);
  }

  private static Refusal unknown(String pid) {
    return new Refusal(Refusal.Kind.UNAUTHENTICATED, "invalid_token",
        "no transfer " + pid + " of this provider for this access token");
  }

  /** A refused token: 401 with the RFC 6750 challenge when the token is not acceptable, 403 when misused. */
  private static Refusal refused(RoutingContext ctx, EdrTokens.Rejected r) {
    if (!r.reason().misused()) {
      ctx.response().putHeader("WWW-Authenticate", r.reason() == EdrTokens.Reason.TOKEN_MISSING ? "Bearer"
          : "Bearer error=\"invalid_token\"");
    }
    return new Refusal(r.reason().misused() ? Refusal.Kind.FORBIDDEN : Refusal.Kind.UNAUTHENTICATED, r.reason().code(),
        r.detail());
  }

  private static String bearer(String header) {
    if (header == null) {
      return null;
    }
    return header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : header.trim();
  }

}
