package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.cli.Socle;
import fr.socle.testing.Await;
import fr.socle.testing.Federation;
import fr.socle.testing.LocalFederation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.OpaServer;
import fr.socle.testing.Paths;
import fr.socle.testing.PolicyBundles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The audit trail of a real provider node after a real exchange, as an auditor sees it: every
 * decision, data access and operator change is on record, the export verifies offline with the
 * federation root certificate alone, and any tampering is named.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class AuditTrailTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path work;

  private LocalFederation federation;
  private NodeProcess provider;
  private NodeProcess consumer;
  private int providerReceiver;

  @BeforeAll
  void start() throws Exception {
    // Each node with its own OPA, which uploads its decision log to that node, as federation.sh runs them.
    federation = LocalFederation.in(work).node(Federation.PROVIDER).node(Federation.CONSUMER).withDecisionLogs()
        .start();
    provider = federation.node(Federation.PROVIDER);
    consumer = federation.node(Federation.CONSUMER);
    providerReceiver = federation.decisionLogPort(Federation.PROVIDER);
    exchange("first");
    refusedExchange("refused");
  }

  @AfterAll
  void stop() throws Exception {
    if (federation != null) {
      federation.close();
    }
  }

  /** Publishes an open dataset, negotiates it and downloads it once. */
  private void exchange(String id) throws Exception {
    Path assets = provider.dataDir().resolve("assets");
    Files.createDirectories(assets);
    Files.writeString(assets.resolve(id + ".csv"), "a;b\n1;2\n");
    provider.api().post("/api/assets", new JsonObject().put("id", id).put("title", id).put("contentType", "text/csv")
        .put("sourcePath", "assets/" + id + ".csv"));
    provider.api().post("/api/policies", new JsonObject().put("id", "p-" + id).put("policy", new JsonObject()
        .put("@type", "Set").put("permission", new JsonArray().add(new JsonObject().put("action", "use")))));
    provider.api().post("/api/offers", new JsonObject().put("id", "o-" + id).put("assetId", id)
        .put("policyId", "p-" + id));
    JsonObject catalog = consumer.api().post("/api/catalog/request",
        new JsonObject().put("counterPartyId", provider.participantId()).put("counterPartyAddress",
            provider.dspAddress()));
    JsonObject offer = null;
    for (Object d : catalog.getJsonArray("dataset")) {
      if (id.equals(((JsonObject) d).getString("@id"))) {
        offer = ((JsonObject) d).getJsonArray("hasPolicy").getJsonObject(0).copy().put("target", id);
      }
    }
    JsonObject n = consumer.api().post("/api/negotiations", new JsonObject()
        .put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress())
        .put("offer", offer));
    String agreement = consumer.api().awaitField("/api/negotiations/" + n.getString("id"), "state", WAIT,
        "FINALIZED").getString("agreementId");
    JsonObject t = consumer.api().post("/api/transfers", new JsonObject().put("agreementId", agreement));
    consumer.api().awaitField("/api/transfers/" + t.getString("id"), "state", WAIT, "STARTED");
    assertThat(consumer.api().download("/api/transfers/" + t.getString("id") + "/data").statusCode()).isEqualTo(200);
  }

  /**
   * Publishes a dataset under a policy whose only permission expired in 2000: the consumer's catalog
   * request is a recorded denial.
   */
  private void refusedExchange(String id) throws Exception {
    provider.api().post("/api/assets", new JsonObject().put("id", id).put("title", id).put("contentType", "text/csv")
        .put("sourcePath", "assets/first.csv"));
    provider.api().post("/api/policies", new JsonObject().put("id", "p-" + id).put("policy", new JsonObject()
        .put("@type", "Set").put("permission", new JsonArray().add(new JsonObject().put("action", "use")
            .put("constraint", new JsonArray().add(new JsonObject().put("leftOperand", "dateTime")
                .put("operator", "lt").put("rightOperand", "2000-01-01T00:00:00Z")))))));
    provider.api().post("/api/offers", new JsonObject().put("id", "o-" + id).put("assetId", id)
        .put("policyId", "p-" + id));
    consumer.api().post("/api/catalog/request",
        new JsonObject().put("counterPartyId", provider.participantId()).put("counterPartyAddress",
            provider.dspAddress()));
  }

  /** The provider's whole log as JSON Lines, as an auditor downloads it. */
  private String exportLines() throws Exception {
    HttpResponse<String> r = provider.auditor().send("GET", "/audit/export?from=0", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/jsonl");
    return r.body();
  }

  private JsonObject export() throws Exception {
    return AuditExport.parse(exportLines());
  }

  private static String[] cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Socle()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new String[] {Integer.toString(code), out + err.toString()};
  }

  private static JsonObject decision(JsonObject export, boolean allow) {
    return export.getJsonArray("entries").stream().map(e -> (JsonObject) e)
        .filter(e -> "DECISION".equals(e.getString("type")))
        .filter(e -> e.getJsonObject("payload").getString("decisionId") != null
            && e.getJsonObject("payload").getBoolean("allow") == allow)
        .findFirst().orElseThrow(() -> new AssertionError("no recorded decision with allow=" + allow));
  }

  private static String[] verify(Path export, Path previous) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Socle()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    List<String> args = new ArrayList<>(List.of("audit", "verify", "--export", export.toString(), "--root-ca",
        Paths.certs().resolve("root-ca.crt").toString()));
    if (previous != null) {
      args.addAll(List.of("--previous", previous.toString()));
    }
    int code = cli.execute(args.toArray(String[]::new));
    return new String[] {Integer.toString(code), out + err.toString()};
  }

  @Test
  void everyDecisionAccessAndChangeIsOnRecord() throws Exception {
    JsonArray entries = export().getJsonArray("entries");
    List<String> types = entries.stream().map(e -> ((JsonObject) e).getString("type")).toList();
    assertThat(types).contains("ADMIN", "DECISION", "DATA_ACCESS", "NEGOTIATION", "AGREEMENT", "TRANSFER");
    JsonObject agreement = entries.stream().map(e -> (JsonObject) e)
        .filter(e -> "AGREEMENT".equals(e.getString("type"))).findFirst().orElseThrow().getJsonObject("payload");
    assertThat(agreement.getString("consumerId")).isEqualTo(consumer.participantId());
    assertThat(entries.stream().map(e -> (JsonObject) e).filter(e -> "NEGOTIATION".equals(e.getString("type")))
        .map(e -> e.getJsonObject("payload").getString("change"))).contains("VERIFIED -> FINALIZING");
    JsonObject negotiation = entries.stream().map(e -> (JsonObject) e)
        .filter(e -> "DECISION".equals(e.getString("type")) && e.getString("subject").startsWith("negotiation:"))
        .findFirst().orElseThrow().getJsonObject("payload");
    assertThat(negotiation.getBoolean("allow")).isTrue();
    assertThat(negotiation.getString("participant")).isEqualTo(consumer.participantId());
    assertThat(negotiation.getString("inputDigest")).startsWith("sha-256=");
    assertThat(negotiation.getJsonObject("input").getString("scope")).isEqualTo("negotiation");
    JsonObject access = entries.stream().map(e -> (JsonObject) e)
        .filter(e -> "DATA_ACCESS".equals(e.getString("type"))).findFirst().orElseThrow().getJsonObject("payload");
    assertThat(access.getLong("bytes")).isGreaterThan(0);
    assertThat(access.getBoolean("complete")).isTrue();
  }

  @Test
  void anHonestExportVerifiesOfflineAndATamperedOneNamesTheEntry() throws Exception {
    String lines = exportLines();
    JsonObject export = AuditExport.parse(lines);
    Path honest = work.resolve("honest.jsonl");
    Files.writeString(honest, lines);
    String[] ok = verify(honest, null);
    assertThat(ok[0]).as(ok[1]).isEqualTo("0");

    JsonObject altered = export.copy();
    JsonObject third = altered.getJsonArray("entries").getJsonObject(3);
    third.getJsonObject("payload").put("forged", true);
    Path tampered = work.resolve("tampered.json");
    Files.writeString(tampered, altered.encode());
    String[] bad = verify(tampered, null);
    assertThat(bad[0]).isEqualTo("1");
    assertThat(bad[1]).contains("entry " + third.getLong("seq"));

    JsonObject removed = export.copy();
    removed.getJsonArray("entries").remove(2);
    Path gap = work.resolve("removed.json");
    Files.writeString(gap, removed.encode());
    assertThat(verify(gap, null)[0]).isEqualTo("1");
  }

  @Test
  void rolesStayApart() throws Exception {
    HttpResponse<String> operatorOnAudit = provider.api().send("GET", "/audit/export", null);
    assertThat(operatorOnAudit.statusCode()).isEqualTo(401);
    assertThat(operatorOnAudit.body()).contains("not an auditor key");
    HttpResponse<String> auditorOnApi = provider.auditor().send("GET", "/api/assets", null);
    assertThat(auditorOnApi.statusCode()).isEqualTo(401);
    JsonObject proof = provider.auditor().get("/audit/proofs/inclusion?seq=0");
    assertThat(proof.getJsonArray("proof")).isNotNull();
  }

  @Test
  void theTrailSurvivesASigkillAndStaysConsistent() throws Exception {
    Path before = work.resolve("before.jsonl");
    Files.writeString(before, exportLines());
    provider.kill();
    provider.launch();
    exchange("after-restart");
    Path after = work.resolve("after.jsonl");
    Files.writeString(after, exportLines());
    String[] result = verify(after, before);
    assertThat(result[0]).as(result[1]).isEqualTo("0");
  }

  @Test
  void opasDecisionLogIsRecordedAndReconciledWithTheNodesOwnRecord() throws Exception {
    // OPA uploads within its reporting delay (at most 5 s); wait until each node decision has its match.
    JsonObject report = Await.until(WAIT, "OPA's record of every node decision",
        () -> provider.auditor().get("/audit/reconcile?from=0"), r -> r.getJsonArray("missingInOpa").isEmpty());
    assertThat(report.getJsonArray("missingInOpa")).as(report.encodePrettily()).isEmpty();
    assertThat(report.getBoolean("consistent")).as(report.encodePrettily()).isTrue();
    assertThat(report.getInteger("matched")).isEqualTo(report.getInteger("nodeDecisions")).isGreaterThan(2);

    JsonObject export = export();
    JsonObject allowed = decision(export, true).getJsonObject("payload");
    JsonObject opaRecord = export.getJsonArray("entries").stream().map(e -> (JsonObject) e)
        .filter(e -> "OPA_DECISION".equals(e.getString("type"))
            && allowed.getString("decisionId").equals(e.getJsonObject("payload").getString("decisionId")))
        .findFirst().orElseThrow().getJsonObject("payload");
    assertThat(opaRecord.getString("inputDigest")).isEqualTo(allowed.getString("inputDigest"));
    assertThat(opaRecord.getString("bundleRevision")).isEqualTo("socle@" + PolicyBundles.canonical().revision());
    assertThat(opaRecord.containsKey("input")).as("OPA's copy of the input is not kept").isFalse();
    // The readiness probes OPA also logs decide nothing and are not recorded.
    assertThat(export.getJsonArray("entries").stream().map(e -> (JsonObject) e)
        .filter(e -> "OPA_DECISION".equals(e.getString("type"))).count())
        .isEqualTo(report.getLong("opaDecisions"));

    // The same event sent again (OPA retries) is logged once; a decision the node never took is reported.
    String known = allowed.getString("decisionId");
    String unknown = java.util.UUID.randomUUID().toString();
    JsonArray upload = new JsonArray()
        .add(event(known, allowed.getJsonObject("input")))
        .add(event(unknown, allowed.getJsonObject("input")));
    assertThat(uploadDecisions(gzip(upload.encode()), token()).statusCode()).isEqualTo(204);
    JsonObject after = provider.auditor().get("/audit/reconcile?from=0");
    assertThat(after.getInteger("opaDecisions")).isEqualTo(report.getInteger("opaDecisions") + 1);
    assertThat(after.getBoolean("consistent")).isFalse();
    assertThat(after.getJsonArray("missingOnNode")).hasSize(1);
    assertThat(after.getJsonArray("missingOnNode").getJsonObject(0).getString("decisionId")).isEqualTo(unknown);

    Path file = work.resolve("reconcile.jsonl");
    Files.writeString(file, exportLines());
    String[] cli = cli("audit", "reconcile", "--export", file.toString());
    assertThat(cli[0]).as(cli[1]).isEqualTo("1");
    assertThat(cli[1]).contains("FAIL reconciliation: ").contains("missing on the node: decision " + unknown);
  }

  @Test
  void theDecisionLogReceiverRefusesWhatOpaWouldNotSend() throws Exception {
    byte[] body = gzip("[]");
    assertThat(uploadDecisions(body, null).statusCode()).isEqualTo(401);
    assertThat(uploadDecisions(body, "not-the-token-0123456789").statusCode()).isEqualTo(401);
    HttpResponse<String> notGzip = uploadDecisions("[]".getBytes(java.nio.charset.StandardCharsets.UTF_8), token());
    assertThat(notGzip.statusCode()).isEqualTo(400);
    assertThat(notGzip.body()).contains("not valid gzip");
    assertThat(uploadDecisions(gzip("{\"not\":\"an array\"}"), token()).statusCode()).isEqualTo(400);
    // 64 MiB of zeros compress to about 64 KiB: refused once decompressed beyond 16 MiB.
    HttpResponse<String> bomb = uploadDecisions(gzip(" ".repeat(64 * 1024 * 1024)), token());
    assertThat(bomb.statusCode()).isEqualTo(400);
    assertThat(bomb.body()).contains("expands beyond 16777216 bytes");
    assertThat(uploadDecisions(new byte[2 * 1024 * 1024], token()).statusCode()).isEqualTo(413);
  }

  @Test
  void recordedDecisionsReplayAgainstTheKeptBundleAndChangedRulesAreAMismatch() throws Exception {
    Path file = work.resolve("replay.jsonl");
    Files.writeString(file, exportLines());
    JsonObject export = AuditExport.parse(Files.readString(file));
    Path bundles = provider.dataDir().resolve("bundles");
    assertThat(export.getJsonArray("entries").stream().map(e -> (JsonObject) e)
        .filter(e -> "BUNDLE".equals(e.getString("type"))).findFirst().orElseThrow().getJsonObject("payload")
        .getString("revision")).isEqualTo(PolicyBundles.canonical().revision());
    String key = Paths.certs().resolve("policy-signing.pub.pem").toString();
    for (boolean allow : new boolean[] {true, false}) {
      long seq = decision(export, allow).getLong("seq");
      String[] replay = cli("audit", "replay", Long.toString(seq), "--export", file.toString(), "--bundles",
          bundles.toString(), "--policy-key", key, "--opa", Paths.opa().toString());
      assertThat(replay[0]).as(replay[1]).isEqualTo("0");
      assertThat(replay[1]).contains("ok   bundle: ").contains("signature verified").contains("ok   replay: MATCH");
    }

    // The same revision label on rules that no longer allow anything, signed with the federation key.
    Path changed = work.resolve("changed");
    copyTree(Paths.policies(), changed.resolve("policies"));
    Path rego = changed.resolve("policies/socle/decision.rego");
    String original = Files.readString(rego);
    String rule = "allow := {count(base) == 0, result.allow} == {true}";
    assertThat(original).contains(rule);
    Files.writeString(rego, original.replace(rule, "allow := false"));
    Path changedBundle = work.resolve("changed.tar.gz");
    Process build = new ProcessBuilder(Paths.opa().toString(), "build", "--bundle", "policies", "--ignore",
        "*_test.rego",
        "--ignore", "templates", "--revision", PolicyBundles.canonical().revision(), "--signing-key",
        Paths.certs().resolve("policy-signing.key").toString(), "--signing-alg", "ES256", "--verification-key-id",
        "socle-policy-signing", "--output", changedBundle.toString()).directory(changed.toFile()).inheritIO().start();
    assertThat(build.waitFor()).isZero();
    long allowedSeq = decision(export, true).getLong("seq");
    String[] mismatch = cli("audit", "replay", Long.toString(allowedSeq), "--export", file.toString(), "--bundles",
        changedBundle.toString(), "--policy-key", key, "--opa", Paths.opa().toString());
    assertThat(mismatch[0]).as(mismatch[1]).isEqualTo("1");
    assertThat(mismatch[1]).contains("FAIL replay: MISMATCH (recorded: allow=true [], replayed: allow=false");

    // A bundle signed by another key is refused before any evaluation.
    String[] unsigned = cli("audit", "replay", Long.toString(allowedSeq), "--export", file.toString(), "--bundles",
        changedBundle.toString(), "--policy-key", writeOtherKey().toString(), "--opa", Paths.opa().toString());
    assertThat(unsigned[0]).isEqualTo("1");
    assertThat(unsigned[1]).contains("FAIL the bundle's signature does not verify");
  }

  @Test
  void showRendersEntriesForAPersonInFrenchOrEnglish() throws Exception {
    Path file = work.resolve("show.jsonl");
    Files.writeString(file, exportLines());
    String[] fr = cli("audit", "show", "--export", file.toString(), "--type", "DECISION", "--allow", "false");
    assertThat(fr[0]).as(fr[1]).isEqualTo("0");
    assertThat(fr[1]).contains("(lu, non vérifié").contains("Décision de politique (catalogue) : refusée")
        .contains("participant " + consumer.participantId()).contains("motifs : ")
        .doesNotContain("autorisée").doesNotContain("Policy decision");
    String[] en = cli("audit", "show", "--export", file.toString(), "--lang", "en", "--type", "DATA_ACCESS");
    assertThat(en[0]).as(en[1]).isEqualTo("0");
    assertThat(en[1]).contains("Data access: ").contains("bytes served (complete)")
        .doesNotContain("Policy decision");
    String[] bad = cli("audit", "show", "--export", file.toString(), "--lang", "de");
    assertThat(bad[0]).isEqualTo("2");

    // The consumer's own trail shows what it received, from whom, with the SHA-256 announced.
    Path received = work.resolve("received.jsonl");
    Files.writeString(received, consumerExportWithReceipt());
    String[] receipts = cli("audit", "show", "--export", received.toString(), "--type", "DATA_RECEIVED");
    assertThat(receipts[0]).as(receipts[1]).isEqualTo("0");
    assertThat(receipts[1]).contains("Données reçues : ").contains("octets reçus, pull (complet)")
        .contains("fournisseur " + provider.participantId()).contains("sha256 ")
        .doesNotContain("Accès aux données");
  }

  /** The consumer's whole log, once the receipt of its download (recorded as the relay ends) is in it. */
  private String consumerExportWithReceipt() throws Exception {
    return Await.until(WAIT, "a DATA_RECEIVED entry in the consumer's log", () -> {
      HttpResponse<String> r = consumer.auditor().send("GET", "/audit/export?from=0", null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return r.body();
    }, body -> body.contains("\"DATA_RECEIVED\""));
  }

  private static JsonObject event(String id, JsonObject input) {
    return new JsonObject().put("decision_id", id).put("path", "socle/decision/negotiation").put("input", input)
        .put("result", new JsonObject().put("allow", true).put("reasons", new JsonArray()))
        .put("timestamp", "2026-01-01T00:00:00Z");
  }

  private static String token() throws Exception {
    return Files.readString(OpaServer.decisionLogToken()).strip();
  }

  private HttpResponse<String> uploadDecisions(byte[] body, String token) throws Exception {
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + providerReceiver + "/opa/decisions"))
        .header("Content-Encoding", "gzip").header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] gzip(String text) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private Path writeOtherKey() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    String pem = "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
        .encodeToString(g.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    return Files.writeString(work.resolve("other-key.pem"), pem);
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
