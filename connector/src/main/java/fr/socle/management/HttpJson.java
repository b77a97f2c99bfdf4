package fr.socle.management;

import fr.socle.trust.ParticipantId;
import fr.socle.trust.TrustException;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reading an operator's JSON request and writing the JSON answer, for every resource of the API. A
 * field that is missing or malformed is thrown as a 400 {@link Problem} naming the field, which the
 * router's failure handler answers.
 */
final class HttpJson {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

  private HttpJson() {
  }

  static JsonObject body(RoutingContext ctx) {
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

  /** The operator's reason for a change, from an optional body; it travels to the counter-party. */
  static String reason(RoutingContext ctx) {
    JsonObject body = ctx.body().length() == 0 ? new JsonObject() : body(ctx);
    return body.getValue("reason") instanceof String r && !r.isBlank() ? r : "by the operator";
  }

  static String string(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (!(value instanceof String s) || s.isBlank()) {
      throw Problem.badRequest("'" + name + "' is required and must be a non-empty string, got " + value);
    }
    return s;
  }

  static String id(JsonObject body, String name) {
    String value = string(body, name);
    if (!ID.matcher(value).matches()) {
      throw Problem.badRequest("'" + name + "' must match " + ID.pattern() + ", got '" + value + "'");
    }
    return value;
  }

  static String participantId(JsonObject body, String name) {
    String value = string(body, name);
    try {
      return ParticipantId.parse(value).value();
    } catch (TrustException e) {
      throw Problem.badRequest("'" + name + "' must be a participant id NTRFR-<SIREN>: " + e.getMessage());
    }
  }

  /** A partner's DSP address, which must use {@code scheme} (see {@link ManagementApi}). */
  static String url(JsonObject body, String name, String scheme) {
    String value = string(body, name);
    if (!value.startsWith(scheme)) {
      throw Problem.badRequest("'" + name + "' must be an " + scheme + " URL (partners speak DSP over TLS), "
          + "got '" + value + "'");
    }
    return value;
  }

  static JsonObject object(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (!(value instanceof JsonObject o)) {
      throw Problem.badRequest("'" + name + "' is required and must be a JSON object, got " + value);
    }
    return o;
  }

  /** The caller's language for details and reasons, from {@code Accept-Language} (see {@link Languages}). */
  static String language(RoutingContext ctx) {
    return Languages.preferred(ctx.request().getHeader("Accept-Language"));
  }

  static <T> JsonArray array(List<T> items, Function<T, JsonObject> toJson) {
    return new JsonArray(items.stream().map(toJson).toList());
  }

  /** Answers 200 with the result, or fails the request with the cause for the failure handler. */
  static void ok(RoutingContext ctx, Future<?> result) {
    result.onSuccess(value -> json(ctx, 200, value)).onFailure(ctx::fail);
  }

  static void created(RoutingContext ctx, Future<?> result) {
    result.onSuccess(value -> json(ctx, 201, value)).onFailure(ctx::fail);
  }

  static void json(RoutingContext ctx, int status, Object value) {
    String encoded = value instanceof JsonObject o ? o.encode() : ((JsonArray) value).encode();
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(encoded);
  }
}
