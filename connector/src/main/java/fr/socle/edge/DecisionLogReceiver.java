package fr.socle.edge;

import fr.socle.audit.AuditException;
import fr.socle.audit.AuditLog;
import fr.socle.audit.AuditType;
import fr.socle.audit.OpaDecisionEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the node's OPA decision-log uploads ({@code decision_logs.service} pointed at {@value #PATH}
 * on this listener) and logs them as {@link AuditType#OPA_DECISION} entries.
 *
 * <p>Threats and bounds: the listener binds to 127.0.0.1 only (OPA is the node's loopback sidecar),
 * and every request must carry the shared bearer token OPA is configured with ({@code
 * credentials.bearer.token_path}), compared in constant time, so another local process cannot write
 * into the audit log. Bodies are limited to {@value #MAX_BODY_BYTES} bytes as sent and {@link
 * OpaDecisionEvents#MAX_DECOMPRESSED_BYTES} once decompressed (set OPA's {@code
 * reporting.upload_size_limit_bytes} below the former). Decompression and parsing run on a worker.
 * OPA retries any upload not answered 2xx, so logging is idempotent by decision id ({@link
 * AuditLog#appendOpaDecisions}), and a full audit queue answers 503 so that OPA keeps the events and
 * retries rather than losing them.
 */
public final class DecisionLogReceiver {

  public static final String PATH = "/opa/decisions";
  public static final int MAX_BODY_BYTES = 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(DecisionLogReceiver.class);

  private final Vertx vertx;
  private final byte[] token;
  private final AuditLog log;

  public DecisionLogReceiver(Vertx vertx, String token, AuditLog log) {
    this.vertx = vertx;
    this.token = ("Bearer " + Objects.requireNonNull(token, "token")).getBytes(StandardCharsets.UTF_8);
    this.log = log;
  }

  /** Listens on 127.0.0.1:{@code port}. */
  public Future<HttpServer> listen(int port) {
    Router router = Router.router(vertx);
    router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES)).handler(this::receive);
    router.route().failureHandler(DecisionLogReceiver::failed);
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(request -> {
          // Before the router: a caller without the token is answered before any of its body is read.
          String refusal = refusal(request);
          if (refusal != null) {
            int status = refusal.startsWith("Content-Encoding") ? 415 : 401;
            request.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                .putHeader("Connection", "close")
                .end(new JsonObject().put("status", status).put("detail", refusal).encode());
            return;
          }
          router.handle(request);
        }).listen();
  }

  private String refusal(io.vertx.core.http.HttpServerRequest request) {
    String given = request.getHeader("Authorization");
    if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token)) {
      return given == null ? "a bearer token is required" : "the bearer token is not this node's decision-log token";
    }
    String encoding = request.getHeader("Content-Encoding");
    if (encoding != null && !encoding.equalsIgnoreCase("gzip") && !encoding.equalsIgnoreCase("identity")) {
      return "Content-Encoding " + encoding + " is not accepted; want gzip";
    }
    return null;
  }

  private void receive(RoutingContext ctx) {
    boolean gzip = "gzip".equalsIgnoreCase(ctx.request().getHeader("Content-Encoding"));
    byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    vertx.executeBlocking(() -> OpaDecisionEvents.read(body, gzip), false)
        .compose(upload -> log.appendOpaDecisions(upload.decisions())
            .map(added -> new JsonObject().put("received", upload.decisions().size()).put("logged", added)
                .put("probes", upload.probes())))
        .onSuccess(result -> {
          LOG.debug("OPA decision log upload: {}", result);
          ctx.response().setStatusCode(204).end();
        })
        .onFailure(ctx::fail);
  }

  private static void failed(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status;
    if (failure instanceof HttpException e) {
      status = e.getStatusCode();
    } else if (failure instanceof AuditException) {
      status = 503; // OPA keeps the events and retries
    } else if (failure instanceof IllegalArgumentException) {
      status = ctx.statusCode() > 0 && ctx.statusCode() != 500 ? ctx.statusCode() : 400;
    } else {
      status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    }
    String detail = status == 413 ? "the upload exceeds " + MAX_BODY_BYTES + " bytes"
        : failure == null ? "HTTP " + status : failure.getMessage();
    if (status >= 500) {
      LOG.warn("OPA decision log upload refused ({}): {}", status, detail);
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
        .end(new JsonObject().put("status", status).put("detail", detail).encode());
  }
}
