package fr.socle.management;

import static fr.socle.management.HttpJson.array;
import static fr.socle.management.HttpJson.ok;
import static fr.socle.management.HttpJson.reason;

import fr.socle.negotiation.Agreement;
import fr.socle.negotiation.NegotiationManager;
import fr.socle.transfer.TransferManager;
import io.vertx.ext.web.Router;

/** {@code /api/agreements}: the agreements negotiations concluded, and their revocation by the provider. */
final class AgreementsApi {

  private final NegotiationManager negotiations;
  private final TransferManager transfers;
  private final Writes writes;

  AgreementsApi(NegotiationManager negotiations, TransferManager transfers, Writes writes) {
    this.negotiations = negotiations;
    this.transfers = transfers;
    this.writes = writes;
  }

  void mount(Router router) {
    router.get("/api/agreements").handler(ctx ->
        ok(ctx, negotiations.listAgreements().map(l -> array(l, Agreement::toJson))));
    router.get("/api/agreements/:id").handler(ctx ->
        ok(ctx, negotiations.findAgreement(ctx.pathParam("id")).map(Agreement::toJson)));
    // The reason travels to the consumer with the termination of each running transfer.
    router.post("/api/agreements/:id/revocation").handler(ctx -> ok(ctx, writes.recorded("revoke-agreement",
        transfers.revokeAgreement(ctx.pathParam("id"), reason(ctx)).map(Agreement::toJson))));
  }
}
