package fr.socle.dataplane;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.WriteStream;

/**
 * Where a {@link SourceStreamer} writes an asset: the response to a consumer's pull, or the request
 * of a push to the consumer's destination. A source first opens the sink with a status and headers,
 * then writes the body to the stream it gets back, with back-pressure, and ends it only when the
 * whole body was read.
 *
 * <p>Contract: a body that could not be read to its end is never ended; the owner of the sink
 * {@link #reset}s it instead, so the receiver sees a broken exchange rather than a short body it could
 * take for complete.
 */
public interface DataSink {

  /**
   * Sends the head: {@code status} (a pull's response status; a push has none and ignores it) and
   * {@code headers} (Content-Type, Content-Length, Repr-Digest, ...). The body goes to the stream
   * returned, on the caller's context.
   */
  Future<WriteStream<Buffer>> open(int status, MultiMap headers);

  /** Whether a head was sent: after that, a failure can only be a {@link #reset}, not an error answer. */
  boolean opened();

  /** Breaks the exchange at once (a cut body never looks complete). */
  void reset();

  /** The pull's sink: the consumer's response, sent when the source writes the first bytes. */
  static DataSink response(HttpServerResponse response) {
    return new DataSink() {
      @Override
      public Future<WriteStream<Buffer>> open(int status, MultiMap headers) {
        response.setStatusCode(status).headers().addAll(headers);
        // A source that cannot tell its length (SQL export, a backend without one) is sent chunked.
        response.setChunked(!headers.contains("Content-Length"));
        return Future.succeededFuture(response);
      }

      @Override
      public boolean opened() {
        return response.headWritten();
      }

      @Override
      public void reset() {
        response.reset();
      }
    };
  }
}
