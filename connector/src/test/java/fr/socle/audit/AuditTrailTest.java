package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.cli.Socle;
import fr.socle.testing.Federation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.OpaServer;
import fr.socle.testing.Paths;
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

  private OpaServer opa;
  private NodeProcess provider;
  private NodeProcess consumer;

  @BeforeAll
  void start() throws Exception {
    opa = OpaServer.start(work.resolve("opa.log"));
    provider = NodeProcess.start(work, Federation.PROVIDER, opa.url());
    consumer = NodeProcess.start(work, Federation.CONSUMER, opa.url());
    exchange("first");
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {provider, consumer, opa}) {
      if (c != null) {
        c.close();
      }
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
        new JsonObject().put("counterPartyId", provider.participantId()).put("counterPartyAddress", provider.dspAddress()));
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

  private JsonObject export() throws Exception {
    return provider.auditor().get("/audit/export?from=0");
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
    JsonObject export = export();
    Path honest = work.resolve("honest.json");
    Files.writeString(honest, export.encode());
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
    Path before = work.resolve("before.json");
    Files.writeString(before, export().encode());
    provider.kill();
    provider.launch();
    exchange("after-restart");
    Path after = work.resolve("after.json");
    Files.writeString(after, export().encode());
    String[] result = verify(after, before);
    assertThat(result[0]).as(result[1]).isEqualTo("0");
  }
}
