package fr.socle.dataplane;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.streams.WriteStream;

/**
 * Relays the body of an HTTP response to a write stream, with back-pressure, and ends the stream only
 * when the whole body arrived.
 *
 * <p>Used instead of {@code pipe()} because of how Vert.x 5.0's HTTP client reports a server that
 * closes its connection right after a response (HTTP/1.0 servers, {@code Connection: close}): when
 * the response is paused for back-pressure at that moment, the client reports "Connection was closed"
 * first and then still delivers the rest of the body and its end. A pipe fails on the report, and the
 * last megabyte or so of the data was lost; on this machine one download in six from such a server
 * was cut. Here the report is held for {@link #CLOSE_GRACE_MILLIS}: if the end follows, the body is
 * complete, which the relay checks against the announced {@code Content-Length} rather than trusting
 * the client; if it does not, the relay fails as before.
 *
 * <p>Contract as for {@link SourceStreamer}: on failure the destination is not ended, so the caller
 * can reset it and a cut body never looks complete.
 */
public final class BodyRelay {

  /** How long a body may still arrive after its connection was reported closed. */
  static final long CLOSE_GRACE_MILLIS = 5_000;

  private final Vertx vertx;
  private final HttpClientResponse from;
  private final WriteStream<Buffer> to;
  private final long announced;
  private final long graceMillis;
  private final Promise<Void> done = Promise.promise();
  private long relayed;
  private long graceTimer = -1;

  private BodyRelay(Vertx vertx, HttpClientResponse from, WriteStream<Buffer> to, long graceMillis) {
    this.vertx = vertx;
    this.graceMillis = graceMillis;
    this.from = from;
    this.to = to;
    String length = from.getHeader("Content-Length");
    long parsed;
    try {
      parsed = length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      parsed = -1;
    }
    this.announced = parsed;
  }

  /** Relays the body of {@code from} (paused or not) to {@code to}, and ends {@code to} once it is all there. */
  public static Future<Void> relay(Vertx vertx, HttpClientResponse from, WriteStream<Buffer> to) {
    return relay(vertx, from, to, CLOSE_GRACE_MILLIS);
  }

  static Future<Void> relay(Vertx vertx, HttpClientResponse from, WriteStream<Buffer> to, long graceMillis) {
    return new BodyRelay(vertx, from, to, graceMillis).start();
  }

  private Future<Void> start() {
    from.handler(this::chunk);
    from.exceptionHandler(this::failed);
    from.endHandler(v -> ended());
    to.exceptionHandler(this::abort);
    from.resume();
    return done.future();
  }

  private void chunk(Buffer data) {
    if (done.future().isComplete()) {
      StreamTuning.release(data);
      return;
    }
    relayed += data.length();
    to.write(data).onComplete(written -> {
      // Only now are the chunk's bytes out of its memory (see StreamTuning.readIntoDirectBuffers).
      StreamTuning.release(data);
      if (written.failed()) {
        abort(written.cause());
      }
    });
    if (to.writeQueueFull()) {
      from.pause();
      to.drainHandler(v -> from.resume());
    }
  }

  private void failed(Throwable cause) {
    if (cause instanceof HttpClosedException && graceTimer < 0 && !done.future().isComplete()) {
      graceTimer = vertx.setTimer(graceMillis, t -> done.tryFail(cause));
      return;
    }
    done.tryFail(cause);
  }

  private void ended() {
    if (graceTimer >= 0) {
      vertx.cancelTimer(graceTimer);
    }
    if (done.future().isComplete()) {
      return;
    }
    if (announced >= 0 && relayed != announced) {
      done.tryFail(new IllegalStateException("the body ended after " + relayed + " of the " + announced
          + " bytes announced"));
      return;
    }
    to.end().onComplete(done);
  }

  /** The destination failed: nothing more will be read from the source. */
  private void abort(Throwable cause) {
    if (done.tryFail(cause)) {
      from.request().reset();
    }
  }
}
