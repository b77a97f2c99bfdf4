package fr.socle.management;

import fr.socle.audit.AuditLog;
import fr.socle.audit.AuditType;
import fr.socle.store.OnCreate;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the operator's writes are answered, the same for every resource: a creation once per {@code
 * Idempotency-Key}, a change to a running process only once it is in the audit log.
 */
final class Writes {

  private static final Logger LOG = LoggerFactory.getLogger(Writes.class);
  private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final IdempotencyKeys idempotencyKeys;
  /** The operator's keys are theirs alone: scoped by the API key they authenticate with. */
  private final String scope;
  private final AuditLog audit;

  Writes(IdempotencyKeys idempotencyKeys, String scope, AuditLog audit) {
    this.idempotencyKeys = idempotencyKeys;
    this.scope = scope;
    this.audit = audit;
  }

  /**
   * Answers a creating POST with 201 and the created resource. With an {@code Idempotency-Key}, the
   * creation runs once per key (see {@link IdempotencyKeys}): the 201 is written into the key's row in
   * the creation's own transaction, and a retry of the same request gets it back, marked {@code
   * Idempotent-Replayed: true}. Callers validate the body before, so that a request refused as
   * malformed never claims its key.
   *
   * @param creation the creation, given what to run in its transaction
   */
  <T> void create(RoutingContext ctx, Function<OnCreate<T>, Future<T>> creation, Function<T, JsonObject> toJson) {
    String key = IdempotencyKeys.key(ctx.request().headers().getAll(IDEMPOTENCY_KEY));
    if (key == null) {
      HttpJson.created(ctx, creation.apply(OnCreate.none()).map(toJson));
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

  /**
   * Records an operator's change in the audit log before answering it: the operator learns of the
   * change only once it is on record.
   */
  Future<JsonObject> recorded(String action, Future<JsonObject> change) {
    return change.compose(result -> audit.append(AuditType.ADMIN, action + ":" + result.getString("id"),
        new JsonObject().put("action", action).put("by", "operator").put("resource", result)).map(result));
  }
}
