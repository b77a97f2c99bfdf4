package fr.socle.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.catalog.CatalogStore;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.node.Node;
import fr.socle.node.NodeConfig;
import fr.socle.node.ProtocolSecurity;
import fr.socle.protocol.Dsp;
import fr.socle.protocol.Refusal;
import fr.socle.protocol.PeerAuthenticator;
import fr.socle.store.Database;
import fr.socle.testing.OpaServer;
import fr.socle.testing.Paths;
import fr.socle.testing.PolicyBundles;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.dataspacetck.core.system.ConsoleMonitor;
import org.eclipse.dataspacetck.dsp.system.DspSystemLauncher;
import org.eclipse.dataspacetck.runtime.TckRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the official DSP TCK (1.0.0-RC6, every runnable scenario) against a Socle node started in
 * this JVM with a real OPA serving the repository's policies.
 *
 * <p>The kit speaks plain HTTP with a static {@code Authorization} header, so the node is built
 * with a {@link ProtocolSecurity} of this test's own: plain server and client options and an
 * authenticator that maps that header to the kit's participant. Production configuration has no way
 * to do this; only code that constructs a {@link Node} can. The kit's scenario ids are seeded
 * ({@link TckSeed}) and their expected behaviour scripted ({@link TckScript}) here, in test code.
 *
 * <p>The build fails unless every scenario passes, except those listed in
 * {@code known-failures.txt} with their cause; that list must only shrink.
 */
class DspTckTest {

  /** The participant id the kit uses for itself in every message. */
  static final String KIT = "TCK_PARTICIPANT";
  private static final int RUNNABLE_SCENARIOS = 65;
  private static final String API_KEY = "tck-management-key-" + UUID.randomUUID();

  @TempDir
  Path work;

  @Test
  @Timeout(900)
  void everyRunnableScenarioOfTheDspTckPasses() throws Exception {
    int dspPort = freePort();
    int callbackPort = freePort();
    String token = "Bearer tck-" + UUID.randomUUID();
    String dspUrl = "http://127.0.0.1:" + dspPort;
    String kitAddress = "http://127.0.0.1:" + callbackPort;
    Clock clock = Clock.systemUTC();

    try (OpaServer opa = OpaServer.start(work.resolve("opa.log"))) {
      Vertx vertx = Vertx.vertx();
      try {
        NodeConfig config = NodeConfig.load(writeConfig(dspPort, dspUrl, opa.url()));
        ProtocolSecurity plain = new ProtocolSecurity(new HttpServerOptions().setHost("127.0.0.1").setPort(dspPort),
            new HttpClientOptions(), staticToken(token));
        TckScript script = new TckScript();
        Node node = new Node(config, clock, plain, script, script);
        vertx.deployVerticle(node).await();
        seed(config, clock, node.participantId(), kitAddress);
        JsonObject run = new JsonObject(Files.readString(config.dataDir().resolve("node.json")));
        catalogIsPaginatedWithLinkHeaders(dspUrl, token);
        malformedMessagesGetA4xxNeverA500(dspUrl, token);
        try (TckInitiator initiator = TckInitiator.start(0, "http://127.0.0.1:" + run.getInteger("managementPort"),
            API_KEY)) {
          Map<String, String> properties = properties();
          properties.put("dataspacetck.dsp.local.connector", "false");
          properties.put("dataspacetck.dsp.connector.agent.id", node.participantId());
          properties.put("dataspacetck.dsp.connector.http.url", dspUrl);
          properties.put("dataspacetck.dsp.connector.http.base.url", dspUrl);
          properties.put("dataspacetck.dsp.connector.http.headers.authorization", token);
          properties.put("dataspacetck.dsp.connector.negotiation.initiate.url", initiator.url() + "/negotiations/requests");
          properties.put("dataspacetck.dsp.connector.transfer.initiate.url", initiator.url() + "/transfers/requests");
          properties.put("dataspacetck.callback.address", kitAddress);
          properties.put("dataspacetck.host", "127.0.0.1");
          properties.put("dataspacetck.port", String.valueOf(callbackPort));
          // Seconds the kit waits for each expected message or state (its own default). A wait ends as
          // soon as its condition holds; the margin covers the node's retries when one of its messages
          // reaches the kit before the kit is ready for it (the kit then answers 404 or drops the
          // connection, and the node resends 0.5 s later).
          properties.put("dataspacetck.dsp.default.wait", "15");
          properties.put("dataspacetck.debug", "false");

          // -Dsocle.tck.only=CN_C:01 runs the scenarios whose name starts so, while working on them.
          String only = System.getProperty("socle.tck.only", "");
          long started = System.nanoTime();
          TestExecutionSummary summary = TckRuntime.Builder.newInstance().properties(properties)
              .launcher(DspSystemLauncher.class).addPackage("org.eclipse.dataspacetck.dsp.verification")
              .displayNameMatching(name -> !name.contains(":") || name.startsWith(only))
              .monitor(new ConsoleMonitor(false, false)).build().execute();
          report(summary, (System.nanoTime() - started) / 1_000_000, only.isEmpty());
        }
      } finally {
        vertx.close().await();
      }
    }
  }

