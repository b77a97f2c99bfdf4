package fr.socle.management;

import fr.socle.audit.AuditException;
import fr.socle.audit.AuditLog;
import fr.socle.audit.AuditType;
import fr.socle.audit.Reason;
import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import fr.socle.catalog.CatalogStore;
import fr.socle.catalog.Offer;
import fr.socle.catalog.PolicyDefinition;
import fr.socle.dataplane.BodyRelay;
import fr.socle.transfer.DataFetcher;
import fr.socle.edge.PushReceiver;
import fr.socle.transfer.Receipts;
import fr.socle.dataplane.ReprDigest;
import fr.socle.dataplane.StreamTuning;
import fr.socle.negotiation.Agreement;
import fr.socle.negotiation.Negotiation;
import fr.socle.negotiation.NegotiationManager;
import fr.socle.process.Role;
import fr.socle.policy.LocalizedText;
import fr.socle.policy.PolicyTemplates;
import fr.socle.policy.UsageDeclaration;
import fr.socle.protocol.Dsp;
import fr.socle.protocol.DspClient;
import fr.socle.store.Conflict;
import fr.socle.store.NotFound;
import fr.socle.store.OnCreate;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferManager;
import fr.socle.transfer.TransferState;
import fr.socle.trust.ParticipantId;
import fr.socle.trust.TrustException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's API. Requests under {@code /api} need the node's API key in {@code X-Api-Key};
 * {@code /health} and {@code /ready} are open so that a supervisor can probe them.
 */
public final class ManagementApi {

