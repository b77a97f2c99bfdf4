package fr.socle.catalog;

import fr.socle.policy.BoundedDecisions;
import fr.socle.policy.Decision;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.DecisionUnavailable;
import fr.socle.policy.LocalizedText;
import fr.socle.policy.Scope;
import fr.socle.protocol.Dsp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds the DSP catalog one participant may see: each offer is shown only if the policy engine's
 * {@code catalog} decision allows it for that participant.
 *
 * <p>A catalog is whole or not sent: when a decision could not be made (the engine unreachable,
 * late or overloaded; see {@link Decision#undecided()}) the request fails with
 * {@link DecisionUnavailable} rather than leave the offer out, which would pass an outage off as a
 * shorter catalog.
 *
 * <p>A page costs decisions for that page only: datasets are read in a stable order (by dataset id),
 * and a page decides the datasets from where it starts until it has its datasets and knows the first
 * one of the next page, which its {@code next} link then names ({@link Page#nextFrom()}). Deciding
 * the whole catalog for every page made paging quadratic: a 5,000-offer catalog took 250,000
 * decisions. No more than {@code maxInFlight} decisions are asked at once for one request.
 */
public final class CatalogService {

  private final CatalogStore store;
  private final DecisionPoint policy;
  private final DecisionInputs inputs;
  private final String selfId;
  private final String selfAddress;
  private final int maxInFlight;

  /** @param maxInFlight decisions one catalog request may ask the policy engine at once */
  public CatalogService(CatalogStore store, DecisionPoint policy, DecisionInputs inputs, String selfId,
      String selfAddress, int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    this.store = store;
    this.policy = policy;
    this.inputs = inputs;
    this.selfId = selfId;
    this.selfAddress = selfAddress;
    this.maxInFlight = maxInFlight;
  }

  /**
   * One page of a catalog: up to {@code limit} datasets the caller may see, the first of them the
   * {@code offset}-th; {@code nextFrom} is the id of the first dataset of the next page, or null
   * when this page is the last.
   */
  public record Page(JsonObject catalog, int offset, int limit, String nextFrom) {

    public boolean hasNext() {
      return nextFrom != null;
    }

    public boolean hasPrevious() {
      return offset > 0;
    }
  }

  /**
   * The page of the catalog for {@code caller} that starts at dataset {@code from} (its id; the first
   * dataset whose id is not smaller), as a {@code next} link names it; without {@code from}, the page
   * of the {@code offset}-th visible dataset, which costs the decisions of every dataset before it.
   */
  public Future<Page> catalogFor(String caller, int offset, String from, int limit) {
    return datasets().compose(all -> {
      int start = 0;
      if (from != null) {
        while (start < all.size() && all.get(start).id().compareTo(from) < 0) {
          start++;
        }
      }
      return scan(caller, all, start, from != null ? 0 : offset, limit, new ArrayList<>());
    }).map(scanned -> {
      JsonObject catalog = Dsp.message("Catalog").put("@id", "urn:socle:catalog:" + selfId)
          .put("participantId", selfId).put("service", new JsonArray().add(dataService()));
      // The catalog schema wants at least one item in a "dataset" array: an empty page has none.
      if (!scanned.shown().isEmpty()) {
        catalog.put("dataset", new JsonArray(new ArrayList<>(scanned.shown())));
      }
      return new Page(catalog, offset, limit, scanned.nextFrom());
    });
  }

  /** One dataset of the catalog, or null when the caller may see none of its offers. */
  public Future<JsonObject> datasetFor(String caller, String assetId) {
    return datasets().compose(all -> {
      List<Dataset> one = all.stream().filter(d -> d.id().equals(assetId)).toList();
      return scan(caller, one, 0, 0, 1, new ArrayList<>());
    }).map(scanned -> {
      if (scanned.shown().isEmpty()) {
        return null;
      }
      JsonObject dataset = scanned.shown().get(0);
      dataset.put("@context", new JsonArray().add(Dsp.CONTEXT));
      return dataset;
    });
  }

  /** The offers of one asset, as one dataset. */
  private record Dataset(String id, List<Offer> offers) {
  }

  /** What a scan found: the page's datasets, and the id the next page starts at, if any. */
  private record Scanned(List<JsonObject> shown, String nextFrom) {
  }

  private Future<List<Dataset>> datasets() {
    return store.listOffers().map(offers -> {
      List<Offer> sorted = new ArrayList<>(offers);
      sorted.sort(Comparator.comparing((Offer o) -> o.asset().id()).thenComparing(Offer::id));
      List<Dataset> datasets = new ArrayList<>();
      for (Offer offer : sorted) {
        if (datasets.isEmpty() || !datasets.get(datasets.size() - 1).id().equals(offer.asset().id())) {
          datasets.add(new Dataset(offer.asset().id(), new ArrayList<>()));
        }
        datasets.get(datasets.size() - 1).offers().add(offer);
      }
      return datasets;
    });
  }

  /**
   * Decides the datasets from {@code start} on, a round at a time, until {@code skip} visible ones
   * were passed over, {@code limit} more were shown, and one more was found to start the next page
   * (or none is left). A round takes just as many datasets as could still be needed, so a catalog
   * the caller sees whole is decided once, plus one dataset per page.
   */
  private Future<Scanned> scan(String caller, List<Dataset> all, int start, int skip, int limit,
      List<JsonObject> shown) {
    int wanted = skip + limit + 1 - shown.size();
    int end = Math.min(all.size(), start + wanted);
    if (start >= end) {
      return Future.succeededFuture(new Scanned(shown, null));
    }
    List<Dataset> round = all.subList(start, end);
    List<Offer> offers = round.stream().flatMap(d -> d.offers().stream()).toList();
    List<JsonObject> decisionInputs = offers.stream().map(o -> inputs.build(Scope.CATALOG, caller, o.asset().id(),
        o.asset().classification(), o.odrlOffer(selfId), null, 0)).toList();
    return BoundedDecisions.decideAll(policy, Scope.CATALOG, decisionInputs, maxInFlight,
        i -> new LocalizedText("offer " + offers.get(i).id() + " of the catalog",
            "de l'offre " + offers.get(i).id() + " du catalogue"))
        .compose(decisions -> {
          int passed = skip;
          int at = 0;
          for (Dataset dataset : round) {
            List<Offer> visible = new ArrayList<>();
            for (Offer offer : dataset.offers()) {
              if (decisions.get(at++).allow()) {
                visible.add(offer);
              }
            }
            if (visible.isEmpty()) {
              continue;
            }
            if (passed > 0) {
              passed--;
            } else if (shown.size() < limit) {
              shown.add(dataset(visible));
            } else {
              return Future.succeededFuture(new Scanned(shown, dataset.id()));
            }
          }
          return scan(caller, all, end, passed, limit, shown);
        });
  }

  private JsonObject dataset(List<Offer> offers) {
    Asset asset = offers.get(0).asset();
    JsonArray policies = new JsonArray();
    offers.forEach(offer -> policies.add(offer.catalogOffer(selfId)));
    return new JsonObject().put("@id", asset.id()).put("@type", "Dataset").put("title", asset.title())
        .put("description", asset.description()).put("mediaType", asset.contentType())
        .put("hasPolicy", policies)
        .put("distribution", new JsonArray()
            .add(new JsonObject().put("@type", "Distribution").put("format", Dsp.HTTP_DATA_PULL)
                .put("accessService", dataService()))
            .add(new JsonObject().put("@type", "Distribution").put("format", Dsp.HTTP_DATA_PUSH)
                .put("accessService", dataService())));
  }

  private JsonObject dataService() {
    return new JsonObject().put("@id", "urn:socle:dsp:" + selfId).put("@type", "DataService")
        .put("endpointURL", selfAddress);
  }
}
