package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.audit.AuditReport.Check;
import fr.socle.trust.JwsReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor's view: a log of 100 entries on H2, with a head signed at 60 and exported, then a head
 * at 100 and a second export. Each test alters a copy of an export the way someone hiding something
 * would, and expects {@link AuditVerifier} to name exactly what was found.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AuditExportTest {

  private AuditFixture fx;
  private AuditVerifier verifier;
  private JsonObject export60;
  private JsonObject export100;
  private JsonObject partial;
  private SignedTreeHead head100;

  @BeforeAll
  void buildLog(@TempDir Path dir, VertxTestContext ctx) {
    fx = new AuditFixture(dir);
    verifier = fx.verifier();
    AuditLog log = fx.newLog();
    log.start()
        .compose(v -> fx.appendAll(log, 0, 60))
        .compose(v -> log.signTreeHead())
        .compose(v -> log.export(0, 60))
        .compose(export -> {
          export60 = export;
          return fx.appendAll(log, 60, 40);
        })
        .compose(v -> log.signTreeHead())
        .compose(head -> {
          head100 = head;
          return log.export(0, 100);
        })
        .compose(export -> {
          export100 = export;
          return log.export(10, 30);
        })
        .compose(export -> {
          partial = export;
          return log.close();
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterAll
  void tearDown() {
    fx.close();
  }

  @Test
  void untouchedExportsVerify() {
    AuditReport report = verifier.verify(export100);
    assertThat(report.ok()).as(report.toString()).isTrue();
    assertThat(report.checks()).extracting(Check::name).containsExactly("export", "tree head", "range", "entries",
        "root",
        "earlier heads", "unsigned");
    assertThat(report.unsigned().count()).isZero();
    assertThat(report.checks().get(1).line()).startsWith("ok   tree head: size 100, root "
        + Merkle.encodeHash(head100.root()) + ", signed 2026-01-01T09:02:30.000Z by CN=Audit test node");
    assertThat(report.checks().get(4).line()).isEqualTo("ok   root: the 100 entries hash to the signed root");
    assertThat(verifier.verify(export60).ok()).isTrue();
  }

  @Test
  void exportsAreSelfContainedJson() {
    JsonObject reread = new JsonObject(export100.encode());
    assertThat(reread.fieldNames()).containsExactlyInAnyOrder("format", "from", "to", "treeHead", "entries",
        "consistency");
    assertThat(reread.getJsonArray("consistency")).hasSize(1);
    assertThat(reread.getJsonArray("consistency").getJsonObject(0).getLong("size")).isEqualTo(60);
    assertThat(verifier.verify(reread).ok()).isTrue();
  }

  @Test
  void editedPayloadIsALeafHashMismatch() {
    JsonObject tampered = export100.copy();
    JsonObject entry = entries(tampered).getJsonObject(17);
    String recorded = entry.getString("leafHash");
    flip(entry.getJsonObject("payload"), "allow");

    assertThat(failure(tampered)).isEqualTo(new Check("entries", Reason.LEAF_HASH_MISMATCH,
        "entry 17: leaf hash mismatch (want: " + recorded + ", got: " + recompute(entry) + ")"));
  }

  @Test
  void editedPayloadWithAFreshLeafHashIsARootMismatch() {
    JsonObject tampered = export100.copy();
    JsonObject entry = entries(tampered).getJsonObject(17);
    flip(entry.getJsonObject("payload"), "allow");
    entry.put("leafHash", recompute(entry));
    List<byte[]> leaves = new ArrayList<>();
    for (Object e : entries(tampered)) {
      leaves.add(Merkle.decodeHash(((JsonObject) e).getString("leafHash")));
    }

    assertThat(failure(tampered)).isEqualTo(new Check("root", Reason.ROOT_MISMATCH,
        "entries do not hash to the signed root: root mismatch (want: " + Merkle.encodeHash(head100.root())
            + ", got: " + Merkle.encodeHash(Merkle.rootOf(leaves)) + ")"));
  }

  @Test
  void deletedEntryIsASeqGap() {
    JsonObject tampered = export100.copy();
    entries(tampered).remove(17);
    assertThat(failure(tampered)).isEqualTo(new Check("entries", Reason.SEQ_ORDER,
        "seq out of order at position 17 (want: 17, got: 18)"));
  }

  @Test
  void deletedLastEntryIsAShortRange() {
    JsonObject tampered = export100.copy();
    entries(tampered).remove(99);
    assertThat(failure(tampered)).isEqualTo(new Check("entries", Reason.SEQ_ORDER,
        "export holds 99 entries for range [0, 100), want 100"));
  }

  @Test
  void deletedLastEntryWithTheRangeShortenedNoLongerMatchesTheHead() {
    JsonObject tampered = export100.copy().put("to", 99);
    entries(tampered).remove(99);
    Check failure = failure(tampered);
    assertThat(failure.failure()).isEqualTo(Reason.MISSING_PROOF);
    assertThat(failure.message()).isEqualTo("entry 0: inclusion proof is absent");
  }

  @Test
  void reorderedEntriesAreOutOfSequence() {
    JsonObject tampered = export100.copy();
    JsonArray entries = entries(tampered);
    Object forty = entries.getValue(40);
    entries.set(40, entries.getValue(41));
    entries.set(41, forty);
    assertThat(failure(tampered)).isEqualTo(new Check("entries", Reason.SEQ_ORDER,
        "seq out of order at position 40 (want: 40, got: 41)"));
  }

  /**
   * With an older head, the entries past it are not proven: they are reported as unsigned (the export
   * otherwise holds), and refused when every entry must be signed.
   */
  @Test
  void entriesBeyondAnOlderTreeHeadAreUnsigned() {
    JsonObject older = export100.copy().put("treeHead", export60.getString("treeHead"))
        .put("consistency", new JsonArray());

    AuditReport report = verifier.verify(older);

    assertThat(report.ok()).as(report.toString()).isTrue();
    assertThat(report.unsigned()).isEqualTo(new AuditReport.Unsigned(60, 60, 100));
    assertThat(report.checks()).last().satisfies(c -> {
      assertThat(c.warning()).isTrue();
      assertThat(c.message()).endsWith("/ 40 entries [60, 100) after the last signed tree head (size 60): "
          + "no signature covers them yet");
    });
    Check refused = verifier.verify(older, null, true).failure();
    assertThat(refused.name()).isEqualTo("unsigned");
    assertThat(refused.failure()).isEqualTo(Reason.BEYOND_TREE_HEAD);
  }

  /** The heads of an export must cover growing prefixes: one beyond the latest cannot be extended by it. */
  @Test
  void anEarlierHeadLargerThanTheLatestIsRefused() {
    JsonObject tampered = export60.copy().put("consistency", new JsonArray().add(new JsonObject()
        .put("size", 100).put("treeHead", export100.getString("treeHead")).put("proof", new JsonArray())));
    Check failure = failure(tampered);
    assertThat(failure.name()).isEqualTo("earlier heads");
    assertThat(failure.failure()).isEqualTo(Reason.TREE_SHRANK);
  }

  @Test
  void anInclusionProofBeyondTheSignedHeadIsMalformed() {
    JsonObject tampered = export60.copy().put("to", 70);
    for (int seq = 60; seq < 70; seq++) {
      entries(tampered).add(entries(export100).getJsonObject(seq).copy().put("inclusion", new JsonArray()));
    }
    assertThat(failure(tampered)).isEqualTo(new Check("entries", Reason.MALFORMED,
        "entry 60: inclusion proof for an entry beyond the signed tree head (size 60)"));
  }

  @Test
  void alteredSignatureDoesNotVerify() {
    String[] parts = export100.getString("treeHead").split("\\.");
    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
    signature[5] ^= 1;
    JsonObject tampered = export100.copy().put("treeHead",
        parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature));
    assertThat(failure(tampered)).isEqualTo(new Check("tree head", JwsReason.BAD_SIGNATURE,
        "the signature does not verify with the key of the x5c certificate 'Audit test node'"));
  }

  @Test
  void headFromAnotherFederationIsUntrusted() {
    AuditReport report = new AuditVerifier(TreeHeadTest.verifier(TestPki.create("Other"))).verify(export100);
    assertThat(report.failure().failure()).isEqualTo(JwsReason.UNTRUSTED_CHAIN);
    assertThat(report.failure().message()).startsWith("x5c does not chain to root CN=Other Root CA: ");
  }

  @Test
  void newerExportIsConsistentWithTheOlderOne() {
    AuditReport report = verifier.verify(export100, export60);
    assertThat(report.ok()).as(report.toString()).isTrue();
    assertThat(report.checks()).extracting(Check::line).endsWith(
        "ok   consistency: the tree of size 100 extends the previous tree of size 60",
        "ok   unsigned: aucune entrée hors de la tête d'arbre signée (taille 100) / no entry beyond the signed tree"
            + " head (size 100)");
  }

  /**
   * Entries an earlier export showed beyond its head were in the log: a later export must hold them
   * unchanged, whether a head now covers them or not. A node that lost them, or wrote others in their
   * place, is caught although every head it signed is consistent.
   */
  @Test
  void entriesAnEarlierExportShowedUnsignedMustStayInTheLogUnchanged() {
    JsonObject earlier = export100.copy().put("treeHead", export60.getString("treeHead"))
        .put("consistency", new JsonArray());

    AuditReport kept = verifier.verify(export100, earlier);
    assertThat(kept.ok()).as(kept.toString()).isTrue();
    assertThat(kept.checks()).extracting(Check::line).contains("ok   previously unsigned: 40 des 40 entrées [60, 100) "
        + "montrées hors tête signée par l'export précédent sont inchangées / 40 of the 40 entries [60, 100) the "
        + "previous export showed beyond its signed head are unchanged");

    // The node came back from a crash without them: its log, and its heads, stop at 60.
    Check lost = verifier.verify(export60, earlier).failure();
    assertThat(lost.name()).isEqualTo("previously unsigned");
    assertThat(lost.failure()).isEqualTo(Reason.UNSIGNED_ENTRY_LOST);
    assertThat(lost.message()).endsWith("/ the previous export showed entries [60, 100) beyond its signed head; "
        + "the log now holds only 60");

    // Entry 70 was another one when the earlier export was taken.
    JsonObject other = earlier.copy();
    entries(other).getJsonObject(70).put("leafHash", entries(export100).getJsonObject(71).getString("leafHash"));
    Check changed = verifier.verify(export100, other).failure();
    assertThat(changed.failure()).isEqualTo(Reason.UNSIGNED_ENTRY_LOST);
    assertThat(changed.message()).contains("entry 70, shown beyond its signed head by the previous export, has changed");
  }

  @Test
  void treeThatShrankIsRefused() {
    assertThat(verifier.verify(export60, export100).failure()).isEqualTo(new Check("consistency",
        Reason.TREE_SHRANK, "tree size 60 is smaller than previous 100"));
  }

  @Test
  void alteredConsistencyProofDoesNotVerify() {
    JsonObject tampered = export100.copy();
    JsonArray proof = tampered.getJsonArray("consistency").getJsonObject(0).getJsonArray("proof");
    byte[] first = Merkle.decodeHash(proof.getString(0));
    first[0] ^= 1;
    proof.set(0, Merkle.encodeHash(first));
    Check failure = verifier.verify(tampered, export60).failure();
    assertThat(failure.name()).isEqualTo("earlier heads");
    assertThat(failure.failure()).isEqualTo(Reason.ROOT_MISMATCH);
    assertThat(failure.message()).startsWith(
        "signed head of size 60: consistency proof from 60 to 100 does not verify: root mismatch (want: ");

    // Without the earlier head in the export, the proof is still checked against the auditor's copy.
    tampered.getJsonArray("consistency").getJsonObject(0).remove("treeHead");
    Check fromPrevious = verifier.verify(tampered, export60).failure();
    assertThat(fromPrevious.name()).isEqualTo("consistency");
    assertThat(fromPrevious.message()).startsWith("consistency proof from 60 to 100 does not verify: root mismatch (want: ");
  }

  @Test
  void jsonLinesHoldOneRecordPerLineAndReadBackToTheSameExport() {
    String lines = AuditExport.toJsonLines(export100);
    List<String> records = lines.lines().map(l -> new JsonObject(l).getString("record")).toList();
    assertThat(records).hasSize(1 + 1 + 100 + 1);
    assertThat(records.get(0)).isEqualTo("header");
    assertThat(records.get(1)).isEqualTo("treeHead");
    assertThat(records.subList(2, 102)).containsOnly("entry");
    assertThat(records.get(102)).isEqualTo("consistency");
    assertThat(AuditExport.parse(lines)).isEqualTo(export100);
    assertThat(verifier.verify(AuditExport.parse(lines)).ok()).isTrue();
    // A version 1 document (one JSON object) is still read.
    assertThat(AuditExport.parse(export100.encodePrettily())).isEqualTo(export100);
  }

  @Test
  void jsonLinesLayoutErrorsNameTheLine() {
    String lines = AuditExport.toJsonLines(export100);
    List<String> split = new java.util.ArrayList<>(lines.lines().toList());
    split.set(5, "{\"record\":\"header\",\"format\":\"socle-audit-export/2\",\"from\":0,\"to\":1}");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> AuditExport.parse(String.join("\n", split))))
        .hasMessage("line 6: record is header, want a single header, on line 1");
    split.set(5, "not json");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> AuditExport.parse(String.join("\n", split))))
        .hasMessageStartingWith("line 6 is not a JSON object");
  }

  @Test
  void aForgedEarlierHeadIsNamed() {
    JsonObject tampered = export100.copy();
    JsonObject item = tampered.getJsonArray("consistency").getJsonObject(0);
    String jws = item.getString("treeHead");
    int dot = jws.lastIndexOf('.');
    char c = jws.charAt(dot + 5);
    item.put("treeHead", jws.substring(0, dot + 5) + (c == 'A' ? 'B' : 'A') + jws.substring(dot + 6));
    Check failure = failure(tampered);
    assertThat(failure.name()).isEqualTo("earlier heads");
    assertThat(failure.message()).startsWith("tree head of size 60: ");
  }

  @Test
  void anEarlierHeadFiledUnderAnotherSizeIsNamed() {
    JsonObject tampered = export100.copy();
    tampered.getJsonArray("consistency").getJsonObject(0).put("size", 59);
    Check failure = failure(tampered);
    assertThat(failure.name()).isEqualTo("earlier heads");
    assertThat(failure.message()).isEqualTo("consistency item 0 is filed under size 59 but its signed head covers 60");
  }

  @Test
  void missingConsistencyProofIsNamed() {
    JsonObject tampered = export100.copy().put("consistency", new JsonArray());
    assertThat(verifier.verify(tampered, export60).failure()).isEqualTo(new Check("consistency",
        Reason.MISSING_PROOF, "export holds no consistency proof from tree size 60"));
  }

  @Test
  void partialExportIsCheckedThroughInclusionProofs() {
    AuditReport report = verifier.verify(partial);
    assertThat(report.ok()).as(report.toString()).isTrue();
    assertThat(report.checks()).extracting(Check::line).contains(
        "ok   inclusion: 20 inclusion proofs lead to the signed root");

    JsonObject tampered = partial.copy();
    JsonArray proof = entries(tampered).getJsonObject(2).getJsonArray("inclusion");
    byte[] first = Merkle.decodeHash(proof.getString(0));
    first[3] ^= 1;
    proof.set(0, Merkle.encodeHash(first));
    Check failure = failure(tampered);
    assertThat(failure.failure()).isEqualTo(Reason.ROOT_MISMATCH);
    assertThat(failure.message()).startsWith("entry 12: inclusion proof does not verify: root mismatch (want: "
        + Merkle.encodeHash(head100.root()) + ", got: ");
  }

  @Test
  void unexpectedFieldsAreRefused() {
    assertThat(failure(export100.copy().put("note", "trust me"))).isEqualTo(
        new Check("export", Reason.MALFORMED, "unexpected field 'note'"));
    JsonObject tampered = export100.copy();
    entries(tampered).getJsonObject(3).put("comment", "x");
    assertThat(failure(tampered)).isEqualTo(
        new Check("entries", Reason.MALFORMED, "entry at position 3: unexpected field 'comment'"));
  }

  private Check failure(JsonObject export) {
    AuditReport report = verifier.verify(export);
    assertThat(report.ok()).as("tampered export accepted").isFalse();
    return report.failure();
  }

  private static void flip(JsonObject payload, String field) {
    payload.put(field, !payload.getBoolean(field));
  }

  private static JsonArray entries(JsonObject export) {
    return export.getJsonArray("entries");
  }

  private static String recompute(JsonObject exported) {
    JsonObject content = exported.copy();
    content.remove("leafHash");
    content.remove("inclusion");
    return Merkle.encodeHash(AuditEntry.fromJson(content).leafHash());
  }
}
