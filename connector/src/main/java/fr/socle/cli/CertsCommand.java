package fr.socle.cli;

import fr.socle.trust.FederationPki;
import fr.socle.trust.NodeRequest;
import fr.socle.trust.Reason;
import fr.socle.trust.Serials;
import fr.socle.trust.TrustException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code socle certs}: runs the federation PKI ({@link FederationPki}) from the command line.
 *
 * <p>Exit codes: 0 on success, 2 when the input is wrong (picocli's usage errors, and values such as a
 * SIREN or an IP address that parse but are not valid), 1 when the operation fails (missing file,
 * existing federation, wrong passphrase). Failures print one line on stderr and no stack trace: the
 * message names the file or value at fault.
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Manage a federation PKI: CAs, node certificates, revocation.",
        subcommands = {CertsCommand.InitFederation.class, CertsCommand.IssueNode.class, CertsCommand.Revoke.class,
            CertsCommand.Crl.class, CertsCommand.Inspect.class})
public final class CertsCommand {

    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    /** Runs one PKI operation and turns a {@link TrustException} into a one-line message and exit code. */
    abstract static class Operation implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        abstract void run(PrintWriter out);

        @Override
        public final Integer call() {
            try {
                run(spec.commandLine().getOut());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (TrustException e) {
                spec.commandLine().getErr().println("socle certs " + spec.name() + ": " + e.getMessage());
                return isUsage(e.reason()) ? EXIT_USAGE : EXIT_FAILURE;
            }
        }

        private static boolean isUsage(Reason reason) {
            return reason == Reason.INVALID_SIREN || reason == Reason.INVALID_ARGUMENT || reason == Reason.INVALID_VALIDITY;
        }
    }

    @Command(name = "init-federation", mixinStandardHelpOptions = true,
            description = "Create root CA, issuing CA, policy-signing key and an empty CRL in an empty directory.")
    static final class InitFederation extends Operation {

        @Option(names = "--dir", required = true, description = "Federation directory to create.")
        Path dir;

        @Option(names = "--name", defaultValue = "Federation Socle", description = "Federation name (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--days", defaultValue = "3650", description = "Validity of the CAs in days (default: ${DEFAULT-VALUE}).")
        int days;

        @Option(names = "--crl-days", defaultValue = "7", description = "Days until the CRL's nextUpdate (default: ${DEFAULT-VALUE}).")
        int crlDays;

        @Override
        void run(PrintWriter out) {
            new FederationPki().initFederation(dir, name, days(days, "--days"), days(crlDays, "--crl-days"));
            out.println("federation '" + name + "' created in " + dir.toAbsolutePath());
        }
    }

    @Command(name = "issue-node", mixinStandardHelpOptions = true,
            description = "Issue a node key and certificate under nodes/<slug>/.")
    static final class IssueNode extends Operation {

        @Option(names = "--dir", required = true, description = "Federation directory.")
        Path dir;

        @Option(names = "--siren", required = true, description = "SIREN of the collectivité (9 digits, Luhn).")
        String siren;

        @Option(names = "--name", required = true, description = "Display name, used as CN and O (at most 64 characters).")
        String name;

        @Option(names = "--slug", description = "Directory name under nodes/ (default: derived from the name).")
        String slug;

        @Option(names = "--dns", description = "DNS name for the SAN; repeatable (default with no --ip: localhost).")
        List<String> dnsNames;

        @Option(names = "--ip", description = "IP address for the SAN; repeatable (default with no --dns: 127.0.0.1).")
        List<String> ipAddresses;

        @Option(names = "--days", defaultValue = "365", description = "Validity in days (default: ${DEFAULT-VALUE}).")
        int days;

        @Option(names = "--passphrase-file", description = "File whose first line encrypts node.key (PKCS#8, AES-256).")
        Path passphraseFile;

        @Override
        void run(PrintWriter out) {
            NodeRequest request = NodeRequest.of(siren, name)
                    .withSlug(slug)
                    .withSubjectAltNames(dnsNames, ipAddresses)
                    .withValidity(days(days, "--days"))
                    .withPassphrase(passphraseFile == null ? null : readPassphrase(passphraseFile));
            FederationPki.IssuedNode node = new FederationPki().issueNode(dir, request);
            out.println("node '" + node.slug() + "' issued: participant " + node.participantId() + ", serial "
                    + Serials.format(node.certificate().getSerialNumber()) + ", in " + node.dir().toAbsolutePath());
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a node certificate and publish the new CRL.")
    static final class Revoke extends Operation {

        @Option(names = "--dir", required = true, description = "Federation directory.")
        Path dir;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--serial", required = true, description = "Serial number in hex.")
            String serial;

            @Option(names = "--node", required = true, description = "Slug of a node under nodes/.")
            String node;
        }

        @Option(names = "--reason", defaultValue = "unspecified",
                description = "unspecified, keyCompromise, caCompromise, affiliationChanged, superseded, "
                        + "cessationOfOperation or privilegeWithdrawn (default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        void run(PrintWriter out) {
            CRLReason crlReason = FederationPki.parseRevocationReason(reason);
            FederationPki pki = new FederationPki();
            FederationPki.Revocation revocation = target.node != null
                    ? pki.revokeNode(dir, target.node, crlReason)
                    : pki.revoke(dir, Serials.parse(target.serial), crlReason);
            out.println("revoked serial " + Serials.format(revocation.serial())
                    + revocation.slug().map(s -> " (node '" + s + "')").orElse(" (no node directory holds it)")
                    + "; CRL number " + FederationPki.crlNumber(revocation.crl()) + " published");
        }
    }

    @Command(name = "crl", mixinStandardHelpOptions = true,
            description = "Re-sign and publish the CRL with a fresh thisUpdate and the next CRL number.")
    static final class Crl extends Operation {

        @Option(names = "--dir", required = true, description = "Federation directory.")
        Path dir;

        @Option(names = "--next-update-days", description = "Days until nextUpdate (default: the current CRL's period).")
        Integer nextUpdateDays;

        @Override
        void run(PrintWriter out) {
            FederationPki pki = new FederationPki();
            X509CRL crl = nextUpdateDays == null ? pki.publishCrl(dir) : pki.publishCrl(dir, days(nextUpdateDays, "--next-update-days"));
            out.println("CRL number " + FederationPki.crlNumber(crl) + " published, next update "
                    + crl.getNextUpdate().toInstant());
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Describe a certificate, chain, CRL or key file.")
    static final class Inspect extends Operation {

        @Parameters(paramLabel = "FILE", description = "PEM file to describe.")
        Path file;

        @Override
        void run(PrintWriter out) {
            out.print(FederationPki.inspect(file));
        }
    }

    private static Duration days(int days, String option) {
        if (days <= 0) {
            throw new TrustException(Reason.INVALID_VALIDITY, option + " must be a positive number of days, got " + days);
        }
        return Duration.ofDays(days);
    }

    /** The file's first line; a trailing newline is what editors add and must not become part of it. */
    private static char[] readPassphrase(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TrustException(Reason.MISSING_FILE, "missing passphrase file: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new TrustException(Reason.IO_ERROR, "cannot read passphrase file " + file.toAbsolutePath() + ": " + e);
        }
        String line = text.lines().findFirst().orElse("");
        if (line.isEmpty()) {
            throw new TrustException(Reason.INVALID_ARGUMENT, "passphrase file " + file.toAbsolutePath() + " is empty");
        }
        return line.toCharArray();
    }
}
