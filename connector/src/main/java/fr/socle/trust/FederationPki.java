package fr.socle.trust;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.util.IPAddress;

/**
 * Creates and maintains a federation directory (see {@link FederationLayout}): initialise the CAs,
 * certify nodes, revoke them, publish the CRL. This is what {@code socle certs} drives; a node never
 * calls it, it only reads the result through {@link TrustMaterial}.
 *
 * <p>Operations that create refuse to overwrite: re-running {@code init-federation} on a live
 * federation would orphan every node it certified, and re-issuing into an existing node directory
 * would silently replace a key. Inputs (SIREN, names, SANs, validity) are checked before any key is
 * generated, so a refused request leaves no file behind.
 *
 * <p>Certificates are backdated by {@link #BACKDATE} so that a peer whose clock runs a little behind
 * does not reject a certificate issued a moment ago.
 */
public final class FederationPki {

    public static final Duration DEFAULT_FEDERATION_VALIDITY = Duration.ofDays(3650);
    public static final Duration DEFAULT_CRL_VALIDITY = Duration.ofDays(7);
    static final Duration BACKDATE = Duration.ofMinutes(5);

    /** RFC 5280 ub-common-name and ub-organization-name. */
    private static final int MAX_NAME = 64;
    /** Leaves room for the longest CN suffix, " Policy Signing". */
    private static final int MAX_FEDERATION_NAME = MAX_NAME - 15;
    private static final Pattern DNS_NAME =
            Pattern.compile("(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private final Clock clock;
    private final CertificateIssuer issuer;

    public FederationPki() {
        this(Clock.systemUTC(), new SecureRandom());
    }

    public FederationPki(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.issuer = new CertificateIssuer(random);
    }

    /** The outcome of {@link #issueNode}. */
    public record IssuedNode(String slug, Path dir, X509Certificate certificate, ParticipantId participantId) {
    }

    /** The outcome of a revocation: the serial, the node it belonged to if known, and the new CRL. */
    public record Revocation(BigInteger serial, Optional<String> slug, X509CRL crl) {
    }

    /**
     * Creates root CA, issuing CA, policy signer and an empty CRL in {@code dir}. Keys are written
     * unencrypted with owner-only permissions: protect the directory, or move the root key offline.
     */
    public FederationLayout initFederation(Path dir, String name, Duration validity, Duration crlValidity) {
        checkName("federation name", name, MAX_FEDERATION_NAME);
        checkPositive("federation validity", validity);
        checkPositive("CRL validity", crlValidity);
        FederationLayout layout = new FederationLayout(dir);
        for (Path existing : List.of(layout.rootCaKey(), layout.rootCaCert(), layout.issuingCaKey(), layout.crl())) {
            if (Files.exists(existing)) {
                throw new TrustException(Reason.ALREADY_EXISTS,
                        "a federation already exists in " + dir.toAbsolutePath() + " (" + existing.getFileName()
                                + " is present); choose an empty directory");
            }
        }
        Instant notBefore = now().minus(BACKDATE);
        Instant notAfter = notBefore.plus(validity);

        KeyPair rootKeys = issuer.generateKeyPair();
        X509Certificate root = issuer.rootCa(CertificateIssuer.caName(name + " Root CA", name), rootKeys, notBefore, notAfter);
        KeyPair issuingKeys = issuer.generateKeyPair();
        X509Certificate issuing = issuer.issuingCa(CertificateIssuer.caName(name + " Issuing CA", name),
                issuingKeys.getPublic(), root, rootKeys.getPrivate(), notBefore, notAfter);
        KeyPair policyKeys = issuer.generateKeyPair();
        X509Certificate policy = issuer.policySigner(CertificateIssuer.caName(name + " Policy Signing", name),
                policyKeys.getPublic(), root, rootKeys.getPrivate(), notBefore, notAfter);
        Instant now = now();
        X509CRL crl = Revocations.sign(issuing, issuingKeys.getPrivate(), List.of(), BigInteger.ONE, now, now.plus(crlValidity));

        // Keys first: a crash midway leaves no certificate that points at a missing key.
        PemFiles.writePrivateKey(layout.rootCaKey(), rootKeys.getPrivate(), null);
        PemFiles.writePrivateKey(layout.issuingCaKey(), issuingKeys.getPrivate(), null);
        PemFiles.writePrivateKey(layout.policySigningKey(), policyKeys.getPrivate(), null);
        PemFiles.writeCertificate(layout.rootCaCert(), root);
        PemFiles.writeCertificate(layout.issuingCaCert(), issuing);
        PemFiles.writeCertificates(layout.caChain(), List.of(issuing, root));
        PemFiles.writeCertificate(layout.policySigningCert(), policy);
        PemFiles.writePublicKey(layout.policySigningPublicKey(), policyKeys.getPublic());
        PemFiles.writeCrl(layout.crl(), crl);
        return layout;
    }

    public FederationLayout initFederation(Path dir, String name, Duration validity) {
        return initFederation(dir, name, validity, DEFAULT_CRL_VALIDITY);
    }

    /** Certifies a node with the defaults of {@link NodeRequest} except the given SANs and validity. */
    public IssuedNode issueNode(Path dir, String siren, String name, List<String> dnsNames, List<String> ipAddresses,
                                Duration validity) {
        return issueNode(dir, NodeRequest.of(siren, name).withSubjectAltNames(dnsNames, ipAddresses).withValidity(validity));
    }

    /** Writes {@code nodes/<slug>/node.key} and {@code node.crt} (leaf, then issuing CA). */
    public IssuedNode issueNode(Path dir, NodeRequest request) {
        ParticipantId participant = new ParticipantId(Siren.parse(request.siren()));
        checkName("node name", request.name(), MAX_NAME);
        String slug = request.effectiveSlug();
        List<String> dnsNames = checkDnsNames(request.effectiveDnsNames());
        List<String> ipAddresses = checkIpAddresses(request.effectiveIpAddresses());
        if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
            throw new TrustException(Reason.INVALID_ARGUMENT,
                    "a node certificate needs at least one DNS name or IP address, got none");
        }
        FederationLayout layout = new FederationLayout(dir);
        Path nodeDir = layout.nodeDir(slug);
        if (Files.exists(layout.nodeCert(slug)) || Files.exists(layout.nodeKey(slug))) {
            throw new TrustException(Reason.ALREADY_EXISTS, "node '" + slug + "' already exists in " + nodeDir.toAbsolutePath()
                    + "; revoke it and remove the directory, or choose another slug");
        }
        X509Certificate issuingCa = PemFiles.readCertificate(layout.issuingCaCert());
        PrivateKey issuingKey = readCaKey(layout.issuingCaKey(), issuingCa);
        Instant notBefore = request.notBefore() != null ? seconds(request.notBefore()) : now().minus(BACKDATE);
        Instant notAfter = request.notAfter() != null ? seconds(request.notAfter()) : notBefore.plus(request.validity());
        checkWindow(notBefore, notAfter, issuingCa);

        KeyPair keys = issuer.generateKeyPair();
        X509Certificate certificate = issuer.node(CertificateIssuer.nodeName(request.name(), participant), keys.getPublic(),
                dnsNames, ipAddresses, issuingCa, issuingKey, notBefore, notAfter);
        PemFiles.writePrivateKey(layout.nodeKey(slug), keys.getPrivate(), request.passphrase());
        PemFiles.writeCertificates(layout.nodeCert(slug), List.of(certificate, issuingCa));
        return new IssuedNode(slug, nodeDir, certificate, participant);
    }

