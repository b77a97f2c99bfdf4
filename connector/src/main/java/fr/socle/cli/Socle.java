package fr.socle.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code socle} command; each concern brings its own subcommand. */
@Command(name = "socle", mixinStandardHelpOptions = true, version = "socle 0.1.0-SNAPSHOT",
        description = "Socle data-space connector.",
        subcommands = {CertsCommand.class})
public final class Socle {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Socle()).execute(args));
    }
}
