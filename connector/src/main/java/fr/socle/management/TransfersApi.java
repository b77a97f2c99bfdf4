package fr.socle.management;

import static fr.socle.management.HttpJson.array;
import static fr.socle.management.HttpJson.body;
import static fr.socle.management.HttpJson.language;
import static fr.socle.management.HttpJson.ok;
import static fr.socle.management.HttpJson.reason;
import static fr.socle.management.HttpJson.string;

import fr.socle.protocol.Dsp;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferManager;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code /api/transfers}: this node's transfer processes, either role; a POST starts one as consumer
 * under an agreement, and the operator completes, suspends, resumes or terminates them. Their data is
 * {@link TransferDataApi}'s.
 */
final class TransfersApi {

  private final TransferManager transfers;
  private final Writes writes;

  TransfersApi(TransferManager transfers, Writes writes) {
    this.transfers = transfers;
    this.writes = writes;
  }

  void mount(Router router) {
    router.post("/api/transfers").handler(ctx -> {
      JsonObject body = body(ctx);
      Object format = body.getValue("format", Dsp.HTTP_DATA_PULL);
      Object destination = body.getValue("dataDestination");
      if (!(format instanceof String) || destination != null && !(destination instanceof JsonObject)) {
        throw new Problem(400, "Bad request", "expected format as a string and dataDestination as an object"
            + " (a DataAddress), got " + format + " and " + destination);
      }
      String agreementId = string(body, "agreementId");
      writes.create(ctx, onCreate -> transfers.request(agreementId, (String) format, (JsonObject) destination,
          onCreate), (Transfer t) -> t.toJson());
    });
    router.get("/api/transfers").handler(ctx ->
        ok(ctx, transfers.list().map(l -> array(l, t -> t.toJson(language(ctx))))));
    router.get("/api/transfers/:id").handler(ctx ->
        ok(ctx, transfers.find(ctx.pathParam("id")).map(t -> t.toJson(language(ctx)))));
    router.post("/api/transfers/:id/completion").handler(ctx ->
        ok(ctx, transfers.complete(ctx.pathParam("id")).map(Transfer::toJson)));
    // The reason is optional; it travels to the counter-party in the DSP message.
    router.post("/api/transfers/:id/suspension").handler(ctx -> ok(ctx, writes.recorded("suspend-transfer",
        transfers.suspend(ctx.pathParam("id"), reason(ctx)).map(Transfer::toJson))));
    // A provider asks its policy engine again first; a consumer asks the provider, which may refuse.
    router.post("/api/transfers/:id/resumption").handler(ctx -> ok(ctx, writes.recorded("resume-transfer",
        transfers.resumeTransfer(ctx.pathParam("id")).map(Transfer::toJson))));
    router.post("/api/transfers/:id/termination").handler(ctx -> ok(ctx, writes.recorded("terminate-transfer",
        transfers.terminate(ctx.pathParam("id"), reason(ctx)).map(Transfer::toJson))));
  }
}