    /** Adds {@code serial} to the CRL and publishes it, keeping the current CRL's update period. */
    public Revocation revoke(Path dir, BigInteger serial, CRLReason reason) {
        if (!Revocations.ACCEPTED_REASONS.contains(reason)) {
            throw new TrustException(Reason.INVALID_ARGUMENT, "revocation reason " + Revocations.rfcName(reason)
                    + " is not accepted; use one of " + Revocations.ACCEPTED_REASONS);
        }
        FederationLayout layout = new FederationLayout(dir);
        X509CRL current = PemFiles.readCrl(layout.crl());
        List<Revocations.Entry> entries = new ArrayList<>(Revocations.entries(current));
        for (Revocations.Entry entry : entries) {
            if (entry.serial().equals(serial)) {
                throw new TrustException(Reason.ALREADY_REVOKED,
                        "serial " + Serials.format(serial) + " is already revoked since " + entry.revokedAt());
            }
        }
        entries.add(new Revocations.Entry(serial, now(), reason));
        X509CRL crl = publish(layout, current, entries, period(current));
        return new Revocation(serial, findNode(layout, serial), crl);
    }

    /** Revokes the certificate in {@code nodes/<slug>/node.crt}. */
    public Revocation revokeNode(Path dir, String slug, CRLReason reason) {
        FederationLayout layout = new FederationLayout(dir);
        Path cert = layout.nodeCert(slug);
        if (!Files.exists(cert)) {
            throw new TrustException(Reason.UNKNOWN_NODE,
                    "no node '" + slug + "' in " + layout.nodesDir().toAbsolutePath() + " (known: " + String.join(", ", slugs(layout)) + ")");
        }
        return revoke(dir, PemFiles.readCertificates(cert).get(0).getSerialNumber(), reason);
    }

