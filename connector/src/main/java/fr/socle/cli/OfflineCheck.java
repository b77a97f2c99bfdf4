package fr.socle.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What the offline verifying commands share: the root they trust and the time they check at. */
final class OfflineCheck {

  private OfflineCheck() {
  }

  /** The federation root certificate, PEM or DER (an auditor may be handed either). */
  static X509Certificate rootCertificate(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /**
   * The clock certificates are validated with: now, or the RFC 3339 time of {@code --at} for
   * signatures made with certificates that have since expired.
   */
  static Clock clockAt(CommandSpec spec, String at) {
    if (at == null) {
      return Clock.systemUTC();
    }
    try {
      return Clock.fixed(Instant.parse(at), ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new ParameterException(spec.commandLine(), "--at: '" + at + "' is not an RFC 3339 UTC time");
    }
  }
}