  private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);
  private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

  private final String apiKey;
  private final CatalogStore catalog;
  private final NegotiationManager negotiations;
  private final TransferManager transfers;
  private final DspClient dsp;
  private final DataFetcher fetcher;
  private final PushReceiver receiver;
  private final Receipts receipts;
  private final AuditLog audit;
  private final Supplier<Future<JsonObject>> readiness;
  private final long maxBodyBytes;
  private final PolicyTemplates templates;
  private final String participantId;
  private final String partnerScheme;
  private final IdempotencyKeys idempotencyKeys;
  /** The operator's keys are theirs alone: scoped by the API key they authenticate with. */
  private final String scope;

  /**
   * @param partnerScheme the scheme of partners' DSP addresses: {@code https://} for every
   *     production node; plain {@code http://} only for a node built with plain protocol security
   *     (the conformance test)
   */
  public ManagementApi(String apiKey, CatalogStore catalog, NegotiationManager negotiations,
      TransferManager transfers, DspClient dsp, DataFetcher fetcher, PushReceiver receiver, AuditLog audit,
      Supplier<Future<JsonObject>> readiness, long maxBodyBytes, PolicyTemplates templates, String participantId,
      String partnerScheme, IdempotencyKeys idempotencyKeys) {
    this.apiKey = apiKey;
    this.scope = IdempotencyKeys.scope(apiKey);
    this.idempotencyKeys = idempotencyKeys;
    this.catalog = catalog;
    this.negotiations = negotiations;
    this.transfers = transfers;
    this.dsp = dsp;
    this.fetcher = fetcher;
    this.receiver = receiver;
    this.audit = audit;
    this.receipts = new Receipts(audit);
    this.readiness = readiness;
    this.maxBodyBytes = maxBodyBytes;
    this.templates = templates;
    this.participantId = participantId;
    this.partnerScheme = partnerScheme;
  }

  public void mount(Router router) {
    router.get("/health").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/ready").handler(ctx -> readiness.get().onComplete(r -> {
      JsonObject report = r.succeeded() ? r.result() : new JsonObject().put("ready", false)
          .put("problems", new JsonArray().add(r.cause().getMessage()));
      json(ctx, report.getBoolean("ready", false) ? 200 : 503, report);
    }));

    router.route("/api/*").handler(this::authenticate);
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));

    // Creating POSTs validate their body first, so that a request refused as malformed never claims
    // its Idempotency-Key.
    router.post("/api/assets").handler(ctx -> {
      Asset asset = asset(body(ctx));
      create(ctx, onCreate -> catalog.saveAsset(asset, onCreate), Asset::toJson);
    });
    router.get("/api/assets").handler(ctx -> ok(ctx, catalog.listAssets().map(l -> array(l, Asset::toJson))));
    router.post("/api/policies").handler(ctx -> {
      JsonObject body = body(ctx);
      PolicyDefinition policy = new PolicyDefinition(id(body, "id"), policyBody(body));
      create(ctx, onCreate -> catalog.savePolicy(policy, onCreate), PolicyDefinition::toJson);
    });
    router.get("/api/policy-templates").handler(ctx -> json(ctx, 200, templates.list()));
    router.get("/api/policies").handler(ctx ->
        ok(ctx, catalog.listPolicies().map(l -> array(l, PolicyDefinition::toJson))));
    router.post("/api/offers").handler(ctx -> {
      JsonObject body = body(ctx);
      String id = body.containsKey("id") ? id(body, "id") : UUID.randomUUID().toString();
      String assetId = id(body, "assetId");
      String policyId = id(body, "policyId");
      create(ctx, onCreate -> catalog.saveOffer(id, assetId, policyId, onCreate), Offer::toJson);
    });
    router.get("/api/offers").handler(ctx -> ok(ctx, catalog.listOffers().map(l -> array(l, o -> o.toJson()))));

    router.post("/api/catalog/request").handler(ctx -> {
      JsonObject body = body(ctx);
      // The partner's id, not only its address: the node token of the request is made out to it.
      String counterPartyId = participantId(body, "counterPartyId");
      ok(ctx, dsp.catalog(url(body, "counterPartyAddress"), counterPartyId, Dsp.message("CatalogRequestMessage")));
    });

    router.post("/api/negotiations").handler(ctx -> {
      JsonObject body = body(ctx);
      UsageDeclaration declared = UsageDeclaration.of(body.getValue("purpose"), body.getValue("legalBasis"));
      String counterPartyId = string(body, "counterPartyId");
      String address = url(body, "counterPartyAddress");
      JsonObject offer = object(body, "offer");
      String datasetId = body.getValue("datasetId") instanceof String d ? d : null;
      create(ctx, onCreate -> negotiations.request(counterPartyId, address, offer, datasetId, declared, onCreate),
          (Negotiation n) -> n.toJson());
    });
    router.get("/api/negotiations").handler(ctx ->
        ok(ctx, negotiations.store().list().map(l -> array(l, n -> n.toJson(language(ctx))))));
    router.get("/api/negotiations/:id").handler(ctx ->
        ok(ctx, negotiations.store().find(ctx.pathParam("id")).map(n -> n.toJson(language(ctx)))));
    router.get("/api/agreements").handler(ctx ->
        ok(ctx, negotiations.store().listAgreements().map(l -> array(l, Agreement::toJson))));
    router.get("/api/agreements/:id").handler(ctx ->
        ok(ctx, negotiations.store().findAgreement(ctx.pathParam("id")).map(Agreement::toJson)));
    // The reason travels to the consumer with the termination of each running transfer.
    router.post("/api/agreements/:id/revocation").handler(ctx -> ok(ctx, recorded("revoke-agreement",
        transfers.revokeAgreement(ctx.pathParam("id"), reason(ctx)).map(Agreement::toJson))));

    router.post("/api/transfers").handler(ctx -> {
      JsonObject body = body(ctx);
      Object format = body.getValue("format", Dsp.HTTP_DATA_PULL);
      Object destination = body.getValue("dataDestination");
      if (!(format instanceof String) || destination != null && !(destination instanceof JsonObject)) {
        throw new Problem(400, "Bad request", "expected format as a string and dataDestination as an object"
            + " (a DataAddress), got " + format + " and " + destination);
      }
      String agreementId = string(body, "agreementId");
      create(ctx, onCreate -> transfers.request(agreementId, (String) format, (JsonObject) destination, onCreate),
          (Transfer t) -> t.toJson());
    });
    router.get("/api/transfers").handler(ctx ->
        ok(ctx, transfers.store().list().map(l -> array(l, t -> t.toJson(language(ctx))))));
    router.get("/api/transfers/:id").handler(ctx ->
        ok(ctx, transfers.store().find(ctx.pathParam("id")).map(t -> t.toJson(language(ctx)))));
    router.post("/api/transfers/:id/completion").handler(ctx ->
        ok(ctx, transfers.complete(ctx.pathParam("id")).map(Transfer::toJson)));
    // The reason is optional; it travels to the counter-party in the DSP message.
    router.post("/api/transfers/:id/suspension").handler(ctx -> ok(ctx, recorded("suspend-transfer",
        transfers.suspend(ctx.pathParam("id"), reason(ctx)).map(Transfer::toJson))));
    // A provider asks its policy engine again first; a consumer asks the provider, which may refuse.
    router.post("/api/transfers/:id/resumption").handler(ctx -> ok(ctx, recorded("resume-transfer",
        transfers.resumeTransfer(ctx.pathParam("id")).map(Transfer::toJson))));
    router.post("/api/transfers/:id/termination").handler(ctx -> ok(ctx, recorded("terminate-transfer",
        transfers.terminate(ctx.pathParam("id"), reason(ctx)).map(Transfer::toJson))));
    router.get("/api/transfers/:id/data").handler(this::received);
    router.get("/api/transfers/:id/data").handler(this::download);
  }

  private static String reason(RoutingContext ctx) {
    JsonObject body = ctx.body().length() == 0 ? new JsonObject() : body(ctx);
    return body.getValue("reason") instanceof String r && !r.isBlank() ? r : "by the operator";
  }

  /**
   * Records an operator's change in the audit log before answering it: the operator learns of the
   * change only once it is on record.
   */
  private Future<JsonObject> recorded(String action, Future<JsonObject> change) {
    return change.compose(result -> audit.append(AuditType.ADMIN, action + ":" + result.getString("id"),
        new JsonObject().put("action", action).put("by", "operator").put("resource", result)).map(result));
  }

  /** Streams the data of a started consumer transfer from its provider to the operator. */
  private void download(RoutingContext ctx) {
    transfers.store().find(ctx.pathParam("id"))
        .compose(t -> {
          if (t.role() != Role.CONSUMER || t.state() != TransferState.STARTED || t.dataAddress() == null) {
            return Future.failedFuture(new Conflict("transfer " + t.id() + " is " + t.state()
                + "; data can be fetched only from a STARTED consumer transfer"));
          }
          return transfers.freshDataAddress(t)
              .compose(address -> fetcher.open(t.counterPartyId(), address, ctx.request().getHeader("Range"))
                  .recover(e -> Future.failedFuture(isConnectionLost(e) ? connectionLost(provider(t), e) : e)))
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
                ctx.fail(connectionLost(provider(opened.transfer()), e));
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
    transfers.store().find(ctx.pathParam("id")).onComplete(found -> {
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

  private void authenticate(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-Api-Key");
    if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        apiKey.getBytes(StandardCharsets.UTF_8))) {
      ctx.fail(new Problem(401, "Unauthorized", given == null ? "the X-Api-Key header is required"
          : "the API key is not valid for this node"));
      return;
    }
    ctx.next();
  }

  /** The router's failure handler: every error leaves as problem+json, never a stack trace. */
  public static void handleFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    Problem problem;
    if (failure instanceof Problem p) {
      problem = p;
    } else if (failure instanceof NotFound e) {
      problem = new Problem(404, "Not found", e.getMessage());
    } else if (failure instanceof Conflict e) {
      problem = new Problem(409, "Conflict", e.getMessage());
    } else if (failure instanceof AuditException e) {
      problem = e.reason() == Reason.OUT_OF_RANGE ? Problem.badRequest(e.getMessage())
          : new Problem(503, "Audit log unavailable", e.getMessage());
    } else if (failure instanceof IllegalArgumentException e) {
      problem = Problem.badRequest(e.getMessage());
    } else if (failure instanceof SQLException e && e.getSQLState() != null && e.getSQLState().startsWith("23")) {
      problem = new Problem(409, "Conflict", "the resource already exists or is still in use");
    } else if (failure instanceof DspClient.PeerRefused e) {
      problem = partnerRefused(e);
    } else if (failure instanceof DspClient.WrongServer e) {
      problem = new Problem(502, "Wrong partner", e.getMessage());
    } else if (failure instanceof HttpException e && e.getStatusCode() < 500) {
      problem = new Problem(e.getStatusCode(), e.getStatusCode() == 413 ? "Payload too large" : "Bad request",
          e.getStatusCode() == 413 ? "the body exceeds the limit of this endpoint" : String.valueOf(e.getPayload()));
    } else if (failure == null && ctx.statusCode() < 500) {
      problem = new Problem(ctx.statusCode(), "Request refused", "HTTP " + ctx.statusCode());
    } else if (isUnreachable(failure)) {
      problem = new Problem(502, "Partner unreachable", failure.getMessage());
    } else if (isConnectionLost(failure)) {
      problem = connectionLost(new LocalizedText("the partner", "le partenaire"), failure);
    } else {
      LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), failure);
      problem = new Problem(500, "Internal error", "see the node's log");
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (problem.retryAfterSeconds() >= 0) {
      ctx.response().putHeader("Retry-After", String.valueOf(problem.retryAfterSeconds()));
    }
    ctx.response().setStatusCode(problem.status()).putHeader("Content-Type", "application/problem+json")
        .putHeader("Vary", "Accept-Language").end(problem.toJson(ctx.request().path(), language(ctx)).encode());
  }

  /**
   * A partner's refusal, with its own reason in the caller's language when it gave one. A partner
   * that is only unavailable for now (503, e.g. its policy engine could not decide on its catalog)
   * is a 503 here too, with its {@code Retry-After}: the operator's request may succeed as it is
   * later, which a 502 would not say.
   */
  static Problem partnerRefused(DspClient.PeerRefused e) {
    String french = e.frenchReason() == null ? null
        : e.uri() + " a répondu " + e.status() + " : " + e.frenchReason();
    if (e.unavailable()) {
      return new Problem(503, "Partner unavailable", e.uri() + " answered " + e.status() + ": " + e.reason(), french,
          e.retryAfterSeconds());
    }
    return new Problem(502, "Partner refused", e.getMessage(), french);
  }

  /**
   * A partner's connection that closed or was reset before its answer was whole: the partner stopped
   * or crashed mid-answer. Its fault, not this node's (502, not 500).
   */
  private static boolean isConnectionLost(Throwable failure) {
    return failure instanceof io.vertx.core.http.HttpClosedException
        || failure instanceof io.vertx.core.http.StreamResetException
        || failure instanceof java.io.IOException;
  }

  private static Problem connectionLost(LocalizedText who, Throwable failure) {
    String cause = failure.getClass().getSimpleName() + ": " + failure.getMessage();
    return new Problem(502, "Partner connection lost", who.en() + " closed or reset the connection before its"
        + " answer was complete (" + cause + "); it may have stopped or crashed: try again once it is back",
        "la connexion avec " + who.in("fr") + " a été fermée ou réinitialisée avant la fin de sa réponse (" + cause
        + ") ; il s'est peut-être arrêté : réessayez quand il sera de retour");
  }

  private static LocalizedText provider(Transfer t) {
    return new LocalizedText("the provider " + t.counterPartyId(), "le fournisseur " + t.counterPartyId());
  }

  private static boolean isUnreachable(Throwable failure) {
    // A partner whose host name no longer resolves (its container is gone from the network) or has no
    // route is unreachable too, not an internal error.
    return failure instanceof java.net.ConnectException || failure instanceof io.netty.channel.ConnectTimeoutException
        || failure instanceof java.net.UnknownHostException || failure instanceof java.net.NoRouteToHostException
        || failure instanceof java.util.concurrent.TimeoutException
        || failure instanceof javax.net.ssl.SSLException
        || (failure != null && failure.getClass().getSimpleName().contains("Timeout"));
  }

  /** The caller's language for details and reasons, from {@code Accept-Language} (see {@link Languages}). */
  private static String language(RoutingContext ctx) {
    return Languages.preferred(ctx.request().getHeader("Accept-Language"));
  }

  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw Problem.badRequest("a JSON object body is required");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      throw Problem.badRequest("the body must be a JSON object: " + e.getMessage());
    }
  }

  private static Asset asset(JsonObject body) {
    // "sourcePath" is the short form of a file source.
    JsonObject source = body.containsKey("sourcePath")
        ? new JsonObject().put("type", "file").put("path", string(body, "sourcePath")) : object(body, "source");
    String classification = body.getString("classification", "public");
    if (!List.of("public", "internal", "personal", "sensitive").contains(classification)) {
      throw Problem.badRequest("classification must be one of public, internal, personal, sensitive; got '"
          + classification + "'");
    }
    return new Asset(id(body, "id"), string(body, "title"), body.getString("description", ""),
        body.getString("contentType", "application/octet-stream"), AssetSource.fromJson(source), classification);
  }

  /**
   * The ODRL policy of {@code POST /api/policies}: written out ({@code policy}), or a template filled
   * with parameters ({@code template}, {@code parameters}); a mistake in the latter names the template
   * or the parameter.
   */
  private JsonObject policyBody(JsonObject body) {
    boolean written = body.containsKey("policy");
    boolean templated = body.containsKey("template");
    if (written == templated) {
      throw Problem.badRequest("give either 'policy' (an ODRL policy) or 'template' with 'parameters' "
          + "(see GET /api/policy-templates), not " + (written ? "both" : "neither"));
    }
    if (written) {
      return object(body, "policy");
    }
    Object parameters = body.getValue("parameters");
    if (parameters != null && !(parameters instanceof JsonObject)) {
      throw Problem.badRequest("'parameters' must be a JSON object of placeholder values, got " + parameters);
    }
    return templates.instantiate(string(body, "template"), (JsonObject) parameters, participantId);
  }

  private static String string(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (!(value instanceof String s) || s.isBlank()) {
      throw Problem.badRequest("'" + name + "' is required and must be a non-empty string, got " + value);
    }
    return s;
  }

  private static String id(JsonObject body, String name) {
    String value = string(body, name);
    if (!ID.matcher(value).matches()) {
      throw Problem.badRequest("'" + name + "' must match " + ID.pattern() + ", got '" + value + "'");
    }
    return value;
  }

  private static String participantId(JsonObject body, String name) {
    String value = string(body, name);
    try {
      return ParticipantId.parse(value).value();
    } catch (TrustException e) {
      throw Problem.badRequest("'" + name + "' must be a participant id NTRFR-<SIREN>: " + e.getMessage());
    }
  }

  private String url(JsonObject body, String name) {
    String value = string(body, name);
    if (!value.startsWith(partnerScheme)) {
      throw Problem.badRequest("'" + name + "' must be an " + partnerScheme + " URL (partners speak DSP over TLS), "
          + "got '" + value + "'");
    }
    return value;
  }

  private static JsonObject object(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (!(value instanceof JsonObject o)) {
      throw Problem.badRequest("'" + name + "' is required and must be a JSON object, got " + value);
    }
    return o;
  }

  private static <T> JsonArray array(List<T> items, Function<T, JsonObject> toJson) {
    return new JsonArray(items.stream().map(toJson).toList());
  }

  private static void ok(RoutingContext ctx, Future<?> result) {
    result.onSuccess(value -> json(ctx, 200, value)).onFailure(ctx::fail);
  }

  /**
   * Answers a creating POST with 201 and the created resource. With an {@code Idempotency-Key}, the
   * creation runs once per key (see {@link IdempotencyKeys}): the 201 is written into the key's row in
   * the creation's own transaction, and a retry of the same request gets it back, marked {@code
   * Idempotent-Replayed: true}.
   *
   * @param creation the creation, given what to run in its transaction
   */
  private <T> void create(RoutingContext ctx, Function<OnCreate<T>, Future<T>> creation,
      Function<T, JsonObject> toJson) {
    String key = IdempotencyKeys.key(ctx.request().headers().getAll(IDEMPOTENCY_KEY));
    if (key == null) {
      created(ctx, creation.apply(OnCreate.none()).map(toJson));
      return;
    }
    String fingerprint = IdempotencyKeys.fingerprint(ctx.request().method().name(), ctx.request().path(),
        ctx.body().buffer());
    idempotencyKeys.begin(scope, key, fingerprint).onSuccess(begun -> {
      if (begun instanceof IdempotencyKeys.Replay replay) {
        ctx.response().setStatusCode(replay.status()).putHeader("Content-Type", "application/json")
            .putHeader("Idempotent-Replayed", "true").end(replay.body());
        return;
      }
      IdempotencyKeys.Claimed claimed = (IdempotencyKeys.Claimed) begun;
      // The body the client gets is the one stored, byte for byte, so that a replay cannot differ.
      AtomicReference<String> stored = new AtomicReference<>();
      Future<T> done;
      try {
        done = creation.apply((c, created) -> {
          stored.set(toJson.apply(created).encode());
          idempotencyKeys.complete(c, claimed, 201, stored.get());
        });
      } catch (RuntimeException e) {
        done = Future.failedFuture(e);
      }
      done.onSuccess(value -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
              .end(stored.get()))
          .onFailure(e -> idempotencyKeys.release(claimed).onComplete(released -> {
            if (released.failed()) {
              LOG.warn("Idempotency-Key {}: not released after a failed creation, it stays claimed until it expires: {}",
                  key, released.cause().getMessage());
            }
            ctx.fail(e);
          }));
    }).onFailure(ctx::fail);
  }

  private static void created(RoutingContext ctx, Future<?> result) {
    result.onSuccess(value -> json(ctx, 201, value)).onFailure(ctx::fail);
  }

  private static void json(RoutingContext ctx, int status, Object value) {
    String encoded = value instanceof JsonObject o ? o.encode() : ((JsonArray) value).encode();
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(encoded);
  }
}
