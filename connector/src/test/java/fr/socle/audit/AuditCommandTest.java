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
    assertThat(lines()).hasSize(6).allSatisfy(line -> assertThat(line).startsWith("ok   "));
    assertThat(lines().get(0)).isEqualTo("ok   export: socle-audit-export/2, entries [0, 15)");
    assertThat(lines().get(5))
        .isEqualTo("ok   earlier heads: 1 earlier signed heads verify and the latest head extends each of them");
    // The same trust flag as socle agreement verify.
    assertThat(run("verify", "--export", export15.toString(), "--trust", rootCa.toString(), AT)).isZero();
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
    assertThat(lines()).hasSize(8).last()
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
    List<JsonObject> entries = new ArrayList<>();
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      AuditEntry entry = new AuditEntry(i, T0.plusSeconds(i), AuditType.DATA_ACCESS, "asset-" + (i % 4),
          new JsonObject().put("bytes", 1000 * i).put("agreement", "agreement-" + i));
      entries.add(entry.toJson().put("leafHash", Merkle.encodeHash(entry.leafHash())));
      leaves.add(entry.leafHash());
    }
    MerkleTree tree = new MerkleTree(leaves, size);
    SignedTreeHead head = pki.signer().sign(size, tree.root(), T0.plusSeconds(size));
    List<SignedTreeHead> heads = earlierHeads.stream()
        .map(m -> pki.signer().sign(m, new MerkleTree(leaves, m.intValue()).root(), T0.plusSeconds(m))).toList();
    return AuditExport.build(0, size, head, entries, tree, heads);
  }
}
