package fr.socle.trust;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * Builds the federation CRL (RFC 5280 §5, version 2) and reads revocation entries back out of it.
 *
 * <p>The CRL is the revocation state: revoking reads the current CRL's entries, adds one and signs a
 * new CRL with the next CRL number. Entries are never dropped, even for expired certificates, because
 * an auditor checking an old signature needs to know whether its certificate was revoked.
 */
final class Revocations {

    /** The reasons an operator may give; hold/removeFromCRL are left out because nothing here un-revokes. */
    static final Set<CRLReason> ACCEPTED_REASONS = EnumSet.of(
            CRLReason.UNSPECIFIED, CRLReason.KEY_COMPROMISE, CRLReason.CA_COMPROMISE,
            CRLReason.AFFILIATION_CHANGED, CRLReason.SUPERSEDED, CRLReason.CESSATION_OF_OPERATION,
            CRLReason.PRIVILEGE_WITHDRAWN);

    /** One revoked serial. */
    record Entry(BigInteger serial, Instant revokedAt, CRLReason reason) {
    }

    private Revocations() {
    }

    static List<Entry> entries(X509CRL crl) {
        List<Entry> entries = new ArrayList<>();
        Set<? extends X509CRLEntry> revoked = crl.getRevokedCertificates();
        if (revoked != null) {
            for (X509CRLEntry entry : revoked) {
                CRLReason reason = entry.getRevocationReason();
                entries.add(new Entry(entry.getSerialNumber(), entry.getRevocationDate().toInstant(),
                        reason == null ? CRLReason.UNSPECIFIED : reason));
            }
        }
        return entries;
    }

    /** The CRL number extension's value, or zero when absent. */
    static BigInteger number(X509CRL crl) {
        byte[] extension = crl.getExtensionValue(Extension.cRLNumber.getId());
        if (extension == null) {
            return BigInteger.ZERO;
        }
        return ASN1Integer.getInstance(ASN1OctetString.getInstance(extension).getOctets()).getValue();
    }

    static X509CRL sign(X509Certificate issuer, PrivateKey issuerKey, List<Entry> entries, BigInteger number,
                        Instant thisUpdate, Instant nextUpdate) {
        X509v2CRLBuilder builder = new X509v2CRLBuilder(SubjectNames.subject(issuer), Date.from(thisUpdate));
        builder.setNextUpdate(Date.from(nextUpdate));
        for (Entry entry : entries) {
            // CRLReason's ordinals are RFC 5280's codes; Bouncy Castle omits the extension for 0
            // (unspecified), as §5.3.1 asks.
            builder.addCRLEntry(entry.serial(), Date.from(entry.revokedAt()), entry.reason().ordinal());
        }
        try {
            builder.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.getPublicKey()));
            return new JcaX509CRLConverter().getCRL(builder.build(CertificateIssuer.signer(issuerKey)));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build CRL", e);
        }
    }

    /**
     * Parses a reason as RFC 5280 spells it ({@code keyCompromise}) or in snake/kebab case
     * ({@code key_compromise}, {@code key-compromise}).
     */
    static CRLReason parseReason(String text) {
        String wanted = squash(text == null ? "" : text);
        for (CRLReason reason : ACCEPTED_REASONS) {
            if (squash(reason.name()).equals(wanted)) {
                return reason;
            }
        }
        throw new TrustException(Reason.INVALID_ARGUMENT, "unknown revocation reason '" + text + "', expected one of "
                + Arrays.stream(CRLReason.values()).filter(ACCEPTED_REASONS::contains).map(Revocations::rfcName)
                        .collect(Collectors.joining(", ")));
    }

    /** RFC 5280's camelCase name, e.g. {@code keyCompromise}. */
    static String rfcName(CRLReason reason) {
        String[] words = reason.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder name = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return name.toString();
    }

    private static String squash(String text) {
        return text.replaceAll("[-_\\s]", "").toLowerCase(Locale.ROOT);
    }
}
