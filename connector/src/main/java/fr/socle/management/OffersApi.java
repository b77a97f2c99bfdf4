package fr.socle.management;

import static fr.socle.management.HttpJson.array;
import static fr.socle.management.HttpJson.body;
import static fr.socle.management.HttpJson.id;
import static fr.socle.management.HttpJson.ok;

import fr.socle.catalog.CatalogStore;
import fr.socle.catalog.Offer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.UUID;

/** {@code /api/offers}: an asset offered under a policy, as partners see it in this node's catalog. */
final class OffersApi {

  private final CatalogStore catalog;
  private final Writes writes;

  OffersApi(CatalogStore catalog, Writes writes) {
    this.catalog = catalog;
    this.writes = writes;
  }

  void mount(Router router) {
    router.post("/api/offers").handler(ctx -> {
      JsonObject body = body(ctx);
      String id = body.containsKey("id") ? id(body, "id") : UUID.randomUUID().toString();
      String assetId = id(body, "assetId");
      String policyId = id(body, "policyId");
      writes.create(ctx, onCreate -> catalog.saveOffer(id, assetId, policyId, onCreate), Offer::toJson);
    });
    router.get("/api/offers").handler(ctx -> ok(ctx, catalog.listOffers().map(l -> array(l, o -> o.toJson()))));
  }
}
