package fr.socle.catalog;

import io.vertx.core.json.JsonObject;

/** A named ODRL policy, stored as compacted JSON-LD exactly as the operator gave it. */
public record PolicyDefinition(String id, JsonObject body) {

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("policy", body);
  }
}
