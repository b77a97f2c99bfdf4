package fr.socle.trust;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link FederationVerifier} in force, rebuilt when the federation publishes a new CRL, so that a
 * revocation takes effect on a running node: the revoked partner's next call is refused, even over a
 * TLS connection it opened before.
 *
 * <p>{@link #reload} reads {@code federation.crl} and compares its bytes with the last file seen,
 * rather than trusting the file's mtime: {@code cp -p}, {@code rsync -t} and archive extraction all
 * keep an old mtime on new content. The file is a few hundred bytes to a few kilobytes, so reading it
 * every few seconds costs nothing. A new CRL is installed only if it is signed by the federation's
 * issuing CA and its CRL number is not lower than the one in force; otherwise the node keeps the
 * current one and says why. Keeping it is safe: a CRL that goes stale makes every peer refused
 * ({@link Reason#REVOCATION_UNKNOWN}), so a broken publication fails closed, never open.
 *
 * <p>The anchors (root, issuing CA) are fixed at startup: replacing them is a restart, as it changes
 * who belongs to the federation. Verifiers are immutable; the reference to the current one is
 * volatile, so readers on any thread see either the old or the new verifier, never a mix.
 */
public final class FederationTrust {

  private static final Logger LOG = LoggerFactory.getLogger(FederationTrust.class);

  private final X509Certificate rootCa;
  private final X509Certificate issuingCa;
  private final Path crlFile;
  private final Clock clock;
  private volatile FederationVerifier current;
  /** The bytes of the CRL file at the last reload; only the reload thread touches it. */
  private byte[] lastSeen;

  /** Starts from the CRL {@code material} was loaded with; {@code crlFile} is where new ones appear. */
  public FederationTrust(TrustMaterial material, Path crlFile, Clock clock) {
    this.rootCa = material.rootCa();
    this.issuingCa = material.issuingCa();
    this.crlFile = crlFile;
    this.clock = clock;
    this.current = material.verifier(clock);
  }

  /** The verifier to use for the next check; never null. */
  public FederationVerifier verifier() {
    return current;
  }

  /** The CRL in force. */
  public X509CRL crl() {
    return current.crl();
  }

  /**
   * Blocking: reads the CRL file and installs it if it changed and is acceptable. Callers run it off
   * the event loop (a worker, or a test thread). Synchronized so that two overlapping reloads cannot
   * install CRLs out of order.
   *
   * @return true when a new CRL was installed
   */
  public synchronized boolean reload() {
    byte[] bytes;
    TrustException unreadable = null;
    try {
      bytes = Files.readAllBytes(crlFile);
    } catch (NoSuchFileException e) {
      bytes = new byte[0];
      unreadable = new TrustException(Reason.MISSING_FILE, "missing file: " + crlFile + " (the federation CRL)");
    } catch (IOException e) {
      bytes = new byte[0];
      unreadable = new TrustException(Reason.IO_ERROR, "cannot read " + crlFile + ": " + e.getMessage());
    }
    if (Arrays.equals(bytes, lastSeen)) {
      // Also silences a bad file: it is reported once, not at every check.
      return false;
    }
    lastSeen = bytes;
    X509CRL crl;
    try {
      if (unreadable != null) {
        throw unreadable;
      }
      crl = accept(bytes);
    } catch (TrustException e) {
      LOG.warn("federation CRL not reloaded ({}): {}; keeping CRL number {} (next update {})", e.reason().code(),
          e.getMessage(), Revocations.number(current.crl()), nextUpdate(current.crl()));
      return false;
    }
    if (crl.equals(current.crl())) {
      // The same CRL rewritten (e.g. copied again): nothing to rebuild.
      return false;
    }
    current = new FederationVerifier(rootCa, issuingCa, crl, clock);
    LOG.info("federation CRL number {} installed from {}: {} revoked, next update {}", Revocations.number(crl), crlFile,
        Revocations.entries(crl).size(), nextUpdate(crl));
    return true;
  }

  private X509CRL accept(byte[] bytes) {
    X509CRL crl;
    try {
      // The JDK reads the PEM armour itself; a truncated or foreign file fails here.
      crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(bytes));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new TrustException(Reason.MALFORMED_PEM, crlFile + " is not a readable X.509 CRL: " + e.getMessage());
    }
    if (!crl.getIssuerX500Principal().equals(issuingCa.getSubjectX500Principal())) {
      throw new TrustException(Reason.UNTRUSTED_ISSUER, "CRL " + crlFile + " is issued by '"
          + SubjectNames.display(crl.getIssuerX500Principal()) + "', expected the issuing CA '"
          + SubjectNames.display(issuingCa.getSubjectX500Principal()) + "'");
    }
    try {
      crl.verify(issuingCa.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new TrustException(Reason.BAD_SIGNATURE, "CRL " + crlFile
          + " is not signed by the federation issuing CA: " + e.getMessage());
    }
    BigInteger number = Revocations.number(crl);
    BigInteger inForce = Revocations.number(current.crl());
    if (number.compareTo(inForce) < 0) {
      // An older CRL may omit later revocations: installing it would un-revoke partners.
      throw new TrustException(Reason.CRL_ROLLBACK, "CRL " + crlFile + " has CRL number " + number
          + ", lower than the " + inForce + " in force");
    }
    return crl;
  }

  private static Object nextUpdate(X509CRL crl) {
    return crl.getNextUpdate() == null ? "none" : crl.getNextUpdate().toInstant();
  }
}
