package fr.socle.management;

import fr.socle.audit.AuditExport;
import fr.socle.audit.AuditLog;
import fr.socle.audit.Reconciliation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The auditor's read-only API, under {@code /audit}, with its own credential: the operator's key
 * does not open it and the auditor's key opens nothing else. Entries, inclusion and consistency
 * proofs, and self-contained exports that {@code socle audit verify} checks offline.
 */
public final class AuditorApi {

  private static final int MAX_PAGE = 1_000;
  /** An export holds its entries in memory with one proof each: about 2 KiB per entry. */
  private static final int MAX_EXPORT = 5_000;
  private static final int MAX_RECONCILE = 10_000;

  private final String auditorKey;
  private final AuditLog log;

  public AuditorApi(String auditorKey, AuditLog log) {
    this.auditorKey = auditorKey;
    this.log = log;
  }

  public void mount(Router router) {
    router.route("/audit/*").handler(this::authenticate);
    router.get("/audit/entries").handler(ctx -> {
      long[] range = range(ctx, MAX_PAGE);
      reply(ctx, log.entries(range[0], range[1]).map(entries -> filter(new JsonArray(entries), ctx)));
    });
    router.get("/audit/export").handler(ctx -> {
      long[] range = range(ctx, MAX_EXPORT);
      log.export(range[0], range[1])
          .onSuccess(export -> ctx.response().putHeader("Content-Type", AuditExport.MEDIA_TYPE)
              .end(AuditExport.toJsonLines(export)))
          .onFailure(ctx::fail);
    });
    // Decisions missing or different between the node's record and OPA's, matched by decision id.
    router.get("/audit/reconcile").handler(ctx -> {
      long[] range = range(ctx, MAX_RECONCILE);
      reply(ctx, log.entries(range[0], range[1]).map(entries -> Reconciliation.of(new JsonArray(entries))
          .put("from", range[0]).put("to", range[1])));
    });
    router.get("/audit/proofs/inclusion").handler(ctx ->
        reply(ctx, log.inclusionProof(number(ctx, "seq", -1), number(ctx, "size", log.size()))));
    router.get("/audit/proofs/consistency").handler(ctx ->
        reply(ctx, log.consistencyProof(number(ctx, "from", -1), number(ctx, "to", log.size()))));
  }

  /** {@code from} (inclusive) and {@code to} (exclusive), defaulting to the last {@code max} entries. */
  private long[] range(RoutingContext ctx, int max) {
    long size = log.size();
    long to = number(ctx, "to", size);
    long from = number(ctx, "from", Math.max(0, to - max));
    if (to - from > max) {
      throw Problem.badRequest("at most " + max + " entries per request, asked for " + (to - from));
    }
    return new long[] {from, to};
  }

  /** Keeps the entries matching {@code type}, {@code participant}, {@code asset}, {@code allow}, {@code since}. */
  private static JsonObject filter(JsonArray entries, RoutingContext ctx) {
    String type = ctx.queryParams().get("type");
    String participant = ctx.queryParams().get("participant");
    String asset = ctx.queryParams().get("asset");
    String allow = ctx.queryParams().get("allow");
    String since = ctx.queryParams().get("since");
    JsonArray kept = new JsonArray();
    for (Object o : entries) {
      JsonObject entry = (JsonObject) o;
      JsonObject payload = entry.getJsonObject("payload", new JsonObject());
      boolean match = (type == null || type.equalsIgnoreCase(entry.getString("type")))
          && (participant == null || participant.equals(payload.getString("participant")))
          && (asset == null || asset.equals(payload.getString("asset")))
          && (allow == null || allow.equals(String.valueOf(payload.getValue("allow"))))
          && (since == null || entry.getString("time", "").compareTo(since) >= 0);
      if (match) {
        kept.add(entry);
      }
    }
    return new JsonObject().put("entries", kept).put("size", kept.size());
  }

  private void authenticate(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-Api-Key");
    if (auditorKey == null) {
      ctx.fail(new Problem(404, "Not found", "this node has no auditor access configured (management.auditorKey)"));
      return;
    }
    if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        auditorKey.getBytes(StandardCharsets.UTF_8))) {
      ctx.fail(new Problem(401, "Unauthorized", given == null ? "the X-Api-Key header is required"
          : "the key is not an auditor key of this node"));
      return;
    }
    ctx.next();
  }

  private static long number(RoutingContext ctx, String name, long fallback) {
    String value = ctx.queryParams().get(name);
    if (value == null) {
      if (fallback < 0) {
        throw Problem.badRequest("the query parameter '" + name + "' is required");
      }
      return fallback;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw Problem.badRequest("'" + name + "' must be a whole number, got '" + value + "'");
    }
  }

  private static void reply(RoutingContext ctx, Future<JsonObject> result) {
    result.onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json").end(body.encode()))
        .onFailure(ctx::fail);
  }
}
