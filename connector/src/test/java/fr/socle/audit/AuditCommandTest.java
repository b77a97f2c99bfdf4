package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.cli.AuditCommand;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code socle audit verify} end to end on files, with exports built in memory from a 15-entry log. */
class AuditCommandTest {

  private static final Instant T0 = Instant.parse("2026-01-01T08:00:00Z");
  private static final String AT = "--at=" + TestPki.VALID_AT;

  @TempDir
  Path dir;
  private final TestPki pki = TestPki.create("Command test");
  private Path rootCa;
  private Path export12;
  private Path export15;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void writeFiles() throws IOException {
    rootCa = Files.writeString(dir.resolve("root-ca.pem"), pki.rootPem());
    export12 = write("export-12.json", export(12, List.of()));
    export15 = write("export-15.json", export(15, List.of(12L)));
  }

  @Test
  void anIntactExportPassesEveryCheck() {
    assertThat(run("verify", "--export", export15.toString(), "--root-ca", rootCa.toString(), AT)).isZero();
    assertThat(lines()).hasSize(7).allSatisfy(line -> assertThat(line).startsWith("ok   "));
    assertThat(lines().get(0)).isEqualTo("ok   export: socle-audit-export/2, entries [0, 15)");
    assertThat(lines().get(5))
        .isEqualTo("ok   earlier heads: 1 earlier signed heads verify and the latest head extends each of them");
    assertThat(lines().get(6)).isEqualTo("ok   unsigned: aucune entrée hors de la tête d'arbre signée (taille 15)"
        + " / no entry beyond the signed tree head (size 15)");
    // The same trust flag as socle agreement verify.
    assertThat(run("verify", "--export", export15.toString(), "--trust", rootCa.toString(), AT)).isZero();
  }

  /**
   * A node killed after appending entries but before signing a head over them leaves a tail no
   * signature covers: verify passes on the signed part, and says how many entries are unsigned, and
   * which, rather than passing silently over them.
   */
  @Test
  void entriesAfterTheLastSignedHeadAreReportedAsUnsignedAndStillPass() throws IOException {
    Path export = write("tail.jsonl", export(15, 12, List.of()));

    assertThat(run("verify", "--export", export.toString(), "--root-ca", rootCa.toString(), AT)).isZero();

    assertThat(lines()).contains("ok   range: [0, 12) lies within the tree of size 12; [12, 15) lies beyond it",
        "ok   root: the 12 entries hash to the signed root");
    assertThat(lines()).last().isEqualTo("warn unsigned: 3 entrée(s) [12, 15) après la dernière tête d'arbre signée"
        + " (taille 12) : aucune signature ne les couvre encore / 3 entries [12, 15) after the last signed tree head"
        + " (size 12): no signature covers them yet");
  }

  @Test
  void requireSignedFailsOnUnsignedEntries() throws IOException {
    Path export = write("tail.jsonl", export(15, 12, List.of()));

    assertThat(run("verify", "--export", export.toString(), "--root-ca", rootCa.toString(), AT, "--require-signed"))
        .isEqualTo(1);

    assertThat(lines()).last().asString().startsWith("FAIL unsigned: 3 entrée(s) [12, 15) après la dernière tête")
        .contains("/ 3 entries [12, 15) after the last signed tree head (size 12)");
    out.getBuffer().setLength(0);
    assertThat(run("verify", "--export", export15.toString(), "--root-ca", rootCa.toString(), AT, "--require-signed"))
        .as("a fully signed export").isZero();
  }

  @Test
  void aPartialExportReportsItsUnsignedTailToo() throws IOException {
    JsonObject whole = export(15, 12, List.of());
    // Entries [10, 15): two under the head of size 12, with inclusion proofs, three beyond it.
    List<byte[]> leaves = whole.getJsonArray("entries").stream()
        .map(e -> Merkle.decodeHash(((JsonObject) e).getString("leafHash"))).toList();
    MerkleTree tree = new MerkleTree(leaves, 12);
    List<JsonObject> tail = whole.getJsonArray("entries").stream().skip(10).map(e -> ((JsonObject) e).copy()).toList();
    SignedTreeHead head = pki.signer().sign(12, tree.root(), T0.plusSeconds(12));
    Path export = write("partial.jsonl", AuditExport.build(10, 15, head, new ArrayList<>(tail), tree, List.of()));

    assertThat(run("verify", "--export", export.toString(), "--root-ca", rootCa.toString(), AT)).isZero();

    assertThat(lines()).contains("ok   inclusion: 2 inclusion proofs lead to the signed root");
    assertThat(lines()).last().asString().startsWith("warn unsigned: 3 entrée(s) [12, 15)");
  }

  @Test
  void theJsonReportCarriesTheUnsignedEntries() throws IOException {
    Path export = write("tail.jsonl", export(15, 12, List.of()));

    assertThat(run("verify", "--export", export.toString(), "--root-ca", rootCa.toString(), AT, "--json")).isZero();

    JsonObject report = new JsonObject(out.toString());
    assertThat(report.getBoolean("ok")).isTrue();
    assertThat(report.getJsonObject("unsigned")).isEqualTo(new JsonObject().put("count", 3L).put("from", 12L)
        .put("to", 15L).put("signedSize", 12L));
    JsonObject last = report.getJsonArray("checks").getJsonObject(report.getJsonArray("checks").size() - 1);
    assertThat(last.getString("name")).isEqualTo("unsigned");
    assertThat(last.getString("status")).isEqualTo("warn");

    out.getBuffer().setLength(0);
    assertThat(run("verify", "--export", export.toString(), "--root-ca", rootCa.toString(), AT, "--json",
        "--require-signed")).isEqualTo(1);
    JsonObject failed = new JsonObject(out.toString());
    assertThat(failed.getBoolean("ok")).isFalse();
    assertThat(failed.getJsonObject("unsigned").getLong("count")).isEqualTo(3L);
    assertThat(failed.getJsonArray("checks").getJsonObject(failed.getJsonArray("checks").size() - 1)
        .getString("reason")).isEqualTo("beyond_tree_head");
  }

