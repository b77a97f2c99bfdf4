package fr.socle.dataplane;

import fr.socle.audit.AuditLog;
import fr.socle.audit.AuditType;
import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import fr.socle.catalog.CatalogStore;
import fr.socle.negotiation.Agreement;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.negotiation.Role;
import fr.socle.policy.Decision;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.Scope;
import fr.socle.protocol.PeerAuthenticator;
import fr.socle.protocol.DspException;
import fr.socle.store.NotFound;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferState;
import fr.socle.transfer.TransferStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's data endpoint for HTTP pull. Each request must come from the transfer's consumer
 * (mTLS), carry the transfer's bearer token, find the transfer STARTED, and be allowed by the policy
 * engine's {@code access} decision with the agreement's current usage count; only then are the bytes
 * streamed from the source, with back-pressure and no full buffering.
 */
public final class PublicEndpoint {

  private static final Logger LOG = LoggerFactory.getLogger(PublicEndpoint.class);

  private final PeerAuthenticator authenticator;
  private final TransferStore transfers;
  private final NegotiationStore agreements;
  private final CatalogStore catalog;
  private final DecisionPoint policy;
  private final DecisionInputs inputs;
  private final SourceStreamer files;
  private final SourceStreamer http;
  private final SourceStreamer sql;
  private final int maxStreamsPerParticipant;
  private final AuditLog audit;
  // Touched only on the event loop serving this endpoint.
  private final Map<String, Integer> streams = new HashMap<>();

  public PublicEndpoint(Vertx vertx, PeerAuthenticator authenticator, TransferStore transfers,
      NegotiationStore agreements, CatalogStore catalog, DecisionPoint policy, DecisionInputs inputs, Path dataDir,
      Map<String, SqlDatabase> databases, int maxStreamsPerParticipant, long sourceTimeoutMillis, AuditLog audit) {
    this.authenticator = authenticator;
    this.transfers = transfers;
    this.agreements = agreements;
    this.catalog = catalog;
    this.policy = policy;
    this.inputs = inputs;
    this.files = new FileStreamer(vertx, dataDir, new FileDigests(vertx));
    this.http = new HttpStreamer(vertx, sourceTimeoutMillis);
    this.sql = new SqlCsvStreamer(vertx, databases, sourceTimeoutMillis);
    this.maxStreamsPerParticipant = maxStreamsPerParticipant;
    this.audit = audit;
  }

  public void mount(Router router) {
    router.get("/public/transfers/:pid").handler(this::serve);
  }

  private void serve(RoutingContext ctx) {
    String caller = authenticator.authenticate(ctx);
    String token = bearer(ctx.request().getHeader("Authorization"));
    String pid = ctx.pathParam("pid");
    transfers.find(pid)
        .recover(e -> Future.failedFuture(e instanceof NotFound ? unauthorized() : e))
        .compose(t -> {
          if (t.role() != Role.PROVIDER || !caller.equals(t.counterPartyId())
              || !AccessTokens.matches(token, t.tokenHash())) {
            return Future.failedFuture(unauthorized());
          }
          // STARTING/RESUMING: the provider decided to start, stored the token's hash and is delivering
          // it; a consumer holding that token may already use it.
          if (t.state() != TransferState.STARTED && t.state() != TransferState.STARTING
              && t.state() != TransferState.RESUMING) {
            return Future.failedFuture(DspException.forbidden("transfer " + pid + " is " + t.state().dspState()
                + "; data flows only while it is STARTED"));
          }
          return authorize(t).map(asset -> new Access(t, asset));
        })
        .onSuccess(access -> stream(ctx, caller, access))
        .onFailure(ctx::fail);
  }

  private Future<Asset> authorize(Transfer t) {
    return agreements.findAgreement(t.agreementId()).compose(a -> agreements.countAccess(a.id())
        .compose(before -> catalog.findAsset(a.assetId()).compose(asset -> policy.decide(Scope.ACCESS,
                inputs.build(Scope.ACCESS, t.counterPartyId(), asset.id(), asset.classification(), a.body(),
                    a.signedAt(), before))
            .compose(decision -> decision.allow() ? Future.succeededFuture(asset)
                : Future.failedFuture(refused(a, decision))))));
  }

  /** One allowed request: the transfer it belongs to and the asset it reads. */
  private record Access(Transfer transfer, Asset asset) {
  }

  private void stream(RoutingContext ctx, String consumer, Access access) {
    Asset asset = access.asset();
    int active = streams.merge(consumer, 1, Integer::sum);
    AtomicBoolean ended = new AtomicBoolean();
    if (active > maxStreamsPerParticipant) {
      release(consumer, ended);
      ctx.fail(new DspException(429, "too_many_transfers", consumer + " already has " + maxStreamsPerParticipant
          + " downloads in progress on this node; retry when one ends"));
      return;
    }
    ctx.response().closeHandler(v -> served(ctx, consumer, access, ended, false));
    ctx.response().endHandler(v -> served(ctx, consumer, access, ended, true));
    streamerFor(asset).stream(asset, ctx.request(), ctx.response()).onFailure(e -> {
      if (!ctx.response().headWritten()) {
        LOG.warn("source of asset {} unavailable: {}", asset.id(), e.getMessage());
        ctx.fail(new DspException(502, "source_unavailable", e.getMessage()));
      } else {
        LOG.info("download of {} interrupted: {}", asset.id(), e.getMessage());
        ctx.response().reset();
      }
    });
  }

  /** Once per response, whichever of end and close comes first: frees the slot and records what was served. */
  private void served(RoutingContext ctx, String consumer, Access access, AtomicBoolean ended, boolean complete) {
    if (!release(consumer, ended)) {
      return;
    }
    JsonObject payload = new JsonObject().put("transfer", access.transfer().id())
        .put("agreement", access.transfer().agreementId()).put("participant", consumer)
        .put("asset", access.asset().id()).put("status", ctx.response().getStatusCode())
        .put("range", ctx.request().getHeader("Range")).put("bytes", ctx.response().bytesWritten())
        .put("complete", complete);
    audit.append(AuditType.DATA_ACCESS, access.transfer().id(), payload)
        .onFailure(e -> LOG.error("cannot record a data access in the audit log: {}", e.getMessage()));
  }

  private boolean release(String consumer, AtomicBoolean ended) {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    streams.computeIfPresent(consumer, (k, n) -> n <= 1 ? null : n - 1);
    return true;
  }

  private SourceStreamer streamerFor(Asset asset) {
    if (asset.source() instanceof AssetSource.FileSource) {
      return files;
    }
    return asset.source() instanceof AssetSource.HttpSource ? http : sql;
  }

  private static DspException refused(Agreement a, Decision decision) {
    return new DspException(403, "access_denied", "access under agreement " + a.id() + " refused: "
        + decision.summary(), "accès refusé au titre de l'accord " + a.id() + " : " + decision.summary("fr"));
  }

  private static DspException unauthorized() {
    return new DspException(401, "invalid_token", "the access token is missing, unknown or not for this caller");
  }

  private static String bearer(String header) {
    if (header == null) {
      return null;
    }
    return header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : header.trim();
  }

}
