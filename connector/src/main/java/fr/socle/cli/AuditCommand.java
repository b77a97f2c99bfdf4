package fr.socle.cli;

import fr.socle.agreement.AgreementVerifier;
import fr.socle.audit.AuditExport;
import fr.socle.audit.AuditReport;
import fr.socle.audit.AuditVerifier;
import fr.socle.audit.Reason;
import fr.socle.audit.TreeHeadVerifier;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code socle audit}: offline tools for auditors, which need no node and no database. Standalone, so
 * that {@code Socle} registers it with one {@code subcommands} entry.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Offline checks of a node's audit trail.",
    subcommands = {AuditCommand.Verify.class, AuditShowCommand.class, AuditReplayCommand.class,
        AuditReconcileCommand.class})
public final class AuditCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: verify, show, replay or reconcile");
  }

  /**
   * {@code socle audit verify}: prints one line per check and exits 0 when all hold, 1 otherwise.
   * The root CA is required even with {@code --previous}: comparing two tree heads whose signatures
   * were not checked would prove nothing about the node.
   */
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {
          "Verify an audit export: leaf hashes, Merkle root, tree head signature and chain,",
          "the signatures of the agreements it records,",
          "and with --previous that the log only grew since an earlier export.",
          "Entries after the last signed tree head are reported as unsigned (warn);",
          "they fail the check only with --require-signed."},
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {"0:every check holds (unsigned entries are reported, not failed, without --require-signed)",
          "1:a check failed or a file is unreadable", "2:invalid usage"})
  static final class Verify implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--export", required = true, paramLabel = "FILE",
        description = "Export to verify (JSON Lines, or the single JSON document of earlier versions).")
    Path export;

    @Option(names = {"--root-ca", "--trust"}, required = true, paramLabel = "FILE",
        description = "Federation root certificate (PEM or DER), the only thing trusted.")
    Path rootCa;

    @Option(names = "--previous", paramLabel = "FILE",
        description = "Earlier export of the same log: check the new tree head is consistent with its head.")
    Path previous;

    @Option(names = "--at", paramLabel = "TIME",
        description = "Validate certificates at this RFC 3339 time instead of now (for heads signed "
            + "with certificates that have since expired).")
    String at;

    @Option(names = "--require-signed",
        description = "Fail when entries lie after the last signed tree head (by default they are reported "
            + "as unsigned and the export passes).")
    boolean requireSigned;

    @Option(names = "--json", description = "Print the report as one JSON object instead of lines.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        Clock clock = OfflineCheck.clockAt(spec, at);
        X509Certificate root = rootCertificate(rootCa);
        AuditVerifier verifier = new AuditVerifier(new TreeHeadVerifier(root, clock),
            AgreementVerifier.offline(root, clock));
        JsonObject newer = readExport("export", export);
        JsonObject older = previous == null ? null : readExport("previous export", previous);
        AuditReport report = verifier.verify(newer, older, requireSigned);
        if (json) {
          out.println(report.toJson().encodePrettily());
        } else {
          report.checks().forEach(check -> out.println(check.line()));
        }
        out.flush();
        return report.ok() ? 0 : 1;
      } catch (UnreadableInput e) {
        out.println(json ? new AuditReport(List.of(new AuditReport.Check("input", Reason.MALFORMED,
            e.getMessage()))).toJson().encodePrettily() : "FAIL " + e.getMessage());
        out.flush();
        return 1;
      }
    }

    private static X509Certificate rootCertificate(Path file) {
      try {
        return OfflineCheck.rootCertificate(file);
      } catch (IOException | GeneralSecurityException e) {
        throw new UnreadableInput("root CA: cannot read a certificate from " + file + ": " + e.getMessage());
      }
    }
  }

  /** An export file, JSON Lines or the older single JSON document, as one object (see AuditExport). */
  static JsonObject readExport(String what, Path file) {
    try {
      return AuditExport.parse(Files.readString(file));
    } catch (IOException | IllegalArgumentException e) {
      throw new UnreadableInput(what + ": cannot read an audit export from " + file + ": " + e.getMessage());
    }
  }

  static final class UnreadableInput extends RuntimeException {
    UnreadableInput(String message) {
      super(message, null, false, false);
    }
  }
}
