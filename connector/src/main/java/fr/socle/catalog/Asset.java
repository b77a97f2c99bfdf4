package fr.socle.catalog;

import io.vertx.core.json.JsonObject;

/**
 * A dataset a node publishes. Its {@link AssetSource} never leaves the node; partners only ever see
 * the id, title, description and media type.
 */
public record Asset(String id, String title, String description, String contentType, AssetSource source,
    String classification) {

  /** The operator's view, with the source's credentials masked. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("title", title).put("description", description)
        .put("contentType", contentType).put("source", source.toRedactedJson()).put("classification", classification);
  }
}
