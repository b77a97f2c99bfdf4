package fr.socle.edge;

import fr.socle.audit.AuditException;
import fr.socle.audit.Reason;
import fr.socle.policy.DecisionUnavailable;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.Refusal;
import fr.socle.store.Conflict;
import fr.socle.store.NotFound;
import fr.socle.store.TooManyOpen;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where what the core refuses becomes an HTTP answer: each package's typed reason
 * ({@link Refusal}, the store's {@link Conflict}, {@link NotFound} and {@link TooManyOpen} and its
 * constraint violations, the policy engine's {@link DecisionUnavailable}, the audit log's {@link
 * AuditException}, a partner's refusal, Vert.x Web's own 4xx) is given its status here, and the DSP
 * routes and the management API render the same {@link Failure} as a DSP error body or a
 * problem+json. Anything else is a fault of this node: logged with the request it broke, answered 500
 * without details.
 */
public final class Failures {

  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  /**
   * A refusal ready to render: status, a short title (problem+json), a stable code (DSP error), the
   * reason in English and (when known) French, and when to retry (-1 when not said).
   */
  public record Failure(int status, String title, String code, String reason, String reasonFr,
      long retryAfterSeconds) {

    Failure(int status, String code, String reason, String reasonFr) {
      this(status, title(status), code, reason, reasonFr, -1);
    }

    private static String title(int status) {
      return switch (status) {
        case 400 -> "Bad request";
        case 401 -> "Unauthorized";
        case 403 -> "Forbidden";
        case 404 -> "Not found";
        case 409 -> "Conflict";
        case 413 -> "Payload too large";
        case 429 -> "Too many requests";
        case 502 -> "Bad gateway";
        case 503 -> "Service unavailable";
        case 507 -> "Insufficient storage";
        default -> status < 500 ? "Request refused" : "Internal error";
      };
    }
  }

  private Failures() {
  }

  /** The status of each kind of refusal: chosen here once, never in the core. */
  public static int status(Refusal.Kind kind) {
    return switch (kind) {
      case INVALID -> 400;
      case UNAUTHENTICATED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case TOO_LARGE -> 413;
      case TOO_MANY -> 429;
      case SOURCE_FAILED -> 502;
      case CANNOT_STORE -> 507;
    };
  }

  /** The answer to {@code failure} on the request of {@code ctx}; an unrecognised failure is logged there. */
  public static Failure of(RoutingContext ctx, Throwable failure) {
    Failure known = known(failure);
    if (known != null) {
      if (known.status() >= 500) {
        LOG.warn("answering {} to {} {}: {}", known.status(), ctx.request().method(), ctx.normalizedPath(),
            known.reason());
      }
      return known;
    }
    LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), failure);
    return new Failure(500, "internal_error", "internal error; see this node's log",
        "erreur interne ; voir le journal de ce nœud");
  }

  /** The answer to a failure the core names, or null when it is none of those. */
  static Failure known(Throwable failure) {
    if (failure instanceof Refusal e) {
      return new Failure(status(e.kind()), e.code(), e.getMessage(), e.frenchMessage());
    }
    if (failure instanceof DecisionUnavailable e) {
      // Not the caller's fault nor a refusal: the same request may succeed in a few seconds.
      return new Failure(503, "Policy engine unavailable", e.code(), e.reason().en(), e.reason().fr(),
          DecisionUnavailable.RETRY_AFTER_SECONDS);
    }
    if (failure instanceof Conflict e) {
      // Two requests raced for one row and the other won: the caller may read the outcome and retry.
      return new Failure(409, "conflict", e.getMessage(), null);
    }
    if (failure instanceof NotFound e) {
      return new Failure(404, "not_found", e.getMessage(), null);
    }
    if (failure instanceof TooManyOpen e) {
      return new Failure(429, "too_many_open", e.getMessage(), null);
    }
    if (failure instanceof AuditException e) {
      return e.reason() == Reason.OUT_OF_RANGE ? new Failure(400, e.reason().code(), e.getMessage(), null)
          : new Failure(503, "Audit log unavailable", e.reason().code(), e.getMessage(), null, -1);
    }
    if (failure instanceof SQLException e && e.getSQLState() != null && e.getSQLState().startsWith("23")) {
      return new Failure(409, "constraint_violation", "the resource already exists or is still in use",
          "la ressource existe déjà ou est encore utilisée");
    }
    if (failure instanceof DspClient.PeerRefused e) {
      // A partner only unavailable for now (its policy engine could not decide) makes a 503 here too,
      // with its Retry-After: the request may succeed as it is later, which a 502 would not say.
      String french = e.frenchReason() == null ? null
          : e.uri() + " a répondu " + e.status() + " : " + e.frenchReason();
      return e.unavailable()
          ? new Failure(503, "Partner unavailable", "partner_unavailable", e.uri() + " answered " + e.status() + ": "
              + e.reason(), french, e.retryAfterSeconds())
          : new Failure(502, "Partner refused", "partner_refused", e.getMessage(), french, -1);
    }
    if (failure instanceof DspClient.WrongServer e) {
      return new Failure(502, "Wrong partner", "wrong_partner", e.getMessage(), null, -1);
    }
    if (failure instanceof HttpException e && e.getStatusCode() < 500) {
      int status = e.getStatusCode();
      return status == 413
          ? new Failure(413, "body_too_large", "the body exceeds the limit of this endpoint",
              "le corps dépasse la limite de ce point d'accès")
          : new Failure(status, "bad_request", e.getPayload() != null ? e.getPayload()
              : "request refused (HTTP " + status + ")", null);
    }
    return null;
  }
}
