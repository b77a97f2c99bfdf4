package fr.socle.trust;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What {@link FederationPki#issueNode(java.nio.file.Path, NodeRequest)} needs to certify one node.
 * Start from {@link #of(String, String)} and adjust with the {@code with...} methods.
 *
 * @param siren       the collectivité's SIREN; validated before anything is generated
 * @param name        display name, used for CN and O (at most 64 characters, RFC 5280 upper bounds)
 * @param slug        directory name under {@code nodes/}; derived from {@code name} when null
 * @param dnsNames    SAN DNS names; when both SAN lists are null, {@code localhost} and {@code 127.0.0.1}
 * @param ipAddresses SAN IP addresses (IPv4 or IPv6 literals)
 * @param validity    used when {@code notAfter} is null: from now (minus a small backdate) to now + validity
 * @param notBefore   explicit start; null for now minus the backdate
 * @param notAfter    explicit end; null for notBefore + validity
 * @param passphrase  encrypts {@code node.key} when non-null and non-empty
 */
public record NodeRequest(String siren, String name, String slug, List<String> dnsNames, List<String> ipAddresses,
                          Duration validity, Instant notBefore, Instant notAfter, char[] passphrase) {

    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
    public static final List<String> DEFAULT_DNS_NAMES = List.of("localhost");
    public static final List<String> DEFAULT_IP_ADDRESSES = List.of("127.0.0.1");

    public static NodeRequest of(String siren, String name) {
        return new NodeRequest(siren, name, null, null, null, DEFAULT_VALIDITY, null, null, null);
    }

    public NodeRequest withSlug(String newSlug) {
        return new NodeRequest(siren, name, newSlug, dnsNames, ipAddresses, validity, notBefore, notAfter, passphrase);
    }

    public NodeRequest withSubjectAltNames(List<String> dns, List<String> ips) {
        return new NodeRequest(siren, name, slug, dns, ips, validity, notBefore, notAfter, passphrase);
    }

    public NodeRequest withValidity(Duration newValidity) {
        return new NodeRequest(siren, name, slug, dnsNames, ipAddresses, newValidity, null, null, passphrase);
    }

    public NodeRequest withValidity(Instant from, Instant until) {
        return new NodeRequest(siren, name, slug, dnsNames, ipAddresses, validity, from, until, passphrase);
    }

    public NodeRequest withPassphrase(char[] newPassphrase) {
        return new NodeRequest(siren, name, slug, dnsNames, ipAddresses, validity, notBefore, notAfter, newPassphrase);
    }

    /** The slug to use: the explicit one, else the one derived from the name. */
    public String effectiveSlug() {
        return slug != null ? FederationLayout.requireSlug(slug) : FederationLayout.slugOf(name);
    }

    /** The SAN DNS names to use, applying the localhost default. */
    public List<String> effectiveDnsNames() {
        if (dnsNames == null) {
            return ipAddresses == null ? DEFAULT_DNS_NAMES : List.of();
        }
        return dnsNames;
    }

    /** The SAN IP addresses to use, applying the loopback default. */
    public List<String> effectiveIpAddresses() {
        if (ipAddresses == null) {
            return dnsNames == null ? DEFAULT_IP_ADDRESSES : List.of();
        }
        return ipAddresses;
    }
}
