package fr.socle.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;

/**
 * Copies a byte range of a file to a write stream through a few large direct buffers that it reuses.
 *
 * <p>Vert.x's {@code AsyncFile} reads into a fresh heap array per chunk: the JDK reads into a
 * temporary direct buffer and copies it into the array, which the JVM first zeroes, and the TLS
 * engine or the socket copies it back out into direct memory. On the data plane these copies and
 * allocations cost more CPU than the encryption itself. Here the file is read straight into direct
 * memory, which the TLS engine and the socket take as it is, and a buffer is read into again only once
 * the write that used it has completed.
 *
 * <p>Reads run on worker threads, one at a time and one ahead of the writes, so reading the next chunk
 * overlaps with encrypting and sending the current one. The buffers bound what a copy holds in memory
 * ({@link #BUFFERS} × {@link StreamTuning#CHUNK_BYTES}) and are its back-pressure: when all of them
 * wait on writes, nothing more is read.
 *
 * <p>Contract as for {@link SourceStreamer}: on success the stream is ended; on failure it is not, so
 * that the caller can reset it and a cut body never looks complete.
 */
final class FileCopy {

  /** Buffers per copy: one being read, the others written or queued. */
  static final int BUFFERS = 4;

  private final Vertx vertx;
  private final FileChannel channel;
  private final Promise<Void> done = Promise.promise();
  private final ArrayDeque<ByteBuf> free = new ArrayDeque<>(BUFFERS);
  private final ByteBuf[] all = new ByteBuf[BUFFERS];
  private WriteStream<Buffer> out;
  private long position;
  private long remaining;
  private boolean reading;
  private int writing;
  private boolean ending;
  private boolean ended;
  private Throwable failure;

  private FileCopy(Vertx vertx, FileChannel channel) {
    this.vertx = vertx;
    this.channel = channel;
  }

  /** Opens {@code file} on a worker thread, before anything is said to whoever will receive it. */
  static Future<FileCopy> open(Vertx vertx, Path file) {
    return vertx.executeBlocking(() -> new FileCopy(vertx, FileChannel.open(file, StandardOpenOption.READ)), false);
  }

  /** Copies {@code length} bytes of the file from {@code start} to {@code out}, then ends it; once only. */
  Future<Void> to(long start, long length, WriteStream<Buffer> out) {
    if (this.out != null) {
      throw new IllegalStateException("a file copy runs once");
    }
    this.out = out;
    this.position = start;
    this.remaining = length;
    for (int i = 0; i < BUFFERS; i++) {
      all[i] = ByteBufAllocator.DEFAULT.directBuffer(StreamTuning.CHUNK_BYTES, StreamTuning.CHUNK_BYTES);
      free.add(all[i]);
    }
    pump();
    return done.future();
  }

  /** Closes the file, for a copy that will not run; {@link #to} closes it by itself. */
  Future<Void> close() {
    return vertx.executeBlocking(() -> {
      channel.close();
      return null;
    }, false);
  }

  /** Starts the next read when a buffer is free, or ends the stream once everything was read. */
  private void pump() {
    if (failure != null || reading || ending) {
      return;
    }
    if (remaining == 0) {
      ending = true;
      out.end().onComplete(ar -> {
        if (ar.failed()) {
          fail(ar.cause());
        } else {
          ended = true;
        }
        settle();
      });
      return;
    }
    ByteBuf buffer = free.poll();
    if (buffer == null) {
      return;
    }
    reading = true;
    int length = (int) Math.min(StreamTuning.CHUNK_BYTES, remaining);
    long at = position;
    vertx.executeBlocking(() -> read(buffer, at, length), false).onComplete(ar -> {
      reading = false;
      if (ar.failed()) {
        free.add(buffer);
        fail(ar.cause());
        settle();
        return;
      }
      position += length;
      remaining -= length;
      writing++;
      Future<Void> written;
      try {
        written = out.write(BufferInternal.buffer(buffer));
      } catch (IllegalStateException closed) {
        written = Future.failedFuture(closed);
      }
      // The next read starts before this write completes: reading overlaps with encrypting and sending.
      pump();
      written.onComplete(w -> {
        writing--;
        free.add(buffer);
        if (w.failed()) {
          fail(w.cause());
        }
        pump();
        settle();
      });
    });
  }

  private ByteBuf read(ByteBuf buffer, long at, int length) throws IOException {
    buffer.clear();
    ByteBuffer target = buffer.nioBuffer(0, length);
    while (target.hasRemaining()) {
      if (channel.read(target, at + target.position()) < 0) {
        throw new EOFException("the file ended " + (length - target.remaining()) + " bytes into a chunk it announced");
      }
    }
    return buffer.writerIndex(length);
  }

  private void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
  }

  /**
   * Completes the copy once it has ended or failed and no read or write still uses the buffers; only
   * then do they go back to the allocator and is the file closed.
   */
  private void settle() {
    if (reading || writing > 0 || (failure == null && !ended) || done.future().isComplete()) {
      return;
    }
    for (ByteBuf buffer : all) {
      buffer.release();
    }
    close();
    if (failure != null) {
      done.fail(failure);
    } else {
      done.complete();
    }
  }
}
