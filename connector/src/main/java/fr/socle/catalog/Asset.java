package fr.socle.catalog;

import io.vertx.core.json.JsonObject;

/**
 * A dataset a node publishes. {@code sourcePath} is resolved against the node's data directory and
 * never leaves the node; partners only ever see the id, title and description.
 */
public record Asset(String id, String title, String description, String contentType, String sourcePath,
    String classification) {

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("title", title).put("description", description)
        .put("contentType", contentType).put("sourcePath", sourcePath).put("classification", classification);
  }
}
