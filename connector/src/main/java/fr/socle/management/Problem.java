package fr.socle.management;

import io.vertx.core.json.JsonObject;

/**
 * An operator request refused with a precise reason, sent as RFC 9457 problem+json. Stackless: an
 * expected outcome.
 */
public final class Problem extends RuntimeException {

  private final int status;
  private final String title;
  private final String detailFr;
  private final long retryAfterSeconds;

  public Problem(int status, String title, String detail) {
    this(status, title, detail, null);
  }

  /** @param detailFr the detail in French, for callers who prefer it; null when only English is known */
  public Problem(int status, String title, String detail, String detailFr) {
    this(status, title, detail, detailFr, -1);
  }

  /** @param retryAfterSeconds sent as {@code Retry-After} when not negative */
  public Problem(int status, String title, String detail, String detailFr, long retryAfterSeconds) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
    this.detailFr = detailFr;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** When the caller may try again, in seconds; -1 when not said. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public static Problem badRequest(String detail) {
    return new Problem(400, "Bad request", detail);
  }

  public int status() {
    return status;
  }

  public JsonObject toJson(String instance) {
    return toJson(instance, Languages.DEFAULT);
  }

  /** The problem document with its {@code detail} in {@code language} when known in it, else in English. */
  public JsonObject toJson(String instance, String language) {
    return new JsonObject().put("type", "about:blank").put("title", title).put("status", status)
        .put("detail", "fr".equals(language) && detailFr != null ? detailFr : getMessage()).put("instance", instance);
  }
}