    /** Re-signs the CRL with the same entries, a fresh thisUpdate and the next CRL number. */
    public X509CRL publishCrl(Path dir, Duration nextUpdate) {
        checkPositive("CRL validity", nextUpdate);
        FederationLayout layout = new FederationLayout(dir);
        X509CRL current = PemFiles.readCrl(layout.crl());
        return publish(layout, current, Revocations.entries(current), nextUpdate);
    }

    /** {@link #publishCrl(Path, Duration)} keeping the current CRL's update period. */
    public X509CRL publishCrl(Path dir) {
        FederationLayout layout = new FederationLayout(dir);
        return publishCrl(dir, period(PemFiles.readCrl(layout.crl())));
    }

    /** Parses {@code keyCompromise}, {@code key-compromise} or {@code key_compromise}, and the like. */
    public static CRLReason parseRevocationReason(String text) {
        return Revocations.parseReason(text);
    }

    /** The CRL number extension of {@code crl}; zero when absent. */
    public static BigInteger crlNumber(X509CRL crl) {
        return Revocations.number(crl);
    }

    /** Serials listed in {@code crl}. */
    public static List<BigInteger> revokedSerials(X509CRL crl) {
        return Revocations.entries(crl).stream().map(Revocations.Entry::serial).toList();
    }

    /** A human-readable summary of a PEM file: see {@link PemInspector}. */
    public static String inspect(Path file) {
        return PemInspector.describe(file);
    }

    // ---- internals -----------------------------------------------------------------------------

    private X509CRL publish(FederationLayout layout, X509CRL current, List<Revocations.Entry> entries, Duration period) {
        X509Certificate issuingCa = PemFiles.readCertificate(layout.issuingCaCert());
        PrivateKey issuingKey = readCaKey(layout.issuingCaKey(), issuingCa);
        Instant now = now();
        X509CRL crl = Revocations.sign(issuingCa, issuingKey, entries, Revocations.number(current).add(BigInteger.ONE),
                now, now.plus(period));
        PemFiles.writeCrl(layout.crl(), crl);
        return crl;
    }

    /** X.509 times have a resolution of one second; truncating first keeps the checks exact. */
    private Instant now() {
        return seconds(clock.instant());
    }

