package fr.socle.edge;

import fr.socle.catalog.CatalogService;
import fr.socle.negotiation.Negotiation;
import fr.socle.negotiation.NegotiationManager;
import fr.socle.policy.LocalizedText;
import fr.socle.protocol.Dsp;
import fr.socle.protocol.DspMessage;
import fr.socle.protocol.PeerAuthenticator;
import fr.socle.protocol.Refusal;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferManager;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DSP 2025-1 HTTPS endpoints of a node, for both roles. The same path prefix serves the
 * provider's endpoints and the consumer's callbacks: the process id in the path is always this node's
 * own id, so the stored negotiation or transfer tells which role handles the message.
 *
 * <p>Every failure becomes a DSP error body with the status {@link Failures} gives it: a 4xx for what
 * the core refuses, a 503 with {@code Retry-After} when the policy engine could not decide; an
 * unexpected failure is logged and answered 500 without details.
 */
public final class DspRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(DspRoutes.class);
  /** Datasets per catalog page, at most. */
  static final int MAX_PAGE = 100;
  /** What an asset id may be (the management API's rule), and so the start of a catalog page. */
  private static final Pattern DATASET_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

  /** Handles one validated message for the authenticated caller and the path's process id. */
  private interface Handler<T> {
    Future<T> handle(String caller, String pid, DspMessage message);
  }

  private final PeerAuthenticator authenticator;
  private final CatalogService catalog;
  private final NegotiationManager negotiations;
  private final TransferManager transfers;
  private final long maxBodyBytes;
  private final RequestShares shares;

  /** @param requestsPerPartner the DSP requests one partner may have in progress here at once */
  public DspRoutes(PeerAuthenticator authenticator, CatalogService catalog, NegotiationManager negotiations,
      TransferManager transfers, long maxBodyBytes, int requestsPerPartner) {
    this.authenticator = authenticator;
    this.catalog = catalog;
    this.negotiations = negotiations;
    this.transfers = transfers;
    this.maxBodyBytes = maxBodyBytes;
    this.shares = new RequestShares(requestsPerPartner);
  }

  /** The authenticated partner, its request counted against its share. */
  private String caller(RoutingContext ctx) {
    String caller = authenticator.authenticate(ctx);
    shares.admit(ctx, caller);
    return caller;
  }

  /** Mounts the endpoints on {@code router}. */
  public void mount(Router router) {
    router.get("/.well-known/dspace-version").handler(this::version);
    router.route().handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));

    router.post("/catalog/request").handler(ctx -> {
      String caller = caller(ctx);
      int offset = queryInt(ctx, "offset", 0, Integer.MAX_VALUE, 0);
      int limit = queryInt(ctx, "limit", 1, MAX_PAGE, MAX_PAGE);
      String from = ctx.request().getParam("from");
      if (from != null && !DATASET_ID.matcher(from).matches()) {
        throw Refusal.invalid("query parameter 'from' must be a dataset id matching " + DATASET_ID.pattern()
            + ", got '" + from + "'");
      }
      reply(ctx, 200, message(ctx, "CatalogRequestMessage").compose(request -> {
        // Filters are not supported (the specification leaves their content open): all are ignored,
        // but a filter that is not even the array the schema wants is an error.
        Object filter = request.body().getValue("filter");
        if (filter != null && !(filter instanceof JsonArray)) {
          throw Refusal.invalid("CatalogRequestMessage: 'filter' must be an array, got " + filter);
        }
        return catalog.catalogFor(caller, offset, from, limit);
      }).map(page -> {
        links(ctx, page);
        return page.catalog();
      }), "CatalogError");
    });
    router.get("/catalog/datasets/:id").handler(ctx -> {
      String caller = caller(ctx);
      String id = ctx.pathParam("id");
      reply(ctx, 200, catalog.datasetFor(caller, id).map(d -> {
        if (d == null) {
          throw Refusal.notFound("no dataset '" + id + "'");
        }
        return d;
      }), "CatalogError");
    });

    router.get("/negotiations/:pid").handler(ctx ->
        reply(ctx, 200, negotiations.get(caller(ctx),
            ctx.pathParam("pid")).map(NegotiationManager::dspBody),
            "ContractNegotiationError"));
    router.post("/negotiations/request").handler(ctx -> {
      String caller = caller(ctx);
      reply(ctx, 201, message(ctx, "ContractRequestMessage")
          .compose(m -> negotiations.onContractRequest(caller, m)).map(NegotiationManager::dspBody),
          "ContractNegotiationError");
    });
    negotiation(router, "/negotiations/:pid/request", "ContractRequestMessage", negotiations::onCounterRequest);
    negotiation(router, "/negotiations/:pid/offers", "ContractOfferMessage", negotiations::onOffer);
    negotiation(router, "/negotiations/:pid/agreement/verification", "ContractAgreementVerificationMessage",
        negotiations::onVerification);
    negotiation(router, "/negotiations/:pid/agreement", "ContractAgreementMessage", negotiations::onAgreement);
    negotiation(router, "/negotiations/:pid/events", "ContractNegotiationEventMessage", negotiations::onEvent);
    negotiation(router, "/negotiations/:pid/termination", "ContractNegotiationTerminationMessage",
        negotiations::onTermination);

    router.get("/transfers/:pid").handler(ctx ->
        reply(ctx, 200, transfers.get(caller(ctx),
            ctx.pathParam("pid")).map(TransferManager::dspBody),
            "TransferError"));
    router.post("/transfers/request").handler(ctx -> {
      String caller = caller(ctx);
      reply(ctx, 201, message(ctx, "TransferRequestMessage")
          .compose(m -> transfers.onTransferRequest(caller, m)).map(TransferManager::dspBody), "TransferError");
    });
    transfer(router, "/transfers/:pid/start", "TransferStartMessage", transfers::onStart);
    transfer(router, "/transfers/:pid/suspension", "TransferSuspensionMessage", transfers::onSuspension);
    transfer(router, "/transfers/:pid/completion", "TransferCompletionMessage", transfers::onCompletion);
    transfer(router, "/transfers/:pid/termination", "TransferTerminationMessage", transfers::onTermination);
  }

  /**
   * DSP 2025-1 catalog pagination (HTTPS binding, "Pagination"): RFC 8288 {@code Link} headers with
   * {@code next} and {@code previous}; the query parameters are this node's own. The {@code next}
   * link names the dataset its page starts at ({@code from}), so that a page decides its own datasets
   * only; {@code offset} there is for people reading it.
   */
  private static void links(RoutingContext ctx, CatalogService.Page page) {
    String uri = ctx.request().absoluteURI();
    String base = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    List<String> links = new ArrayList<>();
    if (page.hasNext()) {
      links.add("<" + base + "?offset=" + (page.offset() + page.limit()) + "&limit=" + page.limit() + "&from="
          + URLEncoder.encode(page.nextFrom(), StandardCharsets.UTF_8) + ">; rel=\"next\"");
    }
    if (page.hasPrevious()) {
      links.add("<" + base + "?offset=" + Math.max(0, page.offset() - page.limit()) + "&limit=" + page.limit()
          + ">; rel=\"previous\"");
    }
    if (!links.isEmpty()) {
      ctx.response().putHeader("Link", String.join(", ", links));
    }
  }

  private static int queryInt(RoutingContext ctx, String name, int min, int max, int fallback) {
    String raw = ctx.request().getParam(name);
    if (raw == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below with the expected range
    }
    throw Refusal.invalid("query parameter '" + name + "' must be an integer from " + min + " to " + max
        + ", got '" + raw + "'");
  }

  private void negotiation(Router router, String path, String type, Handler<Negotiation> handler) {
    router.post(path).handler(ctx -> {
      String caller = caller(ctx);
      reply(ctx, 200, message(ctx, type).compose(m -> handler.handle(caller, ctx.pathParam("pid"), m))
          .map(n -> (JsonObject) null), "ContractNegotiationError");
    });
  }

  private void transfer(Router router, String path, String type, Handler<Transfer> handler) {
    router.post(path).handler(ctx -> {
      String caller = caller(ctx);
      reply(ctx, 200, message(ctx, type).compose(m -> handler.handle(caller, ctx.pathParam("pid"), m))
          .map(t -> (JsonObject) null), "TransferError");
    });
  }

  private void version(RoutingContext ctx) {
    JsonObject body = new JsonObject().put("protocolVersions", new JsonArray().add(new JsonObject()
        .put("version", Dsp.VERSION).put("path", "/").put("binding", "HTTPS")));
    ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
  }

  /**
   * The request's message, checked as JSON-LD of {@code type}. The JSON-LD expansion runs on a worker
   * thread: it costs up to milliseconds per message, which the event loop serving every partner
   * should not spend; the message comes back on the request's context.
   */
  private static Future<DspMessage> message(RoutingContext ctx, String type) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(Refusal.invalid("the body of a " + type + " must be a JSON object: "
          + e.getMessage()));
    }
    return ctx.vertx().executeBlocking(() -> DspMessage.of(body, type), false);
  }

  private static void reply(RoutingContext ctx, int status, Future<JsonObject> result, String errorType) {
    result.onComplete(done -> {
      if (done.succeeded()) {
        JsonObject body = done.result();
        if (body == null) {
          ctx.response().setStatusCode(status).end();
        } else {
          ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
        }
      } else {
        fail(ctx, done.cause(), errorType);
      }
    });
  }

  /** The router's failure handler: every error leaves as a DSP error body. */
  public static void handleFailure(RoutingContext ctx) {
    fail(ctx, ctx.failure() != null ? ctx.failure() : new HttpException(ctx.statusCode()), errorType(ctx));
  }

  private static JsonObject requestBody(RoutingContext ctx) {
    try {
      return ctx.body() == null ? null : ctx.body().asJsonObject();
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  private static String errorType(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (path.startsWith("/negotiations")) {
      return "ContractNegotiationError";
    }
    return path.startsWith("/transfers") || path.startsWith("/push/") ? "TransferError" : "CatalogError";
  }

  private static void fail(RoutingContext ctx, Throwable failure, String errorType) {
    Failures.Failure f = Failures.of(ctx, failure);
    if (ctx.response().ended() || ctx.response().headWritten()) {
      return;
    }
    if (f.retryAfterSeconds() >= 0) {
      ctx.response().putHeader("Retry-After", String.valueOf(f.retryAfterSeconds()));
    }
    JsonObject body = new LocalizedText(f.reason(), f.reasonFr()).writeTo(Dsp.message(errorType)
        .put("code", f.code()).put("reason", new JsonArray().add(f.reason())));
    if (!"CatalogError".equals(errorType)) {
      // The negotiation and transfer error schemas name both process ids: echo those the request gave.
      JsonObject request = requestBody(ctx);
      for (String pid : new String[] {"providerPid", "consumerPid"}) {
        if (request != null && request.getValue(pid) instanceof String value) {
          body.put(pid, value);
        }
      }
    }
    ctx.response().setStatusCode(f.status()).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
