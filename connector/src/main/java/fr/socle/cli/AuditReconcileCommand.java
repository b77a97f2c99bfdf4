package fr.socle.cli;

import fr.socle.audit.Reconciliation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code socle audit reconcile}: the node's decisions against OPA's own record of them, from an
 * export (see {@link Reconciliation}). Run {@code socle audit verify} on the export first: this
 * command reads entries, it does not check them.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
    description = {"Match the node's decisions with OPA's decision log (by OPA decision id) in an export,",
        "and list decisions missing or different on either side."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:consistent (decisions only OPA lacks are listed, not failed: OPA may drop events)",
        "1:a decision is missing on the node or differs, or the file is unreadable", "2:invalid usage"})
final class AuditReconcileCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--export", required = true, paramLabel = "FILE", description = "Audit export (JSON Lines).")
  Path export;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      JsonObject doc = AuditCommand.readExport("export", export);
      JsonObject report = Reconciliation.of(doc.getJsonArray("entries", new JsonArray()));
      if (json) {
        out.println(report.encodePrettily());
      } else {
        out.println((report.getBoolean("consistent") ? "ok   " : "FAIL ") + "reconciliation: "
            + report.getInteger("nodeDecisions") + " node decisions, " + report.getInteger("opaDecisions")
            + " OPA decisions, " + report.getInteger("matched") + " matched");
        list(out, "missing on the node", report.getJsonArray("missingOnNode"));
        list(out, "different", report.getJsonArray("different"));
        list(out, "missing in OPA's log", report.getJsonArray("missingInOpa"));
        list(out, "denied by the node (fail closed, not an inconsistency)", report.getJsonArray("deniedByNode"));
        if (report.getInteger("nodeDecisionsWithoutId") > 0) {
          out.println("     " + report.getInteger("nodeDecisionsWithoutId")
              + " node decisions taken without OPA (no decision id) cannot be matched");
        }
      }
      out.flush();
      return report.getBoolean("consistent") ? 0 : 1;
    } catch (AuditCommand.UnreadableInput e) {
      out.println("FAIL " + e.getMessage());
      out.flush();
      return 1;
    }
  }

  private static void list(PrintWriter out, String what, JsonArray items) {
    for (Object o : items) {
      JsonObject item = (JsonObject) o;
      out.println("     " + what + ": decision " + item.getString("decisionId")
          + (item.containsKey("fields") ? " (node entry " + item.getValue("nodeSeq") + ", OPA entry "
              + item.getValue("opaSeq") + "): " + String.join(", ", item.getJsonArray("fields").stream()
              .map(String::valueOf).toList())
          : " (entry " + item.getValue("seq") + ", " + item.getValue("scope") + ", allow " + item.getValue("allow")
              + ")"));
    }
  }
}
