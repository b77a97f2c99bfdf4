package fr.socle.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The received bodies' directory and disk budget: one upload per transfer at a time, reservations
 * within the budget (and nothing reserved by a refusal), a kept body counted in place of the copy it
 * replaces, what an upload did not keep given back, files an operator removed counted off when room
 * runs short, and the temporary files of a crash deleted at start.
 */
class ReceivedFilesTest {

  @TempDir
  Path dir;

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private ReceivedFiles open(long budget) {
    ReceivedFiles files = new ReceivedFiles(vertx, dir.resolve("received"), budget);
    files.open().await();
    return files;
  }

  /** Writes {@code bytes} bytes through the upload's writer, on one event loop as the receiver does, keeps them. */
  private void keep(ReceivedFiles.Upload upload, int bytes) {
    Promise<Void> kept = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> upload.writer().compose(writer -> {
      writer.write(Buffer.buffer(new byte[bytes]));
      return writer.finish();
    }).compose(x -> upload.keep()).onComplete(kept));
    kept.future().await();
    upload.end();
  }

  @Test
  void oneUploadPerTransferAtATimeUntilItEnds() {
    ReceivedFiles files = open(1000);
    ReceivedFiles.Upload first = files.begin("t-1");
    assertThat(first).isNotNull();
    assertThat(files.begin("t-1")).as("a second upload while the first is in progress").isNull();
    assertThat(files.begin("t-2")).as("another transfer").isNotNull();
    first.end();
    assertThat(files.begin("t-1")).as("once the first ended").isNotNull();
  }

  @Test
  void aReservationBeyondTheBudgetIsRefusedAndReservesNothing() {
    ReceivedFiles files = open(1000);
    ReceivedFiles.Upload a = files.begin("a");
    assertThat(a.cover(600)).isTrue();
    ReceivedFiles.Upload b = files.begin("b");
    assertThat(b.cover(401)).isFalse();
    assertThat(files.used()).isEqualTo(600);
    assertThat(b.cover(400)).isTrue();
    assertThat(files.used()).isEqualTo(1000);
    // A chunked body covers what it received so far: each step only reserves the difference.
    assertThat(a.cover(300)).isTrue();
    assertThat(files.used()).isEqualTo(1000);
    assertThat(a.cover(601)).isFalse();
    a.end();
    assertThat(files.used()).isEqualTo(400);
    assertThat(a.cover(1)).as("an ended upload reserves nothing more").isFalse();
    b.end();
    b.end();
    assertThat(files.used()).isZero();
  }

  @Test
  void aKeptBodyCountsInPlaceOfTheCopyItReplaces() throws Exception {
    ReceivedFiles files = open(1000);
    ReceivedFiles.Upload first = files.begin("t");
    assertThat(first.cover(300)).isTrue();
    keep(first, 300);
    assertThat(files.file("t")).hasSize(300);
    assertThat(files.used()).isEqualTo(300);

    ReceivedFiles.Upload again = files.begin("t");
    assertThat(again.cover(500)).isTrue();
    assertThat(files.used()).as("the earlier copy stays until replaced").isEqualTo(800);
    keep(again, 500);
    assertThat(files.file("t")).hasSize(500);
    assertThat(files.used()).isEqualTo(500);
    assertThat(temporaries()).isEmpty();
  }

  @Test
  void filesRemovedByTheOperatorAreCountedOffWhenRoomRunsShort() throws Exception {
    ReceivedFiles files = open(1000);
    ReceivedFiles.Upload first = files.begin("old");
    assertThat(first.cover(800)).isTrue();
    keep(first, 800);

    ReceivedFiles.Upload next = files.begin("new");
    assertThat(next.coverCounted(500).await()).isFalse();
    assertThat(files.used()).isEqualTo(800);
    Files.delete(files.file("old"));
    assertThat(next.coverCounted(500).await()).isTrue();
    assertThat(files.used()).isEqualTo(500);
  }

  @Test
  void startDeletesWhatACrashLeftAndCountsTheKeptFiles() throws Exception {
    Path received = Files.createDirectories(dir.resolve("received"));
    Files.write(received.resolve("kept-1"), new byte[100]);
    Files.write(received.resolve("kept-2"), new byte[250]);
    Files.write(received.resolve(".cut.5f0c.part"), new byte[700]);

    ReceivedFiles files = open(1000);
    assertThat(files.used()).isEqualTo(350);
    assertThat(temporaries()).isEmpty();
    assertThat(received.resolve("kept-1")).exists();
  }

  private Stream<String> temporaries() throws Exception {
    try (Stream<Path> all = Files.list(dir.resolve("received"))) {
      return all.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".part")).toList().stream();
    }
  }
}
