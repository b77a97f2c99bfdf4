package fr.socle.cli;

import fr.socle.audit.AuditedDecisions;
import fr.socle.audit.PolicyBundleArchive;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code socle audit replay}: re-evaluates one recorded decision offline with {@code opa eval}, on the
 * recorded input and the kept bundle of the recorded revision, and says whether the result matches.
 *
 * <p>Ordered checks, each its own line: the entry is an OPA decision with its input; the input still
 * hashes to the recorded digest; a bundle of the recorded revision is found; its signature verifies
 * with the federation's policy-signing key ({@code opa build --verification-key}, since {@code opa
 * eval} verifies nothing); then the evaluation, compared on {@code allow} and the reason codes. The
 * export itself is checked by {@code socle audit verify}, which should run first.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Re-evaluate a recorded decision with opa eval against the signed bundle of its",
        "recorded revision, and say whether the result matches."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:the replayed result matches the record", "1:mismatch, or a check failed", "2:invalid usage"})
final class AuditReplayCommand implements Callable<Integer> {

  static final String KEY_ID = "socle-policy-signing";
  private static final long OPA_TIMEOUT_SECONDS = 120;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SEQ", description = "Seq of the DECISION entry to replay.")
  long seq;

  @Option(names = "--export", required = true, paramLabel = "FILE", description = "Audit export holding the entry.")
  Path export;

  @Option(names = "--bundles", required = true, paramLabel = "DIR|FILE",
      description = "Kept bundles (a node's <dataDir>/bundles), searched by revision; or one bundle file.")
  Path bundles;

  @Option(names = "--policy-key", required = true, paramLabel = "PEM",
      description = "Federation policy-signing public key the bundle must verify with.")
  Path policyKey;

