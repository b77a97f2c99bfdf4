package fr.socle.management;

import io.vertx.core.json.JsonObject;

/**
 * An operator request refused with a precise reason, sent as RFC 9457 problem+json. Stackless: an
 * expected outcome.
 */
public final class Problem extends RuntimeException {

  private final int status;
  private final String title;

  public Problem(int status, String title, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
  }

  public static Problem badRequest(String detail) {
    return new Problem(400, "Bad request", detail);
  }

  public int status() {
    return status;
  }

  public JsonObject toJson(String instance) {
    return new JsonObject().put("type", "about:blank").put("title", title).put("status", status)
        .put("detail", getMessage()).put("instance", instance);
  }
}
