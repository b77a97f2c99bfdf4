package fr.socle.trust;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a federation directory keeps each file. This layout is a contract shared by {@code socle certs},
 * the node's startup and the launch scripts; {@code certs-dev/README.md} documents it for people.
 *
 * <pre>
 * root-ca.crt  root-ca.key               self-signed root, the only trust anchor
 * issuing-ca.crt  issuing-ca.key         signs node certificates and the CRL (pathLen 0)
 * ca-chain.crt                           issuing CA then root
 * policy-signing.crt  policy-signing.key policy bundle signer, certified by the root
 * policy-signing.pub.pem                 its SubjectPublicKeyInfo, for OPA's keys config
 * federation.crl                         CRL v2 from the issuing CA; also the revocation state
 * nodes/&lt;slug&gt;/node.crt  node.key      node leaf then issuing CA; node key
 * </pre>
 *
 * <p>Revocation state lives only in {@code federation.crl}: it is signed, so it cannot drift from what
 * nodes enforce the way a separate index file could.
 */
public record FederationLayout(Path dir) {

    public static final String ROOT_CA_CERT = "root-ca.crt";
    public static final String ROOT_CA_KEY = "root-ca.key";
    public static final String ISSUING_CA_CERT = "issuing-ca.crt";
    public static final String ISSUING_CA_KEY = "issuing-ca.key";
    public static final String CA_CHAIN = "ca-chain.crt";
    public static final String POLICY_SIGNING_CERT = "policy-signing.crt";
    public static final String POLICY_SIGNING_KEY = "policy-signing.key";
    public static final String POLICY_SIGNING_PUBLIC_KEY = "policy-signing.pub.pem";
    public static final String CRL = "federation.crl";
    public static final String NODES = "nodes";
    public static final String NODE_CERT = "node.crt";
    public static final String NODE_KEY = "node.key";

    private static final Pattern SLUG = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final int MAX_SLUG_LENGTH = 63;

    public FederationLayout {
        if (dir == null) {
            throw new IllegalArgumentException("federation directory is null");
        }
    }

    public Path rootCaCert() {
        return dir.resolve(ROOT_CA_CERT);
    }

    public Path rootCaKey() {
        return dir.resolve(ROOT_CA_KEY);
    }

    public Path issuingCaCert() {
        return dir.resolve(ISSUING_CA_CERT);
    }

    public Path issuingCaKey() {
        return dir.resolve(ISSUING_CA_KEY);
    }

    public Path caChain() {
        return dir.resolve(CA_CHAIN);
    }

    public Path policySigningCert() {
        return dir.resolve(POLICY_SIGNING_CERT);
    }

    public Path policySigningKey() {
        return dir.resolve(POLICY_SIGNING_KEY);
    }

    public Path policySigningPublicKey() {
        return dir.resolve(POLICY_SIGNING_PUBLIC_KEY);
    }

    public Path crl() {
        return dir.resolve(CRL);
    }

    public Path nodesDir() {
        return dir.resolve(NODES);
    }

    public Path nodeDir(String slug) {
        return nodesDir().resolve(requireSlug(slug));
    }

    public Path nodeCert(String slug) {
        return nodeDir(slug).resolve(NODE_CERT);
    }

    public Path nodeKey(String slug) {
        return nodeDir(slug).resolve(NODE_KEY);
    }

    /**
     * Lowercase ASCII slug of a display name: accents dropped, every other run of non-alphanumerics a
     * single hyphen. "Région Exemple (dev)" gives {@code region-exemple-dev}.
     */
    public static String slugOf(String name) {
        String ascii = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
        String slug = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > MAX_SLUG_LENGTH) {
            slug = slug.substring(0, MAX_SLUG_LENGTH).replaceAll("-+$", "");
        }
        return requireSlug(slug);
    }

    /**
     * Refuses anything but {@code [a-z0-9]} runs joined by single hyphens, which also keeps a slug from
     * escaping {@code nodes/} with {@code ..} or a separator.
     */
    public static String requireSlug(String slug) {
        if (slug == null || slug.length() > MAX_SLUG_LENGTH || !SLUG.matcher(slug).matches()) {
            throw new TrustException(Reason.INVALID_ARGUMENT,
                    "node slug must be 1-" + MAX_SLUG_LENGTH
                            + " lowercase ASCII letters or digits separated by single hyphens, got '" + slug + "'");
        }
        return slug;
    }
}
