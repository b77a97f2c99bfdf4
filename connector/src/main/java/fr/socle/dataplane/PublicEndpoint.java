package fr.socle.dataplane;

import fr.socle.catalog.Asset;
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
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
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

  private final Vertx vertx;
  private final PeerAuthenticator authenticator;
  private final TransferStore transfers;
  private final NegotiationStore agreements;
  private final CatalogStore catalog;
  private final PolicyEngine policy;
  private final DecisionInputs inputs;
  private final Path dataDir;

  public PublicEndpoint(Vertx vertx, PeerAuthenticator authenticator, TransferStore transfers, NegotiationStore agreements, CatalogStore catalog,
      PolicyEngine policy, DecisionInputs inputs, Path dataDir) {
    this.vertx = vertx;
    this.authenticator = authenticator;
    this.transfers = transfers;
    this.agreements = agreements;
    this.catalog = catalog;
    this.policy = policy;
    this.inputs = inputs;
    this.dataDir = dataDir;
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
        .onSuccess(asset -> stream(ctx, asset))
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

  private void stream(RoutingContext ctx, Asset asset) {
    Path source = dataDir.resolve(asset.sourcePath()).normalize();
    if (!source.startsWith(dataDir)) {
      ctx.fail(DspException.forbidden("the asset's source lies outside the node's data directory"));
      return;
    }
    vertx.fileSystem().open(source.toString(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
        .onFailure(e -> {
          LOG.warn("source of asset {} cannot be read: {}", asset.id(), e.getMessage());
          ctx.fail(new DspException(502, "source_unavailable", "the source of asset " + asset.id()
              + " cannot be read"));
        })
        .onSuccess(file -> file.size().onSuccess(size -> {
          HttpServerResponse response = ctx.response().putHeader("Content-Type", asset.contentType())
              .putHeader("Content-Length", Long.toString(size));
          file.pipeTo(response).onFailure(e -> LOG.info("download of {} interrupted: {}", asset.id(),
              e.getMessage()));
        }).onFailure(ctx::fail));
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
