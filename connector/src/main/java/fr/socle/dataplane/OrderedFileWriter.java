package fr.socle.dataplane;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes a received body to a new file in arrival order, from one worker thread at a time.
 *
 * <p>Why not Vert.x's {@code AsyncFile}: it hands every chunk to a worker of its own, so the writes of
 * one body run on many threads at once, which then queue on the file's inode lock in the kernel, and
 * each hop costs a task and a wake-up. On the push benchmark that cost several times more CPU than the
 * provider spent reading and encrypting the same bytes. Here chunks queue on the event loop and one
 * task at a time writes everything queued so far with a single gathering write, so the file needs no
 * lock contention and the number of worker hops falls as the disk gets slower.
 *
 * <p>Contract: all methods are called on one event loop (the request's). {@link #full()} says when
 * the caller must stop reading (more than {@link StreamTuning#WRITE_QUEUE_BYTES} queued); the drain
 * handler runs when the queue is back under half of it. A failed write fails every later call; the
 * caller then {@link #discard}s the file.
 */
public final class OrderedFileWriter {

  private final Vertx vertx;
  private final FileChannel channel;
  private final Path path;
  private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean writing;
  private Throwable failure;
  private Runnable drainHandler;
  private Consumer<Throwable> failureHandler = e -> { };
  private Promise<Void> flushed;
  private boolean closed;

  private OrderedFileWriter(Vertx vertx, FileChannel channel, Path path) {
    this.vertx = vertx;
    this.channel = channel;
    this.path = path;
  }

  /** Opens the channel a writer writes to; tests put a disk that fills up in its place. */
  @FunctionalInterface
  public interface Opener {
    FileChannel open(Path path) throws IOException;
  }

  /** A new file for writing; fails when {@code path} exists already. */
  public static final Opener NEW_FILE = path -> FileChannel.open(path, StandardOpenOption.CREATE_NEW,
      StandardOpenOption.WRITE);

  /** Creates {@code path}, which must not exist yet, on a worker thread. */
  public static Future<OrderedFileWriter> create(Vertx vertx, Path path) {
    return create(vertx, path, NEW_FILE);
  }

  /** Creates {@code path} with {@code opener}, on a worker thread. */
  public static Future<OrderedFileWriter> create(Vertx vertx, Path path, Opener opener) {
    return vertx.executeBlocking(() -> new OrderedFileWriter(vertx, opener.open(path), path), false);
  }

  /** The file written. */
  public Path path() {
    return path;
  }

  /**
   * Queues {@code chunk} after everything queued before. A write that fails later is reported once to
   * the failure handler; after it, chunks are dropped.
   */
  public void write(Buffer chunk) {
    if (failure != null || closed) {
      return;
    }
    queue.add(chunk);
    queuedBytes += chunk.length();
    pump();
  }

  /** Called once, on the event loop, when a write fails (not for a {@link #discard}). */
  public void failureHandler(Consumer<Throwable> handler) {
    this.failureHandler = handler;
  }

  /** Whether the caller should pause its source until the drain handler runs. */
  public boolean full() {
    return queuedBytes >= StreamTuning.WRITE_QUEUE_BYTES;
  }

  /** Runs once, when fewer than half of {@link StreamTuning#WRITE_QUEUE_BYTES} remain queued. */
  public void drainHandler(Runnable handler) {
    this.drainHandler = handler;
  }

  /** Waits for every queued write, forces the file to disk and closes it. */
  public Future<Void> finish() {
    if (flushed == null) {
      flushed = Promise.promise();
      if (failure != null) {
        flushed.fail(failure);
      }
      closed = true;
      pump();
    }
    return flushed.future();
  }

  /** Closes and deletes the file, once no write is running; the queued chunks are dropped. */
  public Future<Void> discard() {
    closed = true;
    queue.forEach(StreamTuning::release);
    queue.clear();
    queuedBytes = 0;
    if (failure == null) {
      failure = new IllegalStateException("the file " + path + " was discarded");
    }
    if (flushed != null && !flushed.future().isComplete()) {
      flushed.tryFail(failure);
    }
    return vertx.executeBlocking(() -> {
      // A write still running holds the channel: closing makes it fail, and the file goes anyway.
      channel.close();
      Files.deleteIfExists(path);
      return null;
    }, false);
  }

  /** Starts one gathering write of everything queued, unless one runs; finishes once all is written. */
  private void pump() {
    if (writing || failure != null) {
      return;
    }
    if (queue.isEmpty()) {
      if (flushed != null && !flushed.future().isComplete()) {
        writing = true;
        vertx.<Void>executeBlocking(() -> {
          try (FileChannel c = channel) {
            c.force(true);
          }
          return null;
        }, false).onComplete(ar -> {
          writing = false;
          // try*: a discard() meanwhile has already failed it.
          if (ar.succeeded()) {
            flushed.tryComplete();
          } else {
            flushed.tryFail(ar.cause());
          }
        });
      }
      return;
    }
    List<Buffer> chunks = new ArrayList<>(queue);
    List<ByteBuffer> batch = new ArrayList<>(queue.size());
    long bytes = 0;
    for (Buffer b : queue) {
      // The chunk's own memory, no copy: chunks holds the Buffers, and so their bytes, until written.
      batch.add(((BufferInternal) b).getByteBuf().nioBuffer());
      bytes += b.length();
    }
    queue.clear();
    long size = bytes;
    ByteBuffer[] sources = batch.toArray(new ByteBuffer[0]);
    writing = true;
    vertx.<Void>executeBlocking(() -> {
      writeFully(sources, size);
      return null;
    }, false).onComplete(ar -> {
      writing = false;
      chunks.forEach(StreamTuning::release);
      if (failure != null) {
        return; // discarded meanwhile: nobody waits for a drain any more
      }
      if (ar.failed()) {
        failure = ar.cause();
        failureHandler.accept(failure);
        if (flushed != null) {
          flushed.tryFail(failure);
        }
        return;
      }
      queuedBytes -= size;
      if (drainHandler != null && queuedBytes < StreamTuning.WRITE_QUEUE_BYTES / 2) {
        Runnable handler = drainHandler;
        drainHandler = null;
        handler.run();
      }
      pump();
    });
  }

  private void writeFully(ByteBuffer[] sources, long size) throws IOException {
    long written = 0;
    int first = 0;
    while (written < size) {
      written += channel.write(sources, first, sources.length - first);
      while (first < sources.length && !sources[first].hasRemaining()) {
        first++;
      }
    }
  }

}
