package fr.socle.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer of pushed bodies: bytes land in the order given whatever the mix of heap and direct
 * chunks, the queue bound pauses the caller and its drain resumes it, an existing file is never
 * overwritten, and a discarded body leaves no file.
 */
@ExtendWith(VertxExtension.class)
class OrderedFileWriterTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void writesChunksInOrderThenForcesAndCloses(Vertx vertx, VertxTestContext test) {
    Path file = dir.resolve("body.part");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    Random random = new Random(7);
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> OrderedFileWriter.create(vertx, file).compose(writer -> {
      for (int i = 0; i < 200; i++) {
        byte[] bytes = new byte[1 + random.nextInt(64 * 1024)];
        random.nextBytes(bytes);
        expected.writeBytes(bytes);
        // Alternately heap and direct memory, as chunks arrive from the two kinds of connection.
        writer.write(i % 2 == 0 ? Buffer.buffer(bytes)
            : BufferInternal.buffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes)));
      }
      return writer.finish();
    }).onComplete(test.succeeding(done -> test.verify(() -> {
      assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
      test.completeNow();
    }))));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aFullQueuePausesTheCallerUntilItDrains(Vertx vertx, VertxTestContext test) {
    Path file = dir.resolve("body.part");
    int chunk = 256 * 1024;
    AtomicInteger written = new AtomicInteger();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> OrderedFileWriter.create(vertx, file).compose(writer -> {
      // Writes as a paused request would: until the writer says full, then once more after each drain.
      Promise<Void> all = Promise.promise();
      Runnable[] feed = new Runnable[1];
      feed[0] = () -> {
        while (written.get() < 40) {
          writer.write(Buffer.buffer(new byte[chunk]));
          written.incrementAndGet();
          if (writer.full()) {
            writer.drainHandler(feed[0]);
            return;
          }
        }
        all.complete();
      };
      feed[0].run();
      // At most the queue's bound, plus one gathering write that may have completed meanwhile on a
      // loaded machine: far from the 40 chunks of the whole body.
      test.verify(() -> assertThat(written.get()).as("chunks written before the first pause")
          .isLessThanOrEqualTo(2 * StreamTuning.WRITE_QUEUE_BYTES / chunk));
      return all.future().compose(x -> writer.finish());
    }).onComplete(test.succeeding(done -> test.verify(() -> {
      assertThat(Files.size(file)).isEqualTo(40L * chunk);
      test.completeNow();
    }))));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void neverOverwritesAnExistingFile(Vertx vertx, VertxTestContext test) throws Exception {
    Path file = Files.writeString(dir.resolve("body.part"), "earlier");
    OrderedFileWriter.create(vertx, file).onComplete(test.failing(e -> test.verify(() -> {
      assertThat(e).isInstanceOf(FileAlreadyExistsException.class);
      assertThat(Files.readString(file)).isEqualTo("earlier");
      test.completeNow();
    })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aDiscardedBodyLeavesNoFileAndCannotFinish(Vertx vertx, VertxTestContext test) {
    Path file = dir.resolve("body.part");
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> OrderedFileWriter.create(vertx, file).compose(writer -> {
      for (int i = 0; i < 10; i++) {
        writer.write(Buffer.buffer(new byte[128 * 1024]));
      }
      return writer.discard().map(writer);
    }).compose(writer -> {
      Future<Void> finished = writer.finish();
      return finished.failed() ? Future.succeededFuture() : Future.failedFuture("finish() succeeded after discard()");
    }).onComplete(test.succeeding(done -> test.verify(() -> {
      assertThat(file).doesNotExist();
      test.completeNow();
    }))));
  }
}
