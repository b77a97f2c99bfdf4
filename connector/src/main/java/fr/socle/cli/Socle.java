package fr.socle.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code socle} command. */
@Command(name = "socle", mixinStandardHelpOptions = true, version = "socle 0.1.0",
    description = "Sovereign data-space connector for French territories.",
    subcommands = {NodeCommand.class})
public final class Socle {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Socle()).execute(args));
  }
}
