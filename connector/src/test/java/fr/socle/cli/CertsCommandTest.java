package fr.socle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.trust.PemFiles;
import fr.socle.trust.TrustMaterial;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CertsCommandTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int socle(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cli = new CommandLine(new Socle());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void initIssueInspectEndToEnd() throws Exception {
        Path fed = tmp.resolve("fed");
        assertThat(socle("certs", "init-federation", "--dir", fed.toString(), "--name", "Fédération Socle (test)", "--days", "30"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("federation 'Fédération Socle (test)' created");
        assertThat(fed.resolve("root-ca.crt")).exists();
        assertThat(fed.resolve("policy-signing.pub.pem")).exists();

        assertThat(socle("certs", "issue-node", "--dir", fed.toString(), "--siren", "219900016",
                "--name", "Commune d'Esempiu (dev)", "--slug", "commune-esempiu", "--dns", "localhost", "--dns", "esempiu.test",
                "--ip", "127.0.0.1", "--days", "10")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("node 'commune-esempiu' issued: participant NTRFR-219900016");
        Path nodeDir = fed.resolve("nodes/commune-esempiu");
        X509Certificate leaf = PemFiles.readCertificates(nodeDir.resolve("node.crt")).get(0);
        assertThat(leaf.getSubjectAlternativeNames()).hasSize(3);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir.resolve("node.key")))).isEqualTo("rw-------");
        assertThat(TrustMaterial.load(nodeDir, fed).participant().id().value()).isEqualTo("NTRFR-219900016");

        assertThat(socle("certs", "inspect", nodeDir.resolve("node.crt").toString())).isZero();
        assertThat(out.toString()).contains("NTRFR-219900016 (Commune d'Esempiu (dev))", "DNS:esempiu.test");

        assertThat(socle("certs", "revoke", "--dir", fed.toString(), "--node", "commune-esempiu", "--reason", "superseded")).isZero();
        assertThat(out.toString()).contains("(node 'commune-esempiu'); CRL number 2 published");
        assertThat(socle("certs", "crl", "--dir", fed.toString(), "--next-update-days", "30")).isZero();
        assertThat(out.toString()).startsWith("CRL number 3 published");
        assertThat(socle("certs", "inspect", fed.resolve("federation.crl").toString())).isZero();
        assertThat(out.toString()).contains("CRL number:             3", "superseded");
    }

    @Test
    void passphraseFileEncryptsTheKey() throws Exception {
        Path fed = tmp.resolve("fed");
        socle("certs", "init-federation", "--dir", fed.toString());
        Path passphrase = tmp.resolve("pass");
        Files.writeString(passphrase, "correct horse\n");
        assertThat(socle("certs", "issue-node", "--dir", fed.toString(), "--siren", "239900038", "--name", "Région Exemple (dev)",
                "--passphrase-file", passphrase.toString())).as(err.toString()).isZero();
        Path nodeDir = fed.resolve("nodes/region-exemple-dev");
        assertThat(Files.readString(nodeDir.resolve("node.key"))).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        // the newline the editor added is not part of the passphrase
        assertThat(TrustMaterial.load(nodeDir, fed, "correct horse".toCharArray(), Clock.systemUTC())).isNotNull();
    }

    @Test
    void invalidValuesAreUsageErrorsOnOneLine() {
        Path fed = tmp.resolve("fed");
        socle("certs", "init-federation", "--dir", fed.toString());
        assertThat(socle("certs", "issue-node", "--dir", fed.toString(), "--siren", "123456788", "--name", "X")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("socle certs issue-node: SIREN 123456788 fails the Luhn checksum" + System.lineSeparator());
        assertThat(socle("certs", "issue-node", "--dir", fed.toString(), "--siren", "12345678", "--name", "X")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("socle certs issue-node: SIREN must be 9 digits, got 8: '12345678'" + System.lineSeparator());
        assertThat(socle("certs", "issue-node", "--dir", fed.toString(), "--siren", "219900016", "--name", "X", "--ip", "localhost"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("invalid IP address 'localhost'");
        assertThat(socle("certs", "issue-node", "--dir", fed.toString(), "--name", "X")).isEqualTo(2);
        assertThat(err.toString()).startsWith("Missing required option: '--siren=<siren>'");
        assertThat(socle("certs", "revoke", "--dir", fed.toString())).isEqualTo(2);
        assertThat(fed.resolve("nodes")).doesNotExist();
    }

    @Test
    void operationalFailuresExitWithOne() {
        Path fed = tmp.resolve("fed");
        assertThat(socle("certs", "issue-node", "--dir", fed.toString(), "--siren", "219900016", "--name", "X")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("socle certs issue-node: missing file: "
                + fed.resolve("issuing-ca.crt").toAbsolutePath() + System.lineSeparator());
        socle("certs", "init-federation", "--dir", fed.toString());
        assertThat(socle("certs", "init-federation", "--dir", fed.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("a federation already exists in");
        assertThat(socle("certs", "revoke", "--dir", fed.toString(), "--node", "ghost")).isEqualTo(1);
        assertThat(err.toString()).contains("no node 'ghost' in");
        assertThat(socle("certs", "inspect", tmp.resolve("nothing.pem").toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("socle certs inspect: missing file: " + tmp.resolve("nothing.pem").toAbsolutePath()
                + System.lineSeparator());
    }
}