  /** Unsigned entries are still hashed: altering one is caught, signed or not. */
  @Test
  void anAlteredUnsignedEntryStillFails() throws IOException {
    JsonObject export = export(15, 12, List.of());
    export.getJsonArray("entries").getJsonObject(13).getJsonObject("payload").put("bytes", 1);

    assertThat(run("verify", "--export", write("tampered.jsonl", export).toString(), "--root-ca", rootCa.toString(),
        AT)).isEqualTo(1);

    assertThat(lines()).last().asString().startsWith("FAIL entries: entry 13: leaf hash mismatch");
  }

  @Test
  void anAlteredEntryFailsWithItsNumberAndBothHashes() throws IOException {
    JsonObject export = export(15, List.of(12L));
    JsonObject entry = export.getJsonArray("entries").getJsonObject(3);
    String recorded = entry.getString("leafHash");
    entry.getJsonObject("payload").put("bytes", 1);
    JsonObject content = entry.copy();
    content.remove("leafHash");
    String recomputed = Merkle.encodeHash(AuditEntry.fromJson(content).leafHash());

    int exit = run("verify", "--export", write("tampered.json", export).toString(), "--root-ca", rootCa.toString(), AT);

    assertThat(exit).isEqualTo(1);
    assertThat(lines()).last().isEqualTo(
        "FAIL entries: entry 3: leaf hash mismatch (want: " + recorded + ", got: " + recomputed + ")");
  }

  @Test
  void aNewerExportIsCheckedAgainstAnEarlierOne() {
    assertThat(run("verify", "--export", export15.toString(), "--previous", export12.toString(),
        "--root-ca", rootCa.toString(), AT)).isZero();
    assertThat(lines()).hasSize(9).element(7)
        .isEqualTo("ok   consistency: the tree of size 15 extends the previous tree of size 12");
  }

  @Test
  void exportsGivenInTheWrongOrderShowATreeThatShrank() {
    assertThat(run("verify", "--export", export12.toString(), "--previous", export15.toString(),
        "--root-ca", rootCa.toString(), AT)).isEqualTo(1);
    assertThat(lines()).last().isEqualTo("FAIL consistency: tree size 12 is smaller than previous 15");
  }

  @Test
  void anotherFederationsRootIsNotTrusted() throws IOException {
    Path otherRoot = Files.writeString(dir.resolve("other.pem"), TestPki.create("Other").rootPem());
    assertThat(run("verify", "--export", export15.toString(), "--root-ca", otherRoot.toString(), AT)).isEqualTo(1);
    assertThat(lines()).last().asString().startsWith("FAIL tree head: x5c does not chain to root CN=Other Root CA: ");
  }

  @Test
  void certificatesAreValidatedAtTheGivenTime() {
    assertThat(run("verify", "--export", export15.toString(), "--root-ca", rootCa.toString(),
        "--at=2040-01-01T00:00:00Z")).isEqualTo(1);
    assertThat(lines()).last().asString().startsWith("FAIL tree head: x5c does not chain to root");
  }

  @Test
  void unreadableInputIsAFailureNotAUsageError() {
    assertThat(run("verify", "--export", dir.resolve("missing.json").toString(), "--root-ca", rootCa.toString())).isEqualTo(1);
    assertThat(lines()).containsExactly("FAIL export: cannot read an audit export from " + dir.resolve("missing.json")
        + ": " + dir.resolve("missing.json"));
  }

  @Test
  void theRootCertificateIsRequired() {
    assertThat(run("verify", "--export", export15.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--root-ca=FILE'");
  }

  private int run(String... args) {
    return new CommandLine(new AuditCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
  }

  private List<String> lines() {
    return out.toString().lines().toList();
  }

  private Path write(String name, JsonObject export) throws IOException {
    return Files.writeString(dir.resolve(name), AuditExport.toJsonLines(export));
  }

  /** The export of a log's first {@code size} entries, signed by this test's node, as AuditLog writes it. */
  private JsonObject export(int size, List<Long> earlierHeads) {
    return export(size, size, earlierHeads);
  }

  /** As {@link #export(int, List)}, with the latest head at {@code signed <= size}: the rest is unsigned. */
  private JsonObject export(int size, int signed, List<Long> earlierHeads) {
    List<JsonObject> entries = new ArrayList<>();
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      AuditEntry entry = new AuditEntry(i, T0.plusSeconds(i), AuditType.DATA_ACCESS, "asset-" + (i % 4),
          new JsonObject().put("bytes", 1000 * i).put("agreement", "agreement-" + i));
      entries.add(entry.toJson().put("leafHash", Merkle.encodeHash(entry.leafHash())));
      leaves.add(entry.leafHash());
    }
    MerkleTree tree = new MerkleTree(leaves, signed);
    SignedTreeHead head = pki.signer().sign(signed, tree.root(), T0.plusSeconds(signed));
    List<SignedTreeHead> heads = earlierHeads.stream()
        .map(m -> pki.signer().sign(m, new MerkleTree(leaves, m.intValue()).root(), T0.plusSeconds(m))).toList();
    return AuditExport.build(0, size, head, entries, tree, heads);
  }
}
