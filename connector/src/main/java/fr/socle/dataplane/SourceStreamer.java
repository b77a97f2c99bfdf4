package fr.socle.dataplane;

import fr.socle.catalog.Asset;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Streams one kind of asset source into a response, with back-pressure and without holding the
 * data in memory.
 *
 * <p>Contract: the returned future fails with a {@link SourceUnavailable} when the source cannot be
 * read before anything was sent, so the caller can still answer a clear error; once bytes have been
 * sent, a failure resets the connection instead, so that a consumer never takes a truncated body for
 * a complete one.
 */
interface SourceStreamer {

  Future<Void> stream(Asset asset, HttpServerRequest request, HttpServerResponse response);
}
