package fr.socle.conformance;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import fr.socle.catalog.CatalogStore;
import fr.socle.catalog.PolicyDefinition;
import fr.socle.negotiation.Agreement;
import fr.socle.negotiation.Negotiation;
import fr.socle.negotiation.NegotiationState;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.process.Role;
import fr.socle.protocol.Dsp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The datasets, offers and agreements the TCK's scenarios name, written through the node's own stores
 * before it starts: datasets {@code ACN*} and {@code CAT*} with offers {@code CD123:<dataset>:456}
 * under an unconstrained "use" policy, and finalized agreements {@code ATP*} (this node provides to
 * the kit) and {@code ATPC*} (the kit provides to this node).
 */
final class TckSeed {

  static final List<String> DATASETS = List.of("ACN0101", "ACN0102", "ACN0103", "ACN0104", "ACN0201", "ACN0202",
      "ACN0203", "ACN0204", "ACN0205", "ACN0206", "ACN0207", "ACN0301", "ACN0302", "ACN0303", "ACN0304",
      "CAT0101", "CAT0102");
  static final List<String> PROVIDED_AGREEMENTS = List.of("ATP0101", "ATP0102", "ATP0103", "ATP0104", "ATP0105",
      "ATP0201", "ATP0202", "ATP0203", "ATP0204", "ATP0205", "ATP0301", "ATP0302", "ATP0303", "ATP0304", "ATP0305",
      "ATP0306");
  static final List<String> RECEIVED_AGREEMENTS = List.of("ATPC0101", "ATPC0102", "ATPC0103", "ATPC0104",
      "ATPC0105", "ATPC0201", "ATPC0202", "ATPC0203", "ATPC0204", "ATPC0205", "ATPC0301", "ATPC0302", "ATPC0303",
      "ATPC0304", "ATPC0305", "ATPC0306");
  private static final String TRANSFER_ASSET = "tck-transfer-data";

  private TckSeed() {
  }

  static String offerId(String datasetId) {
    return "CD123:" + datasetId + ":456";
  }

  static Future<Void> seed(CatalogStore catalog, NegotiationStore negotiations, Clock clock, String selfId,
      String kitId, String kitAddress) {
    JsonObject use = new JsonObject().put("@context", new JsonArray().add(Dsp.CONTEXT)).put("@type", "Set")
        .put("permission", new JsonArray().add(new JsonObject().put("action", "use")));
    Future<?> done = catalog.savePolicy(new PolicyDefinition("tck-use", use));
    for (String id : DATASETS) {
      done = done.compose(x -> catalog.saveAsset(new Asset(id, "TCK dataset " + id, "Seeded for the DSP TCK",
              "text/csv", new AssetSource.FileSource("assets/" + id + ".csv"), "public")))
          .compose(x -> catalog.saveOffer(offerId(id), id, "tck-use"));
    }
    done = done.compose(x -> catalog.saveAsset(new Asset(TRANSFER_ASSET, "TCK transfer data", "Seeded for the DSP TCK",
        "text/csv", new AssetSource.FileSource("assets/" + TRANSFER_ASSET + ".csv"), "public")));
    List<Negotiation> finalized = new ArrayList<>();
    Instant now = clock.instant();
    for (String id : PROVIDED_AGREEMENTS) {
      finalized.add(new Negotiation("tck-negotiation-" + id, Role.PROVIDER, NegotiationState.VERIFIED, kitId,
          "tck-consumer-" + id, kitAddress, "tck-offer", TRANSFER_ASSET, use, null, null, now, now));
    }
    for (String id : RECEIVED_AGREEMENTS) {
      finalized.add(new Negotiation("tck-negotiation-" + id, Role.CONSUMER, NegotiationState.VERIFIED, kitId,
          "tck-provider-" + id, kitAddress, "tck-offer", TRANSFER_ASSET, use, null, null, now, now));
    }
    for (Negotiation n : finalized) {
      String agreementId = n.id().substring("tck-negotiation-".length());
      boolean provided = n.role() == Role.PROVIDER;
      JsonObject body = use.copy();
      body.remove("@context");
      body.put("@id", agreementId).put("@type", "Agreement").put("target", TRANSFER_ASSET)
          .put("assigner", provided ? selfId : kitId).put("assignee", provided ? kitId : selfId)
          .put("timestamp", now.toString());
      Agreement agreement = new Agreement(agreementId, n.id(), TRANSFER_ASSET, provided ? selfId : kitId,
          provided ? kitId : selfId, body, now, 0);
      // Created VERIFIED, then finalized with its agreement: the store's only way to record one.
      done = done.compose(x -> negotiations.create(n)).compose(x -> negotiations.move(n.id(),
          NegotiationStore.Change.to(NegotiationState.VERIFIED, NegotiationState.FINALIZED).withAgreement(agreement)));
    }
    return done.mapEmpty();
  }
}
