package fr.socle.transfer;

import fr.socle.dataplane.StreamTuning;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.ServerIdentity;
import fr.socle.protocol.TokenAuthenticator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.function.Function;

/**
 * The consumer's side of HTTP pull: opens the provider's data endpoint with the data address it
 * received, over the federation's mutual TLS. The caller pipes the response where it needs it.
 *
 * <p>Two tokens travel with each request: the transfer's access token in {@code Authorization}, where
 * the data address says it goes, and this node's token for the provider in
 * {@link TokenAuthenticator#DATA_PLANE_HEADER} (see {@link TokenAuthenticator} for why there).
 */
public final class DataFetcher {

  private final HttpClientAgent client;
  private final long idleTimeoutMillis;
  private final Function<String, String> tokenFor;
  private final ServerIdentity serverIdentity;

  /**
   * @param tokenFor this node's token for a provider's participant id; null sends none
   * @param serverIdentity checks that the data endpoint reached is the provider's, before the access
   *     token is sent to it
   */
  public DataFetcher(Vertx vertx, HttpClientOptions tls, long idleTimeoutMillis, Function<String, String> tokenFor,
      ServerIdentity serverIdentity) {
    this.client = vertx.createHttpClient(StreamTuning.bulk(tls).setIdleTimeout((int) (idleTimeoutMillis / 1000)));
    this.idleTimeoutMillis = idleTimeoutMillis;
    this.tokenFor = tokenFor;
    this.serverIdentity = serverIdentity;
  }

  /** Replaces the TLS options of new connections, e.g. with a new CRL. */
  public Future<Boolean> updateTls(ClientSSLOptions options) {
    return client.updateSSLOptions(options, true);
  }

  /**
   * Opens the data stream of {@code provider} (its participant id), or the byte {@code range} of it
   * when not null; the response is paused until the caller pipes or resumes it.
   */
  public Future<HttpClientResponse> open(String provider, JsonObject dataAddress, String range) {
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
    try {
      String nodeToken = tokenFor.apply(provider);
      if (nodeToken != null) {
        options.putHeader(TokenAuthenticator.DATA_PLANE_HEADER, nodeToken);
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return client.request(options).compose(request -> {
      try {
        serverIdentity.check(provider, request.connection());
      } catch (DspClient.WrongServer e) {
        DspClient.abandon(request);
        return Future.failedFuture(e);
      }
      // The body is relayed, never kept: it may reach the relay in the memory it was read into.
      StreamTuning.readIntoDirectBuffers(request.connection());
      return request.send();
    }).map(response -> {
      response.pause();
      return response;
    });
  }

  /** The expiry of a JWT access token, read without checking it (only its issuer can); null for another kind. */
  public static Instant tokenExpiry(String token) {
    if (token == null) {
      return null;
    }
    try {
      Date exp = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime();
      return exp == null ? null : exp.toInstant();
    } catch (ParseException e) {
      return null;
    }
  }

  /** A named endpoint property of a data address; null when absent. */
  public static String property(JsonObject dataAddress, String name) {
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
