package fr.socle.trust;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a certificate chain presented by a peer (TLS client certificate, JWT {@code x5c})
 * belongs to a node of this federation, and who that node is.
 *
 * <p>Checks, in order, each with its own {@link Reason}: a chain is present; the leaf names the
 * federation issuing CA as issuer; PKIX (RFC 5280 §6) from the root anchor through the
 * <em>federation's own copy</em> of the issuing CA, with validity at the injected clock and revocation
 * against the federation CRL; the leaf is a node certificate (end entity, serverAuth and clientAuth);
 * finally the participant id from its organizationIdentifier. Intermediates sent by the peer are
 * ignored on purpose, so a peer cannot steer path building towards a CA it brought along.
 *
 * <p>Revocation is checked for the leaf only (the issuing CA is certified by an offline root that
 * publishes no CRL). A stale CRL makes revocation status unknown, which is a refusal: fail closed,
 * from the first second past its nextUpdate.
 *
 * <p>An auditor holds only the root certificate: {@link #offline} is that mode (see there). Either mode
 * backs {@link SignedJws}, the one check of a JWS signed by a node.
 *
 * <p>Immutable. When the CRL is refreshed, build a new verifier and swap the reference.
 */
public final class FederationVerifier {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final X509Certificate rootCa;
    private final X509Certificate issuingCa;
    private final X509CRL crl;
    private final Clock clock;

    public FederationVerifier(X509Certificate rootCa, X509Certificate issuingCa, X509CRL crl, Clock clock) {
        this.rootCa = rootCa;
        this.issuingCa = issuingCa;
        this.crl = crl;
        this.clock = clock;
    }

    /**
     * The verifier of an auditor holding only the federation root certificate, offline: PKIX from the
     * leaf through the intermediates the chain carries to {@code rootCa}, at {@code clock}'s time (set it
     * inside the certificates' validity to check old signatures), without revocation since there is no
     * CRL to read; the leaf must be an end entity allowed to sign (digitalSignature).
     */
    public static FederationVerifier offline(X509Certificate rootCa, Clock clock) {
        return new FederationVerifier(Objects.requireNonNull(rootCa, "rootCa"), null, null,
                Objects.requireNonNull(clock, "clock"));
    }

    public X509Certificate rootCa() {
        return rootCa;
    }

    /** Null for an {@link #offline} verifier. */
    public X509Certificate issuingCa() {
        return issuingCa;
    }

    /** Null for an {@link #offline} verifier. */
    public X509CRL crl() {
        return crl;
    }

    /**
     * Verifies {@code chain}, leaf first: {@link #chainRefusal}, then the participant the leaf names.
     * On a node only the leaf is used (see the class note).
     */
    public Verification verify(List<X509Certificate> chain) {
        Verification.Rejected refused = chainRefusal(chain);
        if (refused != null) {
            return refused;
        }
        try {
            return new Verification.Verified(Participant.fromCertificate(chain.get(0)), chain.get(0));
        } catch (TrustException e) {
            return new Verification.Rejected(e.reason(), e.getMessage());
        }
    }

    /**
     * Every check of {@link #verify} but the participant id, for signers known by their certificate
     * alone: null when {@code chain.get(0)} is a certificate of the federation allowed to sign.
     */
    public Verification.Rejected chainRefusal(List<X509Certificate> chain) {
        if (chain == null || chain.isEmpty()) {
            return new Verification.Rejected(Reason.MISSING_CERTIFICATE, "no certificate presented");
        }
        return issuingCa == null ? offlineRefusal(chain) : nodeRefusal(chain.get(0));
    }

    private Verification.Rejected nodeRefusal(X509Certificate leaf) {
        String subject = SubjectNames.display(leaf.getSubjectX500Principal());
        if (!leaf.getIssuerX500Principal().equals(issuingCa.getSubjectX500Principal())) {
            return new Verification.Rejected(Reason.UNTRUSTED_ISSUER, "certificate '" + subject + "' is issued by '"
                    + SubjectNames.display(leaf.getIssuerX500Principal()) + "', expected the federation issuing CA '"
                    + SubjectNames.display(issuingCa.getSubjectX500Principal()) + "'");
        }
        Verification.Rejected pkix = validatePath(leaf, subject);
        if (pkix != null) {
            return pkix;
        }
        // The JDK's PKIX checker counts an entry as revoked only from its revocation date on, to the
        // second; a CRL signed by a CA whose clock runs ahead would leave a revoked node trusted for a
        // moment. Listed means revoked: fail closed.
        X509CRLEntry listed = crl.getRevokedCertificate(leaf);
        if (listed != null && listed.getRevocationReason() != java.security.cert.CRLReason.REMOVE_FROM_CRL) {
            return revoked(leaf, subject);
        }
        Verification.Rejected stale = checkCrlCurrent(subject);
        if (stale != null) {
            return stale;
        }
        return checkNodeUsage(leaf, subject);
    }

    private Verification.Rejected offlineRefusal(List<X509Certificate> chain) {
        // RFC 5280 paths exclude the trust anchor; x5c may still carry it (RFC 7515 §4.1.6).
        List<X509Certificate> path = new ArrayList<>(chain);
        path.removeIf(rootCa::equals);
        if (path.isEmpty() || !path.get(0).equals(chain.get(0))) {
            return new Verification.Rejected(Reason.INVALID_CHAIN,
                    "the chain must start with the signer's certificate, not the root certificate");
        }
        X509Certificate leaf = path.get(0);
        String subject = SubjectNames.display(leaf.getSubjectX500Principal());
        if (leaf.getBasicConstraints() >= 0) {
            return new Verification.Rejected(Reason.NOT_A_NODE_CERTIFICATE,
                    "certificate '" + subject + "' is a CA certificate, expected a node certificate");
        }
        // PKIX checks key usage on the CA certificates only; the signer's is checked here.
        boolean[] usage = leaf.getKeyUsage();
        if (usage != null && !usage[0]) {
            return new Verification.Rejected(Reason.NOT_A_NODE_CERTIFICATE,
                    "certificate '" + subject + "' may not sign: its keyUsage lacks digitalSignature");
        }
        Reason reason = Reason.INVALID_CHAIN;
        String problem;
        try {
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(rootCa, null)));
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            return null;
        } catch (CertPathValidatorException e) {
            reason = e.getReason() == BasicReason.EXPIRED ? Reason.CERTIFICATE_EXPIRED
                    : e.getReason() == BasicReason.NOT_YET_VALID ? Reason.CERTIFICATE_NOT_YET_VALID
                    : e.getReason() == PKIXReason.NO_TRUST_ANCHOR ? Reason.UNTRUSTED_ISSUER : Reason.INVALID_CHAIN;
            problem = e.getMessage();
        } catch (GeneralSecurityException e) {
            problem = e.getMessage();
        }
        return new Verification.Rejected(reason, "x5c does not chain to root "
                + rootCa.getSubjectX500Principal().getName() + ": " + problem);
    }

    /** {@link #verify} for code that propagates failures: returns the participant or throws. */
    public Participant verifyOrThrow(List<X509Certificate> chain) {
        Verification result = verify(chain);
        if (result instanceof Verification.Rejected rejected) {
            throw rejected.toException();
        }
        return ((Verification.Verified) result).participant();
    }

    private Verification.Rejected validatePath(X509Certificate leaf, String subject) {
        Instant now = clock.instant();
        try {
            CertPathValidator validator = CertPathValidator.getInstance("PKIX");
            PKIXRevocationChecker revocation = (PKIXRevocationChecker) validator.getRevocationChecker();
            // CRLs only: nodes must not make OCSP or CRL-DP network calls to validate a peer.
            revocation.setOptions(EnumSet.of(PKIXRevocationChecker.Option.ONLY_END_ENTITY,
                    PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK));
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(rootCa, null)));
            parameters.setDate(Date.from(now));
            parameters.setRevocationEnabled(true);
            parameters.addCertPathChecker(revocation);
            parameters.addCertStore(CertStore.getInstance("Collection",
                new CollectionCertStoreParameters(List.of(crl))));
            validator.validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf, issuingCa)),
                parameters);
            return null;
        } catch (CertPathValidatorException e) {
            return rejection(e, List.of(leaf, issuingCa), now);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PKIX validation is unavailable in this JDK", e);
        }
    }

    /**
     * The JDK's revocation checker still accepts a CRL up to 15 minutes past its nextUpdate (its
     * MAX_CLOCK_SKEW); a federation CRL is re-signed long before it goes stale, so a stale one means
     * publication stopped, and revocations made since may be missing. Fail closed at once.
     */
    private Verification.Rejected checkCrlCurrent(String subject) {
        Instant now = clock.instant();
        Date nextUpdate = crl.getNextUpdate();
        if (nextUpdate == null || now.isAfter(nextUpdate.toInstant())) {
            return new Verification.Rejected(Reason.REVOCATION_UNKNOWN, "revocation status of certificate '" + subject
                    + "' is unknown: the federation CRL is stale since "
                    + (nextUpdate == null ? "always (it has no nextUpdate)" : nextUpdate.toInstant()) + " (now " + now
                    + "); publish a fresh one with 'socle certs crl --dir <federation>'");
        }
        return null;
    }

    private Verification.Rejected revoked(X509Certificate cert, String subject) {
        X509CRLEntry entry = crl.getRevokedCertificate(cert);
        return new Verification.Rejected(Reason.CERTIFICATE_REVOKED, "certificate '" + subject + "' (serial "
                + Serials.format(cert.getSerialNumber()) + ") was revoked"
                + (entry == null ? "" : " on " + entry.getRevocationDate().toInstant()
                        + (entry.getRevocationReason() == null ? "" : ", reason " + Revocations.rfcName(entry.getRevocationReason()))));
    }

    private Verification.Rejected rejection(CertPathValidatorException e, List<X509Certificate> path, Instant now) {
        X509Certificate cert = e.getIndex() >= 0 && e.getIndex() < path.size() ? path.get(e.getIndex()) : path.get(0);
        String subject = SubjectNames.display(cert.getSubjectX500Principal());
        if (e.getReason() == BasicReason.EXPIRED) {
            return new Verification.Rejected(Reason.CERTIFICATE_EXPIRED,
                    "certificate '" + subject + "' expired on " + cert.getNotAfter().toInstant() + " (now " + now + ")");
        }
        if (e.getReason() == BasicReason.NOT_YET_VALID) {
            return new Verification.Rejected(Reason.CERTIFICATE_NOT_YET_VALID,
                    "certificate '" + subject + "' is not valid before " + cert.getNotBefore().toInstant() + " (now " + now + ")");
        }
        if (e.getReason() == BasicReason.REVOKED) {
            return revoked(cert, subject);
        }
        if (e.getReason() == BasicReason.UNDETERMINED_REVOCATION_STATUS) {
            Date nextUpdate = crl.getNextUpdate();
            String why = nextUpdate != null && now.isAfter(nextUpdate.toInstant())
                    ? "the federation CRL is stale since " + nextUpdate.toInstant()
                    : "no valid federation CRL covers it (" + e.getMessage() + ")";
            return new Verification.Rejected(Reason.REVOCATION_UNKNOWN,
                    "revocation status of certificate '" + subject + "' is unknown: " + why);
        }
        if (e.getReason() == BasicReason.INVALID_SIGNATURE) {
            return new Verification.Rejected(Reason.BAD_SIGNATURE, "signature of certificate '" + subject
                    + "' does not verify with the federation CA key of the same name");
        }
        if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
            return new Verification.Rejected(Reason.UNTRUSTED_ISSUER,
                    "certificate '" + subject + "' does not chain to the federation root '"
                            + SubjectNames.display(rootCa.getSubjectX500Principal()) + "'");
        }
        return new Verification.Rejected(Reason.INVALID_CHAIN,
                "certificate '" + subject + "' fails PKIX validation: " + e.getMessage());
    }

    private static Verification.Rejected checkNodeUsage(X509Certificate leaf, String subject) {
        if (leaf.getBasicConstraints() >= 0) {
            return new Verification.Rejected(Reason.NOT_A_NODE_CERTIFICATE,
                    "certificate '" + subject + "' is a CA certificate, expected a node certificate");
        }
        try {
            List<String> purposes = leaf.getExtendedKeyUsage();
            if (purposes == null || !purposes.contains(SERVER_AUTH) || !purposes.contains(CLIENT_AUTH)) {
                return new Verification.Rejected(Reason.NOT_A_NODE_CERTIFICATE, "certificate '" + subject
                        + "' must have extended key usages serverAuth and clientAuth, found " + purposes);
            }
            return null;
        } catch (CertificateParsingException e) {
            return new Verification.Rejected(Reason.NOT_A_NODE_CERTIFICATE,
                    "certificate '" + subject + "' has an unreadable extended key usage: " + e.getMessage());
        }
    }
}