  /** DSP 2025-1 catalog pagination, which the kit does not exercise: pages of 5 over the seeded datasets. */
  private static void catalogIsPaginatedWithLinkHeaders(String dspUrl, String token) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String request = new JsonObject().put("@context", new JsonArray().add(Dsp.CONTEXT))
        .put("@type", "CatalogRequestMessage").encode();
    List<String> seen = new ArrayList<>();
    String next = dspUrl + "/catalog/request?limit=5";
    int pages = 0;
    while (next != null) {
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(next))
          .header("Authorization", token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
      for (Object d : new JsonObject(page.body()).getJsonArray("dataset")) {
        seen.add(((JsonObject) d).getString("@id"));
      }
      String link = page.headers().firstValue("Link").orElse("");
      assertThat(link.contains("rel=\"previous\"")).as("previous link on page " + pages).isEqualTo(pages > 0);
      Matcher m = Pattern.compile("<([^>]+)>; rel=\"next\"").matcher(link);
      next = m.find() ? m.group(1) : null;
      pages++;
    }
    assertThat(pages).isEqualTo((TckSeed.DATASETS.size() + 4) / 5);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(TckSeed.DATASETS);
    HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(dspUrl + "/catalog/request?limit=0"))
        .header("Authorization", token).POST(HttpRequest.BodyPublishers.ofString(request)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(wrong.body()).contains("query parameter 'limit' must be an integer from 1 to 100, got '0'");
  }

  /**
   * Messages of the right type whose properties break the DSP schemas (wrong JSON types, missing
   * members, unknown ids) are refused with a 4xx and a DSP error body, on every endpoint.
   */
  private static void malformedMessagesGetA4xxNeverA500(String dspUrl, String token) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Map<String, List<JsonObject>> cases = new java.util.LinkedHashMap<>();
    JsonObject number = new JsonObject().put("n", 42);
    cases.put("/negotiations/request", List.of(
        msg("ContractRequestMessage").put("consumerPid", 42).put("offer", new JsonObject().put("@id", "x"))
            .put("callbackAddress", "http://127.0.0.1:1"),
        msg("ContractRequestMessage").put("consumerPid", "c").put("offer", "not an object")
            .put("callbackAddress", "http://127.0.0.1:1"),
        msg("ContractRequestMessage").put("consumerPid", "c").put("offer", new JsonObject().put("@id", "x")
            .put("target", number)).put("callbackAddress", 42),
        msg("ContractRequestMessage").put("consumerPid", "c").put("offer", new JsonObject().put("@id", "unknown"))
            .put("callbackAddress", "http://127.0.0.1:1"),
        msg("ContractRequestMessage")));
    cases.put("/negotiations/nope/agreement", List.of(
        msg("ContractAgreementMessage").put("providerPid", "p").put("consumerPid", "nope")
            .put("agreement", new JsonObject().put("@id", "a").put("target", number).put("assignee", 42)),
        msg("ContractAgreementMessage").put("providerPid", "p").put("consumerPid", "nope").put("agreement", 42)));
    cases.put("/negotiations/nope/events", List.of(
        msg("ContractNegotiationEventMessage").put("providerPid", "p").put("consumerPid", "nope").put("eventType", 42),
        msg("ContractNegotiationEventMessage").put("providerPid", "p").put("consumerPid", "nope")
            .put("eventType", "ACCEPTED")));
    cases.put("/negotiations/nope/offers", List.of(
        msg("ContractOfferMessage").put("providerPid", "p").put("consumerPid", "nope").put("offer", new JsonArray())));
    cases.put("/negotiations/nope/termination", List.of(
        msg("ContractNegotiationTerminationMessage").put("providerPid", new JsonArray()).put("consumerPid", "nope")));
    cases.put("/transfers/request", List.of(
        msg("TransferRequestMessage").put("consumerPid", "c").put("agreementId", 42).put("format", "HttpData-PULL")
            .put("callbackAddress", "http://127.0.0.1:1"),
        msg("TransferRequestMessage").put("consumerPid", "c").put("agreementId", "unknown")
            .put("format", "HttpData-PULL").put("callbackAddress", "http://127.0.0.1:1"),
        msg("TransferRequestMessage").put("consumerPid", "c").put("agreementId", "ATP0101").put("format", number)
            .put("callbackAddress", "http://127.0.0.1:1")));
    cases.put("/transfers/nope/start", List.of(
        msg("TransferStartMessage").put("providerPid", "p").put("consumerPid", "nope").put("dataAddress", "x")));
    cases.put("/transfers/nope/suspension", List.of(
        msg("TransferSuspensionMessage").put("providerPid", "p").put("consumerPid", "nope").put("reason", number)));
    cases.put("/catalog/request", List.of(msg("CatalogRequestMessage").put("filter", 42),
        msg("TransferRequestMessage")));
    for (Map.Entry<String, List<JsonObject>> c : cases.entrySet()) {
      for (JsonObject body : c.getValue()) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(dspUrl + c.getKey()))
            .header("Authorization", token).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
        String answer = r.body().length() > 300 ? r.body().substring(0, 300) + "..." : r.body();
        assertThat(r.statusCode()).as(c.getKey() + " " + body.encode() + " -> " + answer).isBetween(400, 499);
        assertThat(new JsonObject(r.body()).getString("@type")).as(r.body()).endsWith("Error");
      }
    }
  }

  private static JsonObject msg(String type) {
    return new JsonObject().put("@context", new JsonArray().add(Dsp.CONTEXT)).put("@type", type);
  }

  private void report(TestExecutionSummary summary, long millis, boolean all) throws IOException {
    Set<String> failed = new TreeSet<>();
    StringBuilder details = new StringBuilder();
    for (TestExecutionSummary.Failure f : summary.getFailures()) {
      String name = f.getTestIdentifier().getDisplayName();
      failed.add(name.substring(0, name.indexOf(':', name.indexOf(':') + 1)));
      details.append("- ").append(name).append(": ").append(f.getException()).append('\n');
    }
    StringWriter text = new StringWriter();
    summary.printTo(new PrintWriter(text));
    System.out.println("DSP TCK 1.0.0-RC6 took " + millis + " ms" + text);
    System.out.println("DSP TCK: " + summary.getTestsSucceededCount() + " passed, " + summary.getTestsFailedCount()
        + " failed, " + summary.getTestsSkippedCount() + " skipped (disabled by the kit)");
    if (details.length() > 0) {
      System.out.println("DSP TCK failures:\n" + details);
    }
    Set<String> known = knownFailures();
    if (!all) {
      assertThat(failed).as("failed scenarios:\n" + details).isEmpty();
      return;
    }
    assertThat(summary.getTestsFoundCount() - summary.getTestsSkippedCount()).as("runnable scenarios found")
        .isEqualTo(RUNNABLE_SCENARIOS);
    assertThat(failed).as("scenarios that failed and are not in known-failures.txt:\n" + details)
        .isSubsetOf(known);
    Set<String> fixed = new TreeSet<>(known);
    fixed.removeAll(failed);
    assertThat(fixed).as("scenarios of known-failures.txt that now pass: remove them from the list").isEmpty();
  }

  private static Set<String> knownFailures() throws IOException {
    Set<String> ids = new TreeSet<>();
    try (InputStream in = DspTckTest.class.getResourceAsStream("/known-failures.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String id = line.replaceFirst("#.*", "").trim();
        if (!id.isEmpty()) {
          ids.add(id.split("\\s+")[0]);
        }
      }
    }
    return ids;
  }

  /** The kit's static header stands for its participant; anything else is refused as a real node would. */
  private static PeerAuthenticator staticToken(String expected) {
    byte[] want = sha256(expected);
    return ctx -> {
      String given = ctx.request().getHeader("Authorization");
      if (given == null || !MessageDigest.isEqual(want, sha256(given))) {
        throw new Refusal(Refusal.Kind.UNAUTHENTICATED, "unauthenticated", "the kit's Authorization header is required");
      }
      return KIT;
    };
  }

  private Path writeConfig(int dspPort, String dspUrl, String opaUrl) throws IOException, InterruptedException {
    Path dataDir = work.resolve("node");
    Files.createDirectories(dataDir);
    Path certs = Paths.certs();
    JsonObject json = new JsonObject()
        .put("name", "tck")
        .put("dataDir", dataDir.toString())
        .put("dsp", new JsonObject().put("host", "127.0.0.1").put("port", dspPort).put("publicUrl", dspUrl))
        .put("management", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("apiKey", API_KEY))
        .put("tls", new JsonObject().put("nodeDir", certs.resolve("nodes/region-exemple").toString())
            .put("federationDir", certs.toString()))
        .put("opa", new JsonObject().put("url", opaUrl).put("timeoutMillis", 2000)
            .put("expectedRevisionFile", PolicyBundles.canonical().revisionFile().toString()))
        .put("limits", new JsonObject().put("dspTimeoutMillis", 2000));
    Path file = work.resolve("config.json");
    Files.writeString(file, json.encodePrettily());
    return file;
  }

  /** Seeds through the node's stores, on a Vert.x instance of its own so that no worker pool is shared. */
  private static void seed(NodeConfig config, Clock clock, String selfId, String kitAddress) {
    Vertx vertx = Vertx.vertx();
    try {
      Database db = vertx.executeBlocking(() -> Database.open(vertx, config.database().url(), config.database().user(),
          config.database().password(), 2), false).await();
      try {
        TckSeed.seed(new CatalogStore(db, clock), new NegotiationStore(db, clock), clock, selfId, KIT, kitAddress)
            .await();
      } finally {
        db.close();
      }
    } finally {
      vertx.close().await();
    }
  }

  private static Map<String, String> properties() throws IOException {
    Properties p = new Properties();
    try (InputStream in = DspTckTest.class.getResourceAsStream("/tck.properties")) {
      p.load(in);
    }
    Map<String, String> map = new HashMap<>();
    p.forEach((k, v) -> map.put(k.toString(), v.toString()));
    return map;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
