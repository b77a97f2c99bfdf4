package fr.socle.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.internal.buffer.BufferInternal;

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

  /**
   * Where the data path's connections read into: plain direct memory that the garbage collector frees
   * when nobody released it. Vert.x copies every body chunk read from a pooled buffer into a fresh heap
   * array (so that no handler can leak pool memory), and the next socket or file then copies it back
   * into direct memory: two copies and a zeroed allocation per byte relayed. Chunks read into this
   * allocator's buffers reach the handlers as they are; {@link #release} returns them once written.
   */
  private static final ByteBufAllocator DIRECT_READS = new UnpooledByteBufAllocator(true, true, false);

  private StreamTuning() {
  }

  /**
   * Makes {@code connection} read into {@link #DIRECT_READS} from now on; a connection of another kind
   * (not Vert.x's HTTP/1 or 2) keeps its allocator. Call it before the body is read.
   */
  public static void readIntoDirectBuffers(HttpConnection connection) {
    if (connection instanceof HttpClientConnectionInternal client) {
      client.channelHandlerContext().channel().config().setAllocator(DIRECT_READS);
    } else if (connection instanceof HttpServerConnection server) {
      server.channelHandlerContext().channel().config().setAllocator(DIRECT_READS);
    }
  }

  /**
   * Frees {@code chunk} at once when it was read into {@link #DIRECT_READS}, once its bytes are no longer
   * needed (written out); other chunks are left to the garbage collector as Vert.x intends.
   */
  public static void release(Buffer chunk) {
    ByteBuf held = ((BufferInternal) chunk).getByteBuf();
    if (held.alloc() == DIRECT_READS) {
      // getByteBuf() wraps the chunk in an unreleasable view; its content holds the chunk's reference.
      held.unwrap().release();
    }
  }

  /** The data path's chunk size on a copy of {@code options}. */
  public static HttpClientOptions bulk(HttpClientOptions options) {
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
