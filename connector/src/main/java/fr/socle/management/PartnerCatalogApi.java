package fr.socle.management;

import static fr.socle.management.HttpJson.body;
import static fr.socle.management.HttpJson.ok;
import static fr.socle.management.HttpJson.participantId;
import static fr.socle.management.HttpJson.url;

import fr.socle.protocol.Dsp;
import fr.socle.protocol.DspClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code /api/catalog/request}: a partner's catalog, asked over DSP on the operator's behalf. */
final class PartnerCatalogApi {

  private final DspClient dsp;
  private final String partnerScheme;

  PartnerCatalogApi(DspClient dsp, String partnerScheme) {
    this.dsp = dsp;
    this.partnerScheme = partnerScheme;
  }

  void mount(Router router) {
    router.post("/api/catalog/request").handler(ctx -> {
      JsonObject body = body(ctx);
      // The partner's id, not only its address: the node token of the request is made out to it.
      String counterPartyId = participantId(body, "counterPartyId");
      ok(ctx, dsp.catalog(url(body, "counterPartyAddress", partnerScheme), counterPartyId,
          Dsp.message("CatalogRequestMessage")));
    });
  }
}
