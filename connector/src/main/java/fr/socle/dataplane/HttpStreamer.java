package fr.socle.dataplane;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;

/**
 * Relays an HTTP(S) backend: the node adds the backend's own credentials, forwards a byte range,
 * and passes status, type, length and range headers through while piping the body.
 */
final class HttpStreamer implements SourceStreamer {

  private static final List<String> PASSED_HEADERS =
      List.of("Content-Length", "Content-Range", "Accept-Ranges", "Repr-Digest", "Last-Modified", "ETag");

  private final HttpClient client;
  private final long timeoutMillis;
  private final Vertx vertx;

  HttpStreamer(Vertx vertx, long timeoutMillis) {
    this.client = vertx.createHttpClient(StreamTuning.bulk(new HttpClientOptions()).setVerifyHost(true)
        .setConnectTimeout((int) timeoutMillis).setIdleTimeout((int) Math.max(1, timeoutMillis / 1000)));
    this.timeoutMillis = timeoutMillis;
    this.vertx = vertx;
  }

  @Override
  public Future<Void> stream(Asset asset, String range, DataSink sink) {
    AssetSource.HttpSource source = (AssetSource.HttpSource) asset.source();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(source.url())
        .setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis);
    source.headers().forEach(options::putHeader);
    if (range != null) {
      options.putHeader("Range", range);
    }
    return client.request(options).compose(r -> {
      // The body is relayed by BodyRelay, never kept: it may reach the relay in the memory it was read into.
      StreamTuning.readIntoDirectBuffers(r.connection());
      return r.send();
    })
        .recover(e -> Future.failedFuture(new SourceUnavailable("the backend of asset " + asset.id()
            + " cannot be reached: " + e.getMessage())))
        .compose(backend -> {
          int status = backend.statusCode();
          if (status != 200 && status != 206 && status != 416) {
            backend.end();
            return Future.failedFuture(new SourceUnavailable("the backend of asset " + asset.id() + " answered "
                + status));
          }
          MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type",
              backend.getHeader("Content-Type") != null ? backend.getHeader("Content-Type") : asset.contentType());
          for (String name : PASSED_HEADERS) {
            String value = backend.getHeader(name);
            if (value != null) {
              headers.add(name, value);
            }
          }
          // The backend's body waits (paused) while the sink opens: a push connects to its destination first.
          backend.pause();
          // Not ended on failure: the caller resets the sink, so a cut body never looks complete.
          return sink.open(status, headers).compose(body -> BodyRelay.relay(vertx, backend, body))
              .onFailure(e -> backend.request().reset());
        });
  }
}