    private static Instant seconds(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS);
    }

    private static Duration period(X509CRL crl) {
        if (crl.getNextUpdate() == null) {
            return DEFAULT_CRL_VALIDITY;
        }
        return Duration.between(crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant());
    }

    private static PrivateKey readCaKey(Path keyFile, X509Certificate certificate) {
        PrivateKey key = PemFiles.readPrivateKey(keyFile, null);
        if (!KeyMatch.matches(key, certificate.getPublicKey())) {
            throw new TrustException(Reason.KEY_CERTIFICATE_MISMATCH, "CA key " + keyFile + " does not match the certificate '"
                    + SubjectNames.display(certificate.getSubjectX500Principal()) + "'");
        }
        return key;
    }

    private static Optional<String> findNode(FederationLayout layout, BigInteger serial) {
        for (String slug : slugs(layout)) {
            Path cert = layout.nodeCert(slug);
            if (Files.exists(cert) && PemFiles.readCertificates(cert).get(0).getSerialNumber().equals(serial)) {
                return Optional.of(slug);
            }
        }
        return Optional.empty();
    }

    private static List<String> slugs(FederationLayout layout) {
        if (!Files.isDirectory(layout.nodesDir())) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(layout.nodesDir())) {
            return children.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new TrustException(Reason.IO_ERROR, "cannot list " + layout.nodesDir() + ": " + e, e);
        }
    }

    private static void checkWindow(Instant notBefore, Instant notAfter, X509Certificate issuingCa) {
        if (!notAfter.isAfter(notBefore)) {
            throw new TrustException(Reason.INVALID_VALIDITY,
                    "notAfter " + notAfter + " must be after notBefore " + notBefore);
        }
        Instant caNotBefore = issuingCa.getNotBefore().toInstant();
        Instant caNotAfter = issuingCa.getNotAfter().toInstant();
        if (notBefore.isBefore(caNotBefore) || notAfter.isAfter(caNotAfter)) {
            throw new TrustException(Reason.INVALID_VALIDITY, "node validity " + notBefore + " .. " + notAfter
                    + " must lie within the issuing CA's " + caNotBefore + " .. " + caNotAfter);
        }
    }

    private static void checkPositive(String what, Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new TrustException(Reason.INVALID_VALIDITY, what + " must be positive, got " + duration);
        }
    }

    private static void checkName(String what, String name, int max) {
        if (name == null || name.isBlank()) {
            throw new TrustException(Reason.INVALID_ARGUMENT, what + " is missing");
        }
        if (!name.strip().equals(name) || name.chars().anyMatch(Character::isISOControl)) {
            throw new TrustException(Reason.INVALID_ARGUMENT,
                    what + " must not have control characters or leading/trailing spaces, got '" + name + "'");
        }
        if (name.length() > max) {
            throw new TrustException(Reason.INVALID_ARGUMENT,
                    what + " must be at most " + max + " characters, got " + name.length() + ": '" + name + "'");
        }
    }

    private static List<String> checkDnsNames(List<String> names) {
        List<String> checked = new ArrayList<>();
        for (String name : names) {
            String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
            if (IPAddress.isValid(lower)) {
                throw new TrustException(Reason.INVALID_ARGUMENT, "'" + name + "' is an IP address, not a DNS name; pass it as an IP address");
            }
            if (!DNS_NAME.matcher(lower).matches()) {
                throw new TrustException(Reason.INVALID_ARGUMENT, "invalid DNS name '" + name
                        + "': expected ASCII labels of letters, digits and inner hyphens, no wildcard");
            }
            checked.add(lower);
        }
        return checked;
    }

    private static List<String> checkIpAddresses(List<String> addresses) {
        for (String address : addresses) {
            if (address == null || !IPAddress.isValid(address)) {
                throw new TrustException(Reason.INVALID_ARGUMENT,
                        "invalid IP address '" + address + "': expected an IPv4 or IPv6 literal without prefix length");
            }
        }
        return addresses;
    }
}
