package fr.socle.management;

import static fr.socle.management.HttpJson.array;
import static fr.socle.management.HttpJson.body;
import static fr.socle.management.HttpJson.id;
import static fr.socle.management.HttpJson.object;
import static fr.socle.management.HttpJson.ok;
import static fr.socle.management.HttpJson.string;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import fr.socle.catalog.CatalogStore;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/** {@code /api/assets}: the data this node offers, each with its source and classification. */
final class AssetsApi {

  private final CatalogStore catalog;
  private final Writes writes;

  AssetsApi(CatalogStore catalog, Writes writes) {
    this.catalog = catalog;
    this.writes = writes;
  }

  void mount(Router router) {
    router.post("/api/assets").handler(ctx -> {
      Asset asset = asset(body(ctx));
      writes.create(ctx, onCreate -> catalog.saveAsset(asset, onCreate), Asset::toJson);
    });
    router.get("/api/assets").handler(ctx -> ok(ctx, catalog.listAssets().map(l -> array(l, Asset::toJson))));
  }

  private static Asset asset(JsonObject body) {
    // "sourcePath" is the short form of a file source.
    JsonObject source = body.containsKey("sourcePath")
        ? new JsonObject().put("type", "file").put("path", string(body, "sourcePath")) : object(body, "source");
    String classification = body.getString("classification", "public");
    if (!List.of("public", "internal", "personal", "sensitive").contains(classification)) {
      throw Problem.badRequest("classification must be one of public, internal, personal, sensitive; got '"
          + classification + "'");
    }
    return new Asset(id(body, "id"), string(body, "title"), body.getString("description", ""),
        body.getString("contentType", "application/octet-stream"), AssetSource.fromJson(source), classification);
  }
}
