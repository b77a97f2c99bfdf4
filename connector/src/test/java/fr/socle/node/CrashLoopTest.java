package fr.socle.node;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.Await;
import fr.socle.testing.Federation;
import fr.socle.testing.LocalFederation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.Paths;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes SIGKILLed at random moments under load, then started again on the same data directory:
 * everything a node acknowledged is still there, and partners agree on every negotiation, agreement
 * and transfer once the work is done.
 *
 * <p>Short in the normal run; {@code -Dsocle.crashloop.rounds=N} (API writes) and
 * {@code -Dsocle.crashloop.jobs=N}, {@code -Dsocle.crashloop.kills=N} (partners) run it longer. The
 * load keeps both cores busy, which is when acknowledged commits used to go missing.
 */
@Timeout(900)
class CrashLoopTest {

  private static final int ROUNDS = Integer.getInteger("socle.crashloop.rounds", 4);
  private static final int JOBS = Integer.getInteger("socle.crashloop.jobs", 4);
  private static final int KILLS = Integer.getInteger("socle.crashloop.kills", 4);
  private static final int WRITERS = 6;
  private static final Duration JOB_WAIT = Duration.ofSeconds(180);

  @TempDir
  Path work;

  @Test
  void everyAcknowledgedWriteSurvivesASigkill() throws Exception {
    Random random = new Random();
    try (LocalFederation federation = LocalFederation.in(work).node(Federation.PROVIDER).start()) {
      NodeProcess node = federation.node(Federation.PROVIDER);
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
        // A random moment under load is the point: not one the node could have prepared for.
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

  /**
   * Negotiation, transfer, download and completion jobs run two at a time, and an operator writes to
   * the provider, while the provider and the consumer are killed in turn; every call a job makes is
   * retried until its node answers, with an Idempotency-Key where it creates something. Each job must
   * end with both partners FINALIZED on one agreement and both COMPLETED on its transfer, the provider
   * must hold exactly one agreement per job, and every write it acknowledged.
   */
  @Test
  void partnersAgreeOnEveryProcessAfterKillsOnEitherSide() throws Exception {
    Random random = new Random();
    byte[] dataset = Files.readAllBytes(Paths.root().resolve("launchers/demo/qualite-eau-corse-2026.csv"));
    try (LocalFederation federation = LocalFederation.in(work).node(Federation.PROVIDER).node(Federation.CONSUMER)
        .start()) {
      NodeProcess provider = federation.node(Federation.PROVIDER);
      NodeProcess consumer = federation.node(Federation.CONSUMER);
      Files.createDirectories(provider.dataDir().resolve("assets"));
      Files.write(provider.dataDir().resolve("assets/eau.csv"), dataset);
      JsonObject policy = new JsonObject(Files.readString(Paths.root().resolve("launchers/demo/policy-corse.json")));
      provider.api().post("/api/assets", new JsonObject().put("id", "eau").put("title", "Qualité de l'eau")
          .put("contentType", "text/csv").put("sourcePath", "assets/eau.csv"));
      provider.api().post("/api/policies", new JsonObject().put("id", "corse").put("policy", policy));
      provider.api().post("/api/offers", new JsonObject().put("id", "offer-eau").put("assetId", "eau")
          .put("policyId", "corse"));
      JsonObject catalog = consumer.api().post("/api/catalog/request", new JsonObject()
          .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress()));
      JsonObject offer = catalog.getJsonArray("dataset").getJsonObject(0).getJsonArray("hasPolicy").getJsonObject(0)
          .copy().put("target", "eau");

      AtomicBoolean working = new AtomicBoolean(true);
      List<String> kills = new ArrayList<>();
      Thread killer = new Thread(() -> {
        try {
          for (int k = 0; k < KILLS && working.get(); k++) {
            // Kills at random moments and random downtimes are the behaviour under test, not waits.
            Thread.sleep(500 + random.nextInt(2500));
            NodeProcess victim = k % 2 == 0 ? provider : consumer;
            kills.add((victim == provider ? "provider" : "consumer") + " at " + java.time.Instant.now());
            victim.kill();
            Thread.sleep(random.nextInt(1000));
            victim.launch();
          }
        } catch (Exception e) {
          kills.add("killer failed: " + e);
        }
      });
      killer.start();
      // Operators keep writing to the provider meanwhile; what it acknowledged must survive its kills.
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      Thread writer = new Thread(() -> {
        for (int i = 0; working.get(); i++) {
          try {
            HttpResponse<String> r = provider.api().send("POST", "/api/assets", new JsonObject().put("id", "w-" + i)
                .put("title", "Actif " + i).put("contentType", "text/csv").put("sourcePath",
                    "assets/eau.csv").encode());
            if (r.statusCode() == 201) {
              acknowledged.add("w-" + i);
            }
          } catch (Exception nodeDown) {
            // a kill cut this one off: unacknowledged, it may or may not be there
          }
        }
      });
      writer.start();
      ExecutorService jobs = Executors.newFixedThreadPool(2);
      List<Future<String[]>> done = new ArrayList<>();
      for (int j = 0; j < JOBS; j++) {
        String job = "job-" + j + "-" + UUID.randomUUID();
        done.add(jobs.submit(() -> runJob(job, consumer, provider, offer, dataset)));
      }
      List<String[]> results = new ArrayList<>();
      try {
        for (Future<String[]> f : done) {
          results.add(f.get());
        }
      } finally {
        working.set(false);
        jobs.shutdownNow();
        killer.join(60_000);
        writer.join(60_000);
      }
      String story = "kills: " + kills;
      for (String[] r : results) {
        JsonObject cn = retry(() -> consumer.api().get("/api/negotiations/" + r[0]));
        JsonObject pn = retry(() -> provider.api().get("/api/negotiations/" + cn.getString("counterPartyPid")));
        assertThat(List.of(cn.getString("state"), pn.getString("state"))).as(story + "\n" + cn + "\n" + pn)
            .containsExactly("FINALIZED", "FINALIZED");
        assertThat(pn.getString("agreementId")).as(story).isEqualTo(cn.getString("agreementId"));
        JsonObject ct = retry(() -> consumer.api().get("/api/transfers/" + r[1]));
        JsonObject pt = retry(() -> provider.api().get("/api/transfers/" + ct.getString("counterPartyPid")));
        assertThat(List.of(ct.getString("state"), pt.getString("state"))).as(story + "\n" + ct + "\n" + pt)
            .containsExactly("COMPLETED", "COMPLETED");
      }
      JsonArray agreements = retry(() -> provider.api().get("/api/agreements")).getJsonArray("items");
      assertThat(agreements.size()).as(story + "\n" + agreements.encodePrettily()).isEqualTo(JOBS);
      Set<String> assets = new HashSet<>();
      for (Object o : new JsonArray(retry(() -> provider.api().send("GET", "/api/assets", null)).body())) {
        assets.add(((JsonObject) o).getString("id"));
      }
      Set<String> lost = new HashSet<>(acknowledged);
      lost.removeAll(assets);
      assertThat(lost).as(story + "; " + acknowledged.size() + " writes acknowledged").isEmpty();
      System.out.println("partners agree on " + JOBS + " jobs; " + acknowledged.size() + " writes kept; " + story);
    }
  }

  /** One job, from the contract request to the completion; returns the consumer's negotiation and transfer ids. */
  private static String[] runJob(String job, NodeProcess consumer, NodeProcess provider, JsonObject offer,
      byte[] dataset) throws Exception {
    String negotiationId = created(consumer, "/api/negotiations", new JsonObject()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress())
        .put("offer", offer), job + "-negotiation");
    JsonObject negotiation = await(consumer, "/api/negotiations/" + negotiationId, "FINALIZED", "TERMINATED");
    assertThat(negotiation.getString("state")).as(job + ": " + negotiation).isEqualTo("FINALIZED");
    String transferId = created(consumer, "/api/transfers", new JsonObject()
        .put("agreementId", negotiation.getString("agreementId")), job + "-transfer");
    JsonObject transfer = await(consumer, "/api/transfers/" + transferId, "STARTED", "TERMINATED");
    assertThat(transfer.getString("state")).as(job + ": " + transfer).isEqualTo("STARTED");
    Await.until(JOB_WAIT, job + ": a whole download", () -> {
      try {
        HttpResponse<byte[]> data = consumer.api().download("/api/transfers/" + transferId + "/data");
        return data.statusCode() == 200 && java.util.Arrays.equals(data.body(), dataset);
      } catch (IOException nodeDown) {
        // the consumer is being restarted
        return false;
      }
    });
    // A completion whose answer a kill cut off is already under way when repeated: a 409 then.
    retry(() -> {
      HttpResponse<String> r = consumer.api().send("POST", "/api/transfers/" + transferId + "/completion", "{}");
      if (r.statusCode() >= 300 && r.statusCode() != 409) {
        throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
      }
      return r;
    });
    await(consumer, "/api/transfers/" + transferId, "COMPLETED");
    return new String[] {negotiationId, transferId};
  }

  /** POSTs with an Idempotency-Key until the node answers 201; the id of what it created. */
  private static String created(NodeProcess node, String path, JsonObject body, String key) throws Exception {
    return retry(() -> {
      HttpResponse<String> r = node.api().send("POST", path, body.encode(), "Idempotency-Key", key);
      if (r.statusCode() != 201) {
        throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
      }
      return new JsonObject(r.body());
    }).getString("id");
  }

  private static JsonObject await(NodeProcess node, String path, String... states) throws Exception {
    return Await.until(JOB_WAIT, path + " in " + List.of(states), () -> retry(() -> node.api().get(path)),
        last -> List.of(states).contains(last.getString("state")));
  }

  /** Calls until the node answers: a node being restarted refuses connections or answers 5xx. */
  private static <T> T retry(Await.Probe<T, Exception> call) throws Exception {
    return Await.answer(JOB_WAIT, "a call to a node being restarted", call);
  }
}
