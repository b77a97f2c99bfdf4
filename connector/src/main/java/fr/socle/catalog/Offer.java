package fr.socle.catalog;

import io.vertx.core.json.JsonObject;

/** A contract offer: one asset under one policy, as partners see it in the catalog. */
public record Offer(String id, Asset asset, PolicyDefinition policy) {

  /** The ODRL offer as negotiated: the stored policy, named, assigned by the provider, on the asset. */
  public JsonObject odrlOffer(String providerId) {
    JsonObject offer = policy.body().copy();
    offer.remove("@context");
    offer.put("@id", id).put("@type", "Offer").put("assigner", providerId).put("target", asset.id());
    return offer;
  }

  /**
   * The offer as a DSP 2025-1 catalog shows it under its dataset's {@code hasPolicy}: without
   * {@code target}, which the enclosing dataset already names (the catalog schema forbids it there).
   */
  public JsonObject catalogOffer(String providerId) {
    JsonObject offer = odrlOffer(providerId);
    offer.remove("target");
    return offer;
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("assetId", asset.id()).put("policyId", policy.id());
  }
}
