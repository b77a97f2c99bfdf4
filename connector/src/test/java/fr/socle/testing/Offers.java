package fr.socle.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;

/** Publishing an asset on one node and obtaining an agreement for it from another, through their APIs. */
public final class Offers {

  private Offers() {
  }

  /**
   * Publishes {@code source} on {@code provider} under a policy of one {@code permission}, finds the
   * offer in its catalog as {@code consumer} sees it and negotiates it; returns the agreement id.
   */
  public static String agree(NodeProcess provider, NodeProcess consumer, JsonObject source, JsonObject permission,
      Duration wait) throws Exception {
    JsonObject offer = publish(provider, consumer, source, permission);
    JsonObject n = consumer.api().post("/api/negotiations", new JsonObject()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress())
        .put("offer", offer));
    return consumer.api().awaitField("/api/negotiations/" + n.getString("id"), "state", wait,
        "FINALIZED").getString("agreementId");
  }

  /**
   * Publishes {@code source} on {@code provider} under a policy of one {@code permission}; returns the
   * offer as {@code consumer} finds it in the provider's catalog, with its dataset as {@code target}.
   */
  public static JsonObject publish(NodeProcess provider, NodeProcess consumer, JsonObject source,
      JsonObject permission) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    provider.api().post("/api/assets", new JsonObject().put("id", "a-" + id).put("title", "t")
        .put("contentType", "application/octet-stream").put("source", source));
    provider.api().post("/api/policies", new JsonObject().put("id", "p-" + id).put("policy", new JsonObject()
        .put("@type", "Set").put("permission", new JsonArray().add(permission))));
    provider.api().post("/api/offers", new JsonObject().put("id", "o-" + id).put("assetId", "a-" + id)
        .put("policyId", "p-" + id));
    JsonObject catalog = consumer.api().post("/api/catalog/request", new JsonObject()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress()));
    JsonObject offer = null;
    for (Object d : catalog.getJsonArray("dataset")) {
      for (Object p : ((JsonObject) d).getJsonArray("hasPolicy")) {
        if (("o-" + id).equals(((JsonObject) p).getString("@id"))) {
          offer = ((JsonObject) p).copy().put("target", ((JsonObject) d).getString("@id"));
        }
      }
    }
    assertThat(offer).isNotNull();
    return offer;
  }
}
