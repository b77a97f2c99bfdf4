package fr.socle.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.NodeProcess;
import fr.socle.testing.Offers;
import fr.socle.testing.TwoNodes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer's disk budget for received bodies ({@code limits.maxReceivedDiskBytes}), between two
 * real nodes with real OPA: the files kept count against it; a push whose length does not fit is
 * refused before its first byte, and a chunked one that outgrows the room left is cut, both 507 with
 * the reason and no file left; what they reserved is given back; a file the operator removes makes room.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class ReceivedDiskBudgetTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int KIB = 1024;
  /** The largest body the consumer accepts, and its disk budget: one and a half such bodies. */
  private static final int MAX_RECEIVED = 1024 * KIB;
  private static final int BUDGET = 1536 * KIB;

  @TempDir
  static Path work;

  private TwoNodes nodes;
  private NodeProcess provider;
  private NodeProcess consumer;
  private Vertx vertx;
  private HttpServer backend;
  private final byte[] chunked = random(768 * KIB);

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    // Sends its body chunked, without Content-Length, in 64 KiB pieces: the push is chunked too.
    backend = vertx.createHttpServer().requestHandler(r -> {
      r.response().setChunked(true).putHeader("Content-Type", "application/octet-stream");
      for (int at = 0; at < chunked.length; at += 64 * KIB) {
        r.response().write(Buffer.buffer(Arrays.copyOfRange(chunked, at, Math.min(chunked.length, at + 64 * KIB))));
      }
      r.response().end();
    }).listen(0, "127.0.0.1").await();
    nodes = TwoNodes.start(work, new JsonObject(), new JsonObject().put("limits", new JsonObject()
        .put("maxReceivedBytes", MAX_RECEIVED).put("maxReceivedDiskBytes", BUDGET)));
    provider = nodes.provider();
    consumer = nodes.consumer();
  }

  @AfterAll
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  /** Pushes a file of {@code size} bytes to the consumer; returns the consumer's transfer id. */
  private String pushFile(String name, int size) throws Exception {
    Path dir = Files.createDirectories(provider.dataDir().resolve("assets"));
    Files.write(dir.resolve(name), random(size));
    return push(new JsonObject().put("type", "file").put("path", "assets/" + name));
  }

  private String push(JsonObject source) throws Exception {
    String agreement = Offers.agree(provider, consumer, source, new JsonObject().put("action", "use"), WAIT);
    return consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement)
        .put("format", "HttpData-PUSH")).getString("id");
  }

  private JsonObject ends(String transfer, String state) throws Exception {
    return consumer.api().awaitField("/api/transfers/" + transfer, "state", WAIT, state);
  }

  private Path received(String transfer) {
    return consumer.dataDir().resolve("received").resolve(transfer);
  }

  /** Every file in the consumer's receiver, temporary ones included. */
  private List<String> receivedFiles() throws Exception {
    try (Stream<Path> all = Files.list(consumer.dataDir().resolve("received"))) {
      return all.map(p -> p.getFileName().toString()).toList();
    }
  }

  @Test
  void pushesBeyondTheBudgetAreRefusedWith507AndLeaveNothing() throws Exception {
    String first = pushFile("first.bin", MAX_RECEIVED);
    ends(first, "COMPLETED");
    assertThat(received(first)).hasSize(MAX_RECEIVED);

    // Announced: 1 MiB kept + 768 KiB > 1.5 MiB, refused before any byte is written.
    String announced = pushFile("announced.bin", 768 * KIB);
    JsonObject refused = ends(announced, "TERMINATED");
    assertThat(refused.getString("detail")).contains("507").contains("insufficient_storage")
        .contains("no room left for the body (" + 768 * KIB + " bytes announced)")
        .contains("limits.maxReceivedDiskBytes");
    assertThat(receivedFiles()).containsExactly(first);
    assertThat(consumer.log()).content().contains("push of transfer " + announced + " from "
        + provider.participantId() + " refused: " + 768 * KIB + " bytes needed, " + MAX_RECEIVED + " of the "
        + BUDGET + " bytes of limits.maxReceivedDiskBytes in use");

    // Chunked: started, since 512 KiB are left, then cut once it has grown beyond them.
    String grown = push(new JsonObject().put("type", "http").put("url", "http://127.0.0.1:" + backend.actualPort()
        + "/chunked.bin"));
    JsonObject cut = ends(grown, "TERMINATED");
    assertThat(cut.getString("detail")).contains("507").contains("insufficient_storage").contains("sent chunked");
    assertThat(receivedFiles()).containsExactly(first);
    assertThat(consumer.log()).content().contains("push of transfer " + grown + " from " + provider.participantId()
        + " dropped after ");

    // Both gave back what they had reserved: 512 KiB fit exactly.
    String fits = pushFile("fits.bin", 512 * KIB);
    ends(fits, "COMPLETED");
    assertThat(received(fits)).hasSize(512 * KIB);

    // The operator makes room: the receiver counts its directory again when it lacks room.
    Files.delete(received(first));
    String after = pushFile("after.bin", 768 * KIB);
    ends(after, "COMPLETED");
    assertThat(received(after)).hasSize(768 * KIB);
    assertThat(receivedFiles()).containsExactlyInAnyOrder(fits, after);
  }
}
