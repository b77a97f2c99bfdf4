package fr.socle.dataplane;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;

/**
 * Buffer sizes of the data path, measured with {@code launchers/bench-dataplane.sh}. Vert.x's defaults
 * suit request/response APIs, not bulk relays: its HTTP client cuts bodies into 8 KiB chunks, and each
 * chunk written to another connection is one flush, one TLS record batch and one system call; its
 * write queue pauses the source at 64 KiB, so a relay stops and starts every few chunks.
 *
 * <p>What these sizes cost is bounded memory per stream: at most {@link #WRITE_QUEUE_BYTES} queued on
 * a response plus one chunk being read, times the per-participant stream limit.
 */
public final class StreamTuning {

  /** Largest body chunk the HTTP clients of the data path hand over at once. */
  static final int CHUNK_BYTES = 256 * 1024;

  /** Bytes a data response may queue before the pipe pauses its source (resumes at half). */
  public static final int WRITE_QUEUE_BYTES = 1024 * 1024;

  private StreamTuning() {
  }

  /** The data path's chunk size on a copy of {@code options}. */
  static HttpClientOptions bulk(HttpClientOptions options) {
    return new HttpClientOptions(options).setMaxChunkSize(CHUNK_BYTES);
  }

  /**
   * The data path's chunk size for request bodies a server receives (pushed data) on a copy of
   * {@code options}: in 8 KiB chunks, each one is a file write handed to a worker, which costs far
   * more than the bytes.
   */
  public static HttpServerOptions bulk(HttpServerOptions options) {
    return new HttpServerOptions(options).setMaxChunkSize(CHUNK_BYTES);
  }

  /** Lets {@code response} queue {@link #WRITE_QUEUE_BYTES} before it applies back-pressure. */
  public static HttpServerResponse bulk(HttpServerResponse response) {
    return response.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
  }
}
