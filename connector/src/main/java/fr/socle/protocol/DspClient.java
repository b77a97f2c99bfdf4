package fr.socle.protocol;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Calls partner nodes' DSP endpoints over mutually authenticated TLS. Every call is bounded in time;
 * a refusal carries the partner's status and error body so it can be shown to the operator.
 */
public final class DspClient {

  /** A partner answered, but not with success. */
  public static final class PeerRefused extends RuntimeException {
    private final int status;

    PeerRefused(String uri, int status, String body) {
      super(uri + " answered " + status + ": " + body, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final WebClient client;
  private final long timeoutMillis;

  public DspClient(Vertx vertx, HttpClientOptions tls, long timeoutMillis) {
    this.client = WebClient.create(vertx, new WebClientOptions(tls).setUserAgent("socle-node"));
    this.timeoutMillis = timeoutMillis;
  }

  /** POSTs a DSP message; succeeds with the partner's JSON answer, or an empty object for no body. */
  public Future<JsonObject> post(String base, String path, JsonObject message) {
    String uri = join(base, path);
    return client.postAbs(uri).timeout(timeoutMillis).putHeader("Content-Type", "application/json")
        .sendJsonObject(message).compose(response -> json(uri, response));
  }

  public Future<JsonObject> get(String base, String path) {
    String uri = join(base, path);
    return client.getAbs(uri).timeout(timeoutMillis).send().compose(response -> json(uri, response));
  }

  private static Future<JsonObject> json(String uri, HttpResponse<Buffer> response) {
    Buffer body = response.body();
    if (response.statusCode() / 100 != 2) {
      return Future.failedFuture(new PeerRefused(uri, response.statusCode(), body == null ? "" : body.toString()));
    }
    if (body == null || body.length() == 0) {
      return Future.succeededFuture(new JsonObject());
    }
    try {
      return Future.succeededFuture(body.toJsonObject());
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(new PeerRefused(uri, response.statusCode(), "answer is not a JSON object"));
    }
  }

  static String join(String base, String path) {
    return base.endsWith("/") ? base.substring(0, base.length() - 1) + path : base + path;
  }
}
