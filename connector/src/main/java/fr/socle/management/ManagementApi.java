package fr.socle.management;

import static fr.socle.management.HttpJson.json;
import static fr.socle.management.HttpJson.language;

import fr.socle.audit.AuditLog;
import fr.socle.catalog.CatalogStore;
import fr.socle.transfer.DataFetcher;
import fr.socle.edge.PushReceiver;
import fr.socle.negotiation.NegotiationManager;
import fr.socle.edge.Failures;
import fr.socle.policy.LocalizedText;
import fr.socle.process.StepRunner;
import fr.socle.policy.PolicyTemplates;
import fr.socle.protocol.DspClient;
import fr.socle.transfer.TransferManager;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's API. Requests under {@code /api} need the node's API key in {@code X-Api-Key};
 * {@code /health} and {@code /ready} are open so that a supervisor can probe them. Each resource
 * mounts its own routes (assets, policies, offers, partner catalogs, negotiations, agreements,
 * transfers and their data); this class holds what they share: the key, the body limit, the {@link
 * Writes} wired to the idempotency keys, and the failure handler that answers problem+json.
 */
public final class ManagementApi {

  private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);

  private final String apiKey;
  private final CatalogStore catalog;
  private final NegotiationManager negotiations;
  private final TransferManager transfers;
  private final DspClient dsp;
  private final DataFetcher fetcher;
  private final PushReceiver receiver;
  private final AuditLog audit;
  private final Supplier<Future<JsonObject>> readiness;
  private final long maxBodyBytes;
  private final PolicyTemplates templates;
  private final String participantId;
  private final String partnerScheme;
  private final Writes writes;

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
    this.catalog = catalog;
    this.negotiations = negotiations;
    this.transfers = transfers;
    this.dsp = dsp;
    this.fetcher = fetcher;
    this.receiver = receiver;
    this.audit = audit;
    this.readiness = readiness;
    this.maxBodyBytes = maxBodyBytes;
    this.templates = templates;
    this.participantId = participantId;
    this.partnerScheme = partnerScheme;
    this.writes = new Writes(idempotencyKeys, IdempotencyKeys.scope(apiKey), audit);
  }

  public void mount(Router router) {
    router.get("/health").handler(ctx -> {
      List<StepRunner.Status> runners = List.of(negotiations.runnerStatus(), transfers.runnerStatus());
      boolean up = runners.stream().noneMatch(StepRunner.Status::stalled);
      json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN")
          .put("stepRunners", new JsonArray(runners.stream().map(StepRunner.Status::toJson).toList())));
    });
    router.get("/ready").handler(ctx -> readiness.get().onComplete(r -> {
      JsonObject report = r.succeeded() ? r.result() : new JsonObject().put("ready", false)
          .put("problems", new JsonArray().add(r.cause().getMessage()));
      for (StepRunner.Status runner : List.of(negotiations.runnerStatus(), transfers.runnerStatus())) {
        String problem = runnerProblem(runner);
        if (problem != null) {
          report.put("ready", false).put("problems", report.getJsonArray("problems", new JsonArray()).add(problem));
        }
      }
      json(ctx, report.getBoolean("ready", false) ? 200 : 503, report);
    }));

    router.route("/api/*").handler(this::authenticate);
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));

    new AssetsApi(catalog, writes).mount(router);
    new PoliciesApi(catalog, templates, participantId, writes).mount(router);
    new OffersApi(catalog, writes).mount(router);
    new PartnerCatalogApi(dsp, partnerScheme).mount(router);
    new NegotiationsApi(negotiations, partnerScheme, writes).mount(router);
    new AgreementsApi(negotiations, transfers, writes).mount(router);
    new TransfersApi(transfers, writes).mount(router);
    new TransferDataApi(transfers, fetcher, receiver, audit).mount(router);
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
    } else if (failure instanceof IllegalArgumentException e) {
      // What the operator sent was refused by the constructor of what it describes.
      problem = Problem.badRequest(e.getMessage());
    } else if (failure == null && ctx.statusCode() < 500) {
      problem = new Problem(ctx.statusCode(), "Request refused", "HTTP " + ctx.statusCode());
    } else if (isUnreachable(failure)) {
      problem = new Problem(502, "Partner unreachable", failure.getMessage());
    } else if (isConnectionLost(failure)) {
      problem = connectionLost(new LocalizedText("the partner", "le partenaire"), failure);
    } else {
      Failures.Failure f = Failures.of(ctx, failure);
      problem = new Problem(f.status(), f.title(), f.reason(), f.reasonFr(), f.retryAfterSeconds());
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
   * Why a step runner keeps the node from taking more work, or null: a step stuck past its bound (the
   * node needs a restart, {@code /health} says DOWN too), or more rows than it runs at once (they are
   * picked up again from the store as steps finish).
   */
  private static String runnerProblem(StepRunner.Status runner) {
    if (runner.stalled()) {
      return "the " + runner.name() + " step runner has a step running for " + runner.oldestStepSeconds()
          + " s: it is stuck; restart the node (its processes resume where they stopped)";
    }
    return runner.backlog() ? "the " + runner.name() + " step runner runs " + runner.running()
        + " steps, its maximum: further rows wait to be picked up again from the store" : null;
  }

  /**
   * A partner's connection that closed or was reset before its answer was whole: the partner stopped
   * or crashed mid-answer. Its fault, not this node's (502, not 500).
   */
  static boolean isConnectionLost(Throwable failure) {
    return failure instanceof io.vertx.core.http.HttpClosedException
        || failure instanceof io.vertx.core.http.StreamResetException
        || failure instanceof java.io.IOException;
  }

  static Problem connectionLost(LocalizedText who, Throwable failure) {
    String cause = failure.getClass().getSimpleName() + ": " + failure.getMessage();
    return new Problem(502, "Partner connection lost", who.en() + " closed or reset the connection before its"
        + " answer was complete (" + cause + "); it may have stopped or crashed: try again once it is back",
        "la connexion avec " + who.in("fr") + " a été fermée ou réinitialisée avant la fin de sa réponse (" + cause
        + ") ; il s'est peut-être arrêté : réessayez quand il sera de retour");
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
}
