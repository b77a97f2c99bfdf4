package fr.socle.edge;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.dataplane.BodyRefused;
import fr.socle.dataplane.OrderedFileWriter;
import fr.socle.dataplane.ReceivedFiles;
import fr.socle.process.Role;
import fr.socle.protocol.Dsp;
import fr.socle.protocol.Refusal;
import fr.socle.store.Database;
import fr.socle.transfer.AccessTokens;
import fr.socle.transfer.Receipts;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferState;
import fr.socle.transfer.TransferStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the push receiver answers a body its checks refused: always a 4xx, with the check's code and
 * reason; and a body the disk refuses to store, with a 507 and no file left behind.
 */
class PushReceiverTest {

  private static final String PROVIDER = "NTRFR-200012345";
  private static final String TOKEN = "the-receivers-token";

  @Test
  void aBodyTooLargeIsA413() {
    Refusal e = PushReceiver.refusal(new BodyRefused(BodyRefused.Kind.BODY_TOO_LARGE,
        "expected at most 1024 bytes (limits.maxReceivedBytes of this node), got 2048 bytes announced"));
    assertThat(Failures.status(e.kind())).isEqualTo(413);
    assertThat(e.code()).isEqualTo("body_too_large");
    assertThat(e.getMessage()).isEqualTo("expected at most 1024 bytes (limits.maxReceivedBytes of this node),"
        + " got 2048 bytes announced");
  }

  @Test
  void everyOtherRefusalIsA400WithItsCode() {
    for (BodyRefused.Kind kind : BodyRefused.Kind.values()) {
      if (kind != BodyRefused.Kind.BODY_TOO_LARGE) {
        Refusal e = PushReceiver.refusal(new BodyRefused(kind, "why " + kind));
        assertThat(Failures.status(e.kind())).as(kind.name()).isEqualTo(400);
        assertThat(e.code()).isEqualTo(kind.name().toLowerCase(java.util.Locale.ROOT));
        assertThat(e.getMessage()).isEqualTo("why " + kind);
      }
    }
    assertThat(BodyRefused.Kind.values()).extracting(BodyRefused.Kind::code).containsExactlyInAnyOrder(
        "bad_content_length", "bad_digest", "body_too_large", "length_mismatch", "digest_mismatch");
  }

  @Test
  void aRefusedBodyIsAlwaysA4xx() {
    for (BodyRefused.Kind kind : BodyRefused.Kind.values()) {
      assertThat(Failures.status(PushReceiver.refusal(new BodyRefused(kind,
          "x")).kind())).as(kind.name()).isBetween(400, 499);
    }
  }

  /**
   * The disk fills up mid-body: the receiver's file takes {@code room} bytes, then its writes fail as
   * write(2) does on a full disk. The sender hears a 507 {@code cannot_store} with the system's reason,
   * by which time the partial file is gone and its bytes given back to the budget; the transfer may
   * be uploaded again (refused the same way here, not as an upload in progress).
   */
  @Test
  void aDiskThatRefusesAWriteIsA507AndLeavesNoFile(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (Database db = Database.open(vertx, "jdbc:sqlite:" + dir.resolve("socle.db"), null, null, 1)) {
      TransferStore transfers = new TransferStore(db, Clock.systemUTC());
      String id = UUID.randomUUID().toString();
      Instant now = Instant.now();
      transfers.create(new Transfer(id, Role.CONSUMER, TransferState.STARTED, PROVIDER, "provider-pid",
          "https://provider.example", "agreement-1", Dsp.HTTP_DATA_PUSH, null, AccessTokens.hash(TOKEN), null, now,
          now)).await();
      Path received = dir.resolve("received");
      List<Path> opened = new CopyOnWriteArrayList<>();
      ReceivedFiles files = new ReceivedFiles(vertx, received, 64 << 20, path -> {
        opened.add(path);
        return new FillingDisk(OrderedFileWriter.NEW_FILE.open(path), 16 * 1024);
      });
      // No body is kept here, so no receipt is ever recorded: the audit log is not needed.
      PushReceiver receiver = new PushReceiver(vertx, ctx -> PROVIDER, transfers, files, 64 << 20, 30_000,
          new Receipts(null));
      Router router = Router.router(vertx);
      receiver.mount(router);
      router.route().failureHandler(DspRoutes::handleFailure);
      HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

      for (int attempt = 1; attempt <= 2; attempt++) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.actualPort() + "/push/transfers/" + id)).timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKEN)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[attempt == 1 ? 128 * 1024 : 8 << 20])).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
        JsonObject error = new JsonObject(r.body());
        assertThat(error.getString("code")).isEqualTo("cannot_store");
        assertThat(error.getJsonArray("reason").getString(0))
            .isEqualTo("the receiver cannot store the body: No space left on device");
        assertThat(error.encode()).contains("le destinataire ne peut pas enregistrer le corps");
        assertThat(opened).as("attempt " + attempt + " wrote a file of its own").hasSize(attempt);
        assertThat(opened.get(attempt - 1)).as("the partial file").doesNotExist();
        try (Stream<Path> left = Files.list(received)) {
          assertThat(left).isEmpty();
        }
        assertThat(files.used()).isZero();
      }
      server.close().await();
    } finally {
      vertx.close().await();
    }
  }

  /**
   * A file on a disk with {@code room} bytes left: writes take what fits, then fail with the system's
   * message for ENOSPC, as a real disk does. Everything else goes to the real file.
   */
  private static final class FillingDisk extends FileChannel {

    private final FileChannel file;
    private long room;

    FillingDisk(FileChannel file, long room) {
      this.file = file;
      this.room = room;
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
      if (room == 0) {
        throw new IOException("No space left on device");
      }
      long written = 0;
      for (int i = offset; i < offset + length && room > 0; i++) {
        ByteBuffer source = sources[i];
        int fits = (int) Math.min(source.remaining(), room);
        ByteBuffer part = source.slice(source.position(), fits);
        int n = file.write(part);
        source.position(source.position() + n);
        room -= n;
        written += n;
      }
      return written;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
      return (int) write(new ByteBuffer[] {source}, 0, 1);
    }

    @Override
    public int read(ByteBuffer destination) throws IOException {
      return file.read(destination);
    }

    @Override
    public long read(ByteBuffer[] destinations, int offset, int length) throws IOException {
      return file.read(destinations, offset, length);
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      file.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      file.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      file.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel source, long position, long count) throws IOException {
      throw new IOException("No space left on device");
    }

    @Override
    public int read(ByteBuffer destination, long position) throws IOException {
      return file.read(destination, position);
    }

    @Override
    public int write(ByteBuffer source, long position) throws IOException {
      throw new IOException("No space left on device");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return file.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }
  }
}
