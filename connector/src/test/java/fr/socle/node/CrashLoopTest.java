package fr.socle.node;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.Federation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.OpaServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node SIGKILLed at random moments under a concurrent load of management API writes, then started
 * again on the same data directory: everything it acknowledged is still there.
 *
 * <p>Short in the normal run; {@code -Dsocle.crashloop.rounds=N} runs it longer. The load keeps both
 * cores busy, which is when acknowledged commits used to go missing.
 */
class CrashLoopTest {

  private static final int ROUNDS = Integer.getInteger("socle.crashloop.rounds", 4);
  private static final int WRITERS = 6;

  @TempDir
  Path work;

  @Test
  void everyAcknowledgedWriteSurvivesASigkill() throws Exception {
    Random random = new Random();
    try (OpaServer opa = OpaServer.start(work.resolve("opa.log"));
        NodeProcess node = NodeProcess.start(work, Federation.PROVIDER, opa.url())) {
      Files.createDirectories(node.dataDir().resolve("assets"));
      Files.writeString(node.dataDir().resolve("assets/a.csv"), "a,b\n1,2\n");
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      List<String> report = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        AtomicBoolean running = new AtomicBoolean(true);
        NodeProcess.Api api = node.api();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          String prefix = "r" + round + "-w" + w + "-";
          Thread t = new Thread(() -> {
            for (int i = 0; running.get(); i++) {
              String id = prefix + i;
              try {
                HttpResponse<String> r = api.send("POST", "/api/assets", new JsonObject().put("id", id)
                    .put("title", "Actif " + id).put("contentType", "text/csv").put("sourcePath", "assets/a.csv")
                    .encode());
                if (r.statusCode() == 201) {
                  acknowledged.add(id);
                }
              } catch (Exception killed) {
                return;
              }
            }
          });
          t.start();
          writers.add(t);
        }
        Thread.sleep(400 + random.nextInt(1600));
        node.kill();
        running.set(false);
        for (Thread t : writers) {
          t.join(30_000);
        }
        node.launch();
        Set<String> present = new HashSet<>();
        for (Object o : new JsonArray(node.api().send("GET", "/api/assets", null).body())) {
          present.add(((JsonObject) o).getString("id"));
        }
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(present);
        report.add("round " + round + ": " + acknowledged.size() + " acknowledged so far, lost " + lost);
        assertThat(lost).as(String.join("\n", report)).isEmpty();
      }
      System.out.println(String.join("\n", report));
    }
  }
}
