package fr.socle.negotiation;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** A contract agreement: the ODRL agreement both parties hold, and how often it has been used. */
public record Agreement(String id, String negotiationId, String assetId, String providerId, String consumerId,
    JsonObject body, Instant signedAt, long accessCount) {

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("negotiationId", negotiationId).put("assetId", assetId)
        .put("providerId", providerId).put("consumerId", consumerId).put("agreement", body)
        .put("signedAt", signedAt.toString()).put("accessCount", accessCount);
  }
}
