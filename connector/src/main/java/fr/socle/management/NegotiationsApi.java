package fr.socle.management;

import static fr.socle.management.HttpJson.array;
import static fr.socle.management.HttpJson.body;
import static fr.socle.management.HttpJson.language;
import static fr.socle.management.HttpJson.object;
import static fr.socle.management.HttpJson.ok;
import static fr.socle.management.HttpJson.string;
import static fr.socle.management.HttpJson.url;

import fr.socle.negotiation.Negotiation;
import fr.socle.negotiation.NegotiationManager;
import fr.socle.policy.UsageDeclaration;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code /api/negotiations}: this node's contract negotiations, either role; a POST starts one as
 * consumer for an offer of a partner's catalog.
 */
final class NegotiationsApi {

  private final NegotiationManager negotiations;
  private final String partnerScheme;
  private final Writes writes;

  NegotiationsApi(NegotiationManager negotiations, String partnerScheme, Writes writes) {
    this.negotiations = negotiations;
    this.partnerScheme = partnerScheme;
    this.writes = writes;
  }

  void mount(Router router) {
    router.post("/api/negotiations").handler(ctx -> {
      JsonObject body = body(ctx);
      UsageDeclaration declared = UsageDeclaration.of(body.getValue("purpose"), body.getValue("legalBasis"));
      String counterPartyId = string(body, "counterPartyId");
      String address = url(body, "counterPartyAddress", partnerScheme);
      JsonObject offer = object(body, "offer");
      String datasetId = body.getValue("datasetId") instanceof String d ? d : null;
      writes.create(ctx, onCreate -> negotiations.request(counterPartyId, address, offer, datasetId, declared,
          onCreate), (Negotiation n) -> n.toJson());
    });
    router.get("/api/negotiations").handler(ctx ->
        ok(ctx, negotiations.list().map(l -> array(l, n -> n.toJson(language(ctx))))));
    router.get("/api/negotiations/:id").handler(ctx ->
        ok(ctx, negotiations.find(ctx.pathParam("id")).map(n -> n.toJson(language(ctx)))));
  }
}
