package fr.socle.management;

import fr.socle.audit.AuditLog;
import fr.socle.dataplane.BodyRelay;
import fr.socle.transfer.DataFetcher;
import fr.socle.edge.PushReceiver;
import fr.socle.transfer.Receipts;
import fr.socle.dataplane.ReprDigest;
import fr.socle.dataplane.StreamTuning;
import fr.socle.process.Role;
import fr.socle.policy.LocalizedText;
import fr.socle.store.Conflict;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferManager;
import fr.socle.transfer.TransferState;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/transfers/:id/data}: the data of a consumer transfer, for the operator. A push's body
 * is served once its provider pushed it whole; a pull's is streamed from the provider as it comes,
 * byte ranges included. Each body relayed is a receipt in the audit log ({@link Receipts}).
 */
final class TransferDataApi {

  private static final Logger LOG = LoggerFactory.getLogger(TransferDataApi.class);

  private final TransferManager transfers;
  private final DataFetcher fetcher;
  private final PushReceiver receiver;
  private final Receipts receipts;

  TransferDataApi(TransferManager transfers, DataFetcher fetcher, PushReceiver receiver, AuditLog audit) {
    this.transfers = transfers;
    this.fetcher = fetcher;
    this.receiver = receiver;
    this.receipts = new Receipts(audit);
  }

  void mount(Router router) {
    router.get("/api/transfers/:id/data").handler(this::received);
    router.get("/api/transfers/:id/data").handler(this::download);
  }

  /** Streams the data of a started consumer transfer from its provider to the operator. */
  private void download(RoutingContext ctx) {
    transfers.find(ctx.pathParam("id"))
        .compose(t -> {
          if (t.role() != Role.CONSUMER || t.state() != TransferState.STARTED || t.dataAddress() == null) {
            return Future.failedFuture(new Conflict("transfer " + t.id() + " is " + t.state()
                + "; data can be fetched only from a STARTED consumer transfer"));
          }
          return transfers.freshDataAddress(t)
              .compose(address -> fetcher.open(t.counterPartyId(), address, ctx.request().getHeader("Range"))
                  .recover(e -> Future.failedFuture(ManagementApi.isConnectionLost(e)
                      ? ManagementApi.connectionLost(provider(t), e) : e)))
              .map(response -> new Opened(t, response));
        })
        .onSuccess(opened -> {
          HttpClientResponse response = opened.response();
          if (response.statusCode() == 416) {
            response.resume();
            ctx.fail(new Problem(416, "Range not satisfiable", "the provider has no such byte range ("
                + response.getHeader("Content-Range") + ")"));
            return;
          }
          if (response.statusCode() != 200 && response.statusCode() != 206) {
            // The fetcher hands the response over paused: read the error body explicitly.
            response.resume();
            response.body().onComplete(b -> ctx.fail(providerRefused(response.statusCode(),
                b.succeeded() ? b.result().toString() : null)));
            return;
          }
          ctx.response().setStatusCode(response.statusCode());
          List<String> copied = List.of("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges",
              "Repr-Digest");
          for (String name : copied) {
            copyHeader(response.getHeader(name), name, ctx);
          }
          StreamTuning.bulk(ctx.response());
          // On a failure once the body started, the response is reset, not ended: with its
          // Content-Length announced, an ended response would leave the client waiting for bytes that
          // never come, or take a cut body for a whole one. Before any byte left, the operator can
          // still be told why, without the provider's headers, which described a body that will not come.
          BodyRelay.relay(ctx.vertx(), response, ctx.response())
              .onFailure(e -> {
                LOG.info("download interrupted: {}", e.getMessage());
                if (ctx.response().headWritten()) {
                  ctx.response().reset();
                  return;
                }
                copied.forEach(ctx.response().headers()::remove);
                ctx.fail(ManagementApi.connectionLost(provider(opened.transfer()), e));
              })
              .onComplete(relayed -> receipts.record(opened.transfer(), pulled(response, relayed.cause())));
        })
        .onFailure(ctx::fail);
  }

  private record Opened(Transfer transfer, HttpClientResponse response) {
  }

  /**
   * The receipt of a pull relayed to the operator: the bytes and SHA-256 the provider announced (its
   * {@code Content-Length} and {@code Repr-Digest}; the relay checked the length), the range asked
   * for, and why the body did not arrive whole when it did not.
   */
  private static JsonObject pulled(HttpClientResponse response, Throwable failure) {
    JsonObject receipt = new JsonObject().put("mode", "pull").put("complete", failure == null);
    String length = response.getHeader("Content-Length");
    if (failure == null && length != null && length.matches("\\d{1,18}")) {
      receipt.put("bytes", Long.parseLong(length));
    }
    String digest = response.getHeader("Repr-Digest");
    try {
      byte[] sha256 = ReprDigest.sha256(digest);
      if (sha256 != null) {
        receipt.put("sha256", HexFormat.of().formatHex(sha256));
      }
    } catch (IllegalArgumentException unreadable) {
      receipt.put("reprDigest", digest);
    }
    if (response.getHeader("Content-Range") != null) {
      receipt.put("range", response.getHeader("Content-Range"));
    }
    if (failure != null) {
      receipt.put("error", String.valueOf(failure.getMessage()));
    }
    return receipt;
  }

  /**
   * The data of a consumer's push transfer: the body its provider pushed to this node, once it arrived
   * whole (409 before). Any other transfer goes on to {@link #download}.
   */
  private void received(RoutingContext ctx) {
    transfers.find(ctx.pathParam("id")).onComplete(found -> {
      if (found.succeeded() && found.result().role() == Role.CONSUMER && found.result().isPush()) {
        serveReceived(ctx, found.result()).onFailure(ctx::fail);
      } else {
        ctx.next(); // a pull, or an unknown id: download() answers
      }
    });
  }

  private Future<Void> serveReceived(RoutingContext ctx, Transfer t) {
    String file = receiver.file(t.id()).toString();
    return ctx.vertx().fileSystem().exists(file).compose(exists -> {
      if (!exists || !(t.state() == TransferState.STARTED || t.state() == TransferState.COMPLETED)) {
        return Future.failedFuture(new Conflict("transfer " + t.id() + " is " + t.state() + (exists ? ""
            : " and no push of it arrived whole yet") + "; a push's data is served once received, while the"
            + " transfer is STARTED or COMPLETED"));
      }
      return ctx.response().putHeader("Content-Type", "application/octet-stream").sendFile(file);
    });
  }

  /**
   * The provider's refusal of a download, its body quoted for the operator; when the provider gave
   * its reason in French too (a Socle provider's access decision), the French detail quotes that.
   */
  static Problem providerRefused(int status, String body) {
    String english = "the provider answered " + status + ": " + (body == null ? "(no body)" : body);
    String french = null;
    try {
      String reason = body == null ? null : LocalizedText.frenchIn(new JsonObject(body));
      french = reason == null ? null : "le fournisseur a répondu " + status + " : " + reason;
    } catch (DecodeException | ClassCastException notJson) {
      // Not a DSP error body: the English detail quotes it as it is.
    }
    return new Problem(502, "Provider refused", english, french);
  }

  private static void copyHeader(String value, String name, RoutingContext ctx) {
    if (value != null) {
      ctx.response().putHeader(name, value);
    }
  }

  private static LocalizedText provider(Transfer t) {
    return new LocalizedText("the provider " + t.counterPartyId(), "le fournisseur " + t.counterPartyId());
  }
}