  @Option(names = "--opa", paramLabel = "PATH", defaultValue = "opa", description = "OPA binary (default: ${DEFAULT-VALUE}).")
  String opa;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      boolean ok = replay(out);
      out.flush();
      return ok ? 0 : 1;
    } catch (AuditCommand.UnreadableInput | Failed e) {
      out.println("FAIL " + e.getMessage());
      out.flush();
      return 1;
    }
  }

  private boolean replay(PrintWriter out) {
    JsonObject entry = findEntry(AuditCommand.readExport("export", export));
    JsonObject payload = entry.getJsonObject("payload");
    // Recorded as bundle@revision (PolicyEngine); Socle's OPA runs the one bundle "socle".
    String recorded = payload.getString("bundleRevision");
    String revision = recorded != null && recorded.startsWith("socle@") && !recorded.contains(",")
        ? recorded.substring("socle@".length()) : null;
    String scope = payload.getString("scope");
    if (!"DECISION".equals(entry.getString("type")) || !(payload.getValue("input") instanceof JsonObject input)
        || revision == null || scope == null || !scope.matches("[a-z]{1,40}")) {
      throw new Failed("entry " + seq + " is not a decision OPA took (want type DECISION with an input, a scope "
          + "and one bundle revision socle@..., got type " + entry.getString("type") + ", revision " + recorded + ")");
    }
    String digest = AuditedDecisions.inputDigest(input);
    if (!digest.equals(payload.getString("inputDigest"))) {
      throw new Failed("entry " + seq + ": input digest mismatch (want: " + payload.getString("inputDigest")
          + ", got: " + digest + ")");
    }
    out.println("ok   entry " + seq + ": " + scope + " decision " + payload.getString("decisionId")
        + ", recorded allow=" + payload.getValue("allow") + " " + codes(payload.getJsonArray("reasons"))
        + ", input digest matches");

    Path bundle;
    PolicyBundleArchive.Manifest manifest;
    try {
      bundle = PolicyBundleArchive.find(bundles, revision);
      if (bundle == null) {
        throw new Failed("no kept bundle of revision " + revision + " in " + bundles);
      }
      manifest = PolicyBundleArchive.manifest(Files.readAllBytes(bundle));
    } catch (IOException e) {
      throw new Failed("bundles: " + e.getMessage());
    }
    if (!revision.equals(manifest.revision())) {
      throw new Failed("bundle " + bundle + " is at revision " + manifest.revision() + ", the decision was taken at "
          + revision);
    }
    if (!manifest.signed()) {
      throw new Failed("bundle " + bundle + " carries no signature");
    }
    Path work;
    try {
      work = Files.createTempDirectory("socle-replay");
    } catch (IOException e) {
      throw new Failed("cannot create a temporary directory: " + e.getMessage());
    }
    try {
      run(List.of(opa, "build", "--bundle", bundle.toString(), "--verification-key", policyKey.toString(),
          "--verification-key-id", KEY_ID, "--signing-alg", "ES256", "--output",
          work.resolve("verified.tar.gz").toString()), null, "the bundle's signature does not verify with "
          + policyKey);
      out.println("ok   bundle: " + bundle.getFileName() + ", revision " + revision + ", signature verified");

      String result = run(List.of(opa, "eval", "--bundle", bundle.toString(), "--format", "json", "--stdin-input",
          "data.socle.decision." + scope), input.encode(), "opa eval failed");
      JsonObject value = value(result);
      boolean allow = value != null && Boolean.TRUE.equals(value.getValue("allow"));
      JsonArray replayedCodes = value == null ? new JsonArray() : codes(value.getJsonArray("reasons", new JsonArray()));
      JsonArray recordedCodes = codes(payload.getJsonArray("reasons", new JsonArray()));
      boolean match = allow == Boolean.TRUE.equals(payload.getValue("allow")) && replayedCodes.equals(recordedCodes);
      out.println((match ? "ok   replay: MATCH" : "FAIL replay: MISMATCH") + " (recorded: allow=" + payload.getValue("allow")
          + " " + recordedCodes.encode() + ", replayed: allow=" + allow + " " + replayedCodes.encode() + ")");
      return match;
    } finally {
      deleteQuietly(work);
    }
  }

  private JsonObject findEntry(JsonObject doc) {
    for (Object o : doc.getJsonArray("entries", new JsonArray())) {
      if (o instanceof JsonObject e && e.getValue("seq") instanceof Number n && n.longValue() == seq
          && e.getValue("payload") instanceof JsonObject) {
        return e;
      }
    }
    throw new Failed("the export holds no entry " + seq);
  }

  /** The value of {@code opa eval}'s first expression, or null when undefined (a denial, as on the node). */
  private static JsonObject value(String evalOutput) {
    try {
      JsonObject json = new JsonObject(evalOutput);
      JsonArray result = json.getJsonArray("result");
      if (result == null || result.isEmpty()) {
        return null;
      }
      Object value = result.getJsonObject(0).getJsonArray("expressions").getJsonObject(0).getValue("value");
      return value instanceof JsonObject o ? o : null;
    } catch (DecodeException | ClassCastException | NullPointerException | IndexOutOfBoundsException e) {
      throw new Failed("cannot read opa eval's output: " + e.getMessage());
    }
  }

  private static JsonArray codes(JsonArray reasons) {
    JsonArray codes = new JsonArray();
    if (reasons != null) {
      reasons.forEach(r -> codes.add(r instanceof JsonObject o ? o.getValue("code") : r));
    }
    return codes;
  }

  private static String run(List<String> command, String stdin, String failure) {
    try {
      Path output = Files.createTempFile("socle-replay", ".out");
      try {
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        try (var in = process.getOutputStream()) {
          if (stdin != null) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
          }
        }
        if (!process.waitFor(OPA_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new Failed(failure + ": no answer within " + OPA_TIMEOUT_SECONDS + " s");
        }
        String text = Files.readString(output);
        if (process.exitValue() != 0) {
          throw new Failed(failure + ": " + text.strip());
        }
        return text;
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new Failed(failure + ": cannot run " + command.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failed(failure + ": interrupted");
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }

  private static final class Failed extends RuntimeException {
    Failed(String message) {
      super(message, null, false, false);
    }
  }
}
