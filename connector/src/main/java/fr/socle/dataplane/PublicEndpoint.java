package fr.socle.dataplane;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import fr.socle.catalog.CatalogStore;
import fr.socle.negotiation.Agreement;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.negotiation.Role;
import fr.socle.policy.Decision;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.PolicyEngine;
import fr.socle.policy.Scope;
import fr.socle.protocol.PeerAuthenticator;
import fr.socle.protocol.DspException;
import fr.socle.store.NotFound;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferState;
import fr.socle.transfer.TransferStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
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
  private final PolicyEngine policy;
  private final DecisionInputs inputs;
  private final SourceStreamer files;
  private final SourceStreamer http;
  private final SourceStreamer sql;
  private final int maxStreamsPerParticipant;
  // Touched only on the event loop serving this endpoint.
  private final Map<String, Integer> streams = new HashMap<>();

  public PublicEndpoint(Vertx vertx, PeerAuthenticator authenticator, TransferStore transfers,
      NegotiationStore agreements, CatalogStore catalog, PolicyEngine policy, DecisionInputs inputs, Path dataDir,
      Map<String, SqlDatabase> databases, int maxStreamsPerParticipant, long sourceTimeoutMillis) {
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
          if (t.state() != TransferState.STARTED) {
            return Future.failedFuture(DspException.forbidden("transfer " + pid + " is " + t.state().dspState()
                + "; data flows only while it is STARTED"));
          }
          return authorize(t);
        })
        .onSuccess(asset -> stream(ctx, caller, asset))
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

  private void stream(RoutingContext ctx, String consumer, Asset asset) {
    int active = streams.merge(consumer, 1, Integer::sum);
    if (active > maxStreamsPerParticipant) {
      release(consumer);
      ctx.fail(new DspException(429, "too_many_transfers", consumer + " already has " + maxStreamsPerParticipant
          + " downloads in progress on this node; retry when one ends"));
      return;
    }
    ctx.response().closeHandler(v -> release(consumer));
    ctx.response().endHandler(v -> release(consumer));
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

  private void release(String consumer) {
    // Close and end may both fire for one response: count each stream once.
    streams.computeIfPresent(consumer, (k, n) -> n <= 1 ? null : n - 1);
  }

  private SourceStreamer streamerFor(Asset asset) {
    if (asset.source() instanceof AssetSource.FileSource) {
      return files;
    }
    return asset.source() instanceof AssetSource.HttpSource ? http : sql;
  }

  private static DspException refused(Agreement a, Decision decision) {
    return new DspException(403, "access_denied", "access under agreement " + a.id() + " refused: "
        + decision.summary());
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
