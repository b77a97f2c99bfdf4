package fr.socle.cli;

import fr.socle.agreement.AgreementSigner.Role;
import fr.socle.agreement.AgreementVerifier;
import fr.socle.agreement.SignatureCheck;
import fr.socle.trust.Participant;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code socle agreement}: offline checks of contract agreements, needing no node. */
@Command(name = "agreement", mixinStandardHelpOptions = true,
    description = "Offline checks of signed contract agreements.",
    subcommands = AgreementCommand.Verify.class)
public final class AgreementCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: verify");
  }

  /**
   * {@code socle agreement verify <file> --trust <root.pem>}: the file is what a node's
   * {@code GET /api/agreements/{id}} returns (the agreement and both signatures). Prints one line per
   * party; exits 0 only when both signatures are present and valid: an agreement the consumer never
   * countersigned is reported as such, never passed as signed.
   */
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Verify both signatures of an agreement (as GET /api/agreements/{id} returns it)",
          "with the federation root certificate alone."},
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {"0:both signatures hold", "1:a signature is missing or invalid, or a file is unreadable",
          "2:invalid usage"})
  static final class Verify implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Agreement document (JSON).")
    Path file;

    @Option(names = "--trust", required = true, paramLabel = "ROOT",
        description = "Federation root certificate (PEM or DER).")
    Path root;

    @Option(names = "--at", paramLabel = "TIME",
        description = "Validate certificates at this RFC 3339 time instead of now (for agreements signed "
            + "with certificates that have since expired).")
    String at;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      X509Certificate rootCertificate;
      JsonObject document;
      try {
        rootCertificate = OfflineCheck.rootCertificate(root);
        document = new JsonObject(Files.readString(file));
      } catch (IOException | DecodeException | ClassCastException | GeneralSecurityException e) {
        out.println("FAIL input: " + e.getMessage());
        out.flush();
        return 1;
      }
      Clock clock = OfflineCheck.clockAt(spec, at);
      AgreementVerifier verifier = AgreementVerifier.offline(rootCertificate, clock);
      boolean ok = true;
      if (!(document.getValue("agreement") instanceof JsonObject agreement)) {
        out.println("FAIL input: no 'agreement' object in " + file);
        out.flush();
        return 1;
      }
      JsonObject signatures = document.getValue("signatures") instanceof JsonObject s ? s : new JsonObject();
      for (Role role : Role.values()) {
        String line = check(verifier, agreement, signatures, role);
        ok &= line.startsWith("ok");
        out.println(line);
      }
      out.flush();
      return ok ? 0 : 1;
    }

    /** One report line for {@code role}'s signature; shared with the audit export check. */
    static String check(AgreementVerifier verifier, JsonObject agreement, JsonObject signatures, Role role) {
      String name = role.claim() + " signature";
      JsonObject side = signatures.getValue(role.claim()) instanceof JsonObject o ? o : new JsonObject();
      if (!(side.getValue("jws") instanceof String jws)) {
        return "FAIL " + name + ": absent (recorded state " + side.getValue("state", "none") + ")";
      }
      SignatureCheck result = verifier.verify(jws, agreement, role);
      if (result instanceof SignatureCheck.Invalid invalid) {
        return "FAIL " + name + ": " + invalid.summary();
      }
      SignatureCheck.Valid valid = (SignatureCheck.Valid) result;
      return "ok   " + name + ": " + valid.participant() + " (" + Participant.displayName(valid.certificate())
          + ") signed agreement " + agreement.getValue("@id") + " at " + valid.signedAt();
    }
  }
}
