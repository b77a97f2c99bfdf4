package fr.socle.catalog;

import io.vertx.core.json.JsonObject;

/** A contract offer: one asset under one policy, as partners see it in the catalog. */
public record Offer(String id, Asset asset, PolicyDefinition policy) {

  /** The ODRL offer as DSP puts it under a dataset's {@code hasPolicy}. */
  public JsonObject odrlOffer(String providerId) {
    JsonObject offer = policy.body().copy();
    offer.remove("@context");
    offer.put("@id", id).put("@type", "Offer").put("assigner", providerId).put("target", asset.id());
    return offer;
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("assetId", asset.id()).put("policyId", policy.id());
  }
}
