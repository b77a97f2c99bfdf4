package fr.socle.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code socle} command; each concern brings its own subcommand. */
@Command(name = "socle", mixinStandardHelpOptions = true, version = "socle 0.1.0-SNAPSHOT",
    description = "Sovereign data-space connector for French territories.",
    subcommands = {NodeCommand.class, CertsCommand.class, AuditCommand.class, AgreementCommand.class,
        FetchCommand.class})
public final class Socle {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Socle()).execute(args));
  }
}
