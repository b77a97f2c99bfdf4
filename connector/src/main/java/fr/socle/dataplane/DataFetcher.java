package fr.socle.dataplane;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The consumer's side of HTTP pull: opens the provider's data endpoint with the data address it
 * received, over the federation's mutual TLS. The caller pipes the response where it needs it.
 */
public final class DataFetcher {

  private final HttpClient client;
  private final long idleTimeoutMillis;

  public DataFetcher(Vertx vertx, HttpClientOptions tls, long idleTimeoutMillis) {
    this.client = vertx.createHttpClient(new HttpClientOptions(tls).setIdleTimeout((int) (idleTimeoutMillis / 1000)));
    this.idleTimeoutMillis = idleTimeoutMillis;
  }

  /** Opens the data stream; the response is paused until the caller pipes or resumes it. */
  public Future<HttpClientResponse> open(JsonObject dataAddress, String range) {
    String endpoint = dataAddress.getString("endpoint");
    String token = property(dataAddress, "authorization");
    if (endpoint == null || token == null) {
      return Future.failedFuture(new IllegalArgumentException(
          "the data address lacks an endpoint or an authorization token"));
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(endpoint)
        .putHeader("Authorization", "Bearer " + token).setConnectTimeout(idleTimeoutMillis)
        .setIdleTimeout(idleTimeoutMillis);
    if (range != null) {
      options.putHeader("Range", range);
    }
    return client.request(options).compose(request -> request.send()).map(response -> {
      response.pause();
      return response;
    });
  }

  private static String property(JsonObject dataAddress, String name) {
    Object properties = dataAddress.getValue("endpointProperties");
    if (properties instanceof JsonArray array) {
      for (Object o : array) {
        if (o instanceof JsonObject p && name.equals(p.getString("name"))) {
          return p.getString("value");
        }
      }
    }
    return null;
  }
}
