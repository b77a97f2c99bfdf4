package fr.socle.protocol;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.function.Function;

/**
 * Calls partner nodes' DSP endpoints over mutually authenticated TLS. Every call is bounded in time;
 * a refusal carries the partner's status and error body so it can be shown to the operator.
 *
 * <p>Every call names its callee's participant id: the node token on it is made for that callee
 * alone ({@code aud}), so a partner cannot reuse it against a third node, and a call sent to the wrong
 * address is refused by an honest recipient instead of being served by it.
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

  private final HttpClientAgent http;
  private final WebClient client;
  private final long timeoutMillis;
  private final Function<String, String> tokenFor;

  /**
   * @param tokenFor the {@code Authorization} token for a callee's participant id; a null token
   *                 sends no header (conformance runs against partners that use none)
   */
  public DspClient(Vertx vertx, HttpClientOptions tls, long timeoutMillis, Function<String, String> tokenFor) {
    WebClientOptions options = new WebClientOptions(tls).setUserAgent("socle-node");
    this.http = vertx.createHttpClient(options);
    this.client = WebClient.wrap(http, options);
    this.timeoutMillis = timeoutMillis;
    this.tokenFor = tokenFor;
  }

  /**
   * Replaces the TLS options of new connections, e.g. with a new CRL; pooled connections keep theirs
   * until they close.
   */
  public Future<Boolean> updateTls(ClientSSLOptions options) {
    return http.updateSSLOptions(options, true);
  }

  /**
   * POSTs a DSP message to {@code callee}; succeeds with the partner's JSON answer, or an empty object
   * for no body.
   */
  public Future<JsonObject> post(String base, String path, String callee, JsonObject message) {
    String uri = join(base, path);
    return authorize(client.postAbs(uri), callee)
        .compose(request -> request.timeout(timeoutMillis).putHeader("Content-Type", "application/json")
            .sendJsonObject(message))
        .compose(response -> json(uri, response));
  }

  public Future<JsonObject> get(String base, String path, String callee) {
    String uri = join(base, path);
    return authorize(client.getAbs(uri), callee).compose(request -> request.timeout(timeoutMillis).send())
        .compose(response -> json(uri, response));
  }

  private Future<HttpRequest<Buffer>> authorize(HttpRequest<Buffer> request, String callee) {
    try {
      // Signed per call: each token is single-use at the callee (jti), so none can be cached here.
      String token = tokenFor.apply(callee);
      return Future.succeededFuture(token == null ? request
          : request.putHeader(TokenAuthenticator.DSP_HEADER, "Bearer " + token));
    } catch (IllegalArgumentException e) {
      // no callee id: a bug in the caller, reported on the call's future like any other failure
      return Future.failedFuture(e);
    }
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
