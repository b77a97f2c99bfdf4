package fr.socle.catalog;

import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.Scope;
import fr.socle.protocol.Dsp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the DSP catalog one participant may see: each offer is shown only if the policy engine's
 * {@code catalog} decision allows it for that participant.
 */
public final class CatalogService {

  private final CatalogStore store;
  private final DecisionPoint policy;
  private final DecisionInputs inputs;
  private final String selfId;
  private final String selfAddress;

  public CatalogService(CatalogStore store, DecisionPoint policy, DecisionInputs inputs, String selfId,
      String selfAddress) {
    this.store = store;
    this.policy = policy;
    this.inputs = inputs;
    this.selfId = selfId;
    this.selfAddress = selfAddress;
  }

  /** One page of a catalog: datasets {@code offset} to {@code offset + limit - 1} of {@code total}. */
  public record Page(JsonObject catalog, int offset, int limit, int total) {

    public boolean hasNext() {
      return offset + limit < total;
    }

    public boolean hasPrevious() {
      return offset > 0;
    }
  }

  /** The catalog for {@code caller}, paginated by dataset in a stable order (by dataset id). */
  public Future<Page> catalogFor(String caller, int offset, int limit) {
    return visibleOffers(caller).map(offers -> {
      JsonObject catalog = Dsp.message("Catalog").put("@id", "urn:socle:catalog:" + selfId)
          .put("participantId", selfId).put("service", new JsonArray().add(dataService()));
      JsonArray all = datasets(offers);
      List<Object> page = all.getList().subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size()));
      // The catalog schema wants at least one item in a "dataset" array: an empty page has none.
      if (!page.isEmpty()) {
        catalog.put("dataset", new JsonArray(new ArrayList<>(page)));
      }
      return new Page(catalog, offset, limit, all.size());
    });
  }

  /** One dataset of the catalog, or null when the caller may see none of its offers. */
  public Future<JsonObject> datasetFor(String caller, String assetId) {
    return visibleOffers(caller).map(offers -> {
      JsonArray found = datasets(offers.stream().filter(o -> o.asset().id().equals(assetId)).toList());
      if (found.isEmpty()) {
        return null;
      }
      JsonObject dataset = found.getJsonObject(0);
      dataset.put("@context", new JsonArray().add(Dsp.CONTEXT));
      return dataset;
    });
  }

  private Future<List<Offer>> visibleOffers(String caller) {
    return store.listOffers().compose(offers -> {
      List<Future<Boolean>> decisions = new ArrayList<>();
      for (Offer offer : offers) {
        decisions.add(policy.decide(Scope.CATALOG, inputs.build(Scope.CATALOG, caller, offer.asset().id(),
            offer.asset().classification(), offer.odrlOffer(selfId), null, 0)).map(d -> d.allow()));
      }
      return Future.all(decisions).map(all -> {
        List<Offer> visible = new ArrayList<>();
        for (int i = 0; i < offers.size(); i++) {
          if (all.<Boolean>resultAt(i)) {
            visible.add(offers.get(i));
          }
        }
        return visible;
      });
    });
  }

  private JsonArray datasets(List<Offer> offers) {
    Map<String, JsonObject> byAsset = new LinkedHashMap<>();
    for (Offer offer : offers) {
      JsonObject dataset = byAsset.computeIfAbsent(offer.asset().id(), id -> new JsonObject()
          .put("@id", id).put("@type", "Dataset").put("title", offer.asset().title())
          .put("description", offer.asset().description()).put("mediaType", offer.asset().contentType())
          .put("hasPolicy", new JsonArray())
          .put("distribution", new JsonArray()
              .add(new JsonObject().put("@type", "Distribution").put("format", Dsp.HTTP_DATA_PULL)
                  .put("accessService", dataService()))
              .add(new JsonObject().put("@type", "Distribution").put("format", Dsp.HTTP_DATA_PUSH)
                  .put("accessService", dataService()))));
      dataset.getJsonArray("hasPolicy").add(offer.catalogOffer(selfId));
    }
    return new JsonArray(new ArrayList<>(byAsset.values()));
  }

  private JsonObject dataService() {
    return new JsonObject().put("@id", "urn:socle:dsp:" + selfId).put("@type", "DataService")
        .put("endpointURL", selfAddress);
  }
}
