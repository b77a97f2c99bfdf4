package fr.socle.trust;

import java.util.Locale;

/**
 * Why a trust operation refused its input. The {@link #code()} values are stable and appear in logs,
 * problem responses and audit entries, so never rename a constant: add a new one.
 */
public enum Reason implements ReasonCode {
    /** A SIREN is not 9 digits or fails its Luhn checksum. */
    INVALID_SIREN,
    /** A certificate subject has no organizationIdentifier (OID 2.5.4.97). */
    MISSING_ORGANIZATION_IDENTIFIER,
    /** A certificate subject has more than one organizationIdentifier, so the participant is ambiguous. */
    MULTIPLE_ORGANIZATION_IDENTIFIERS,
    /** An organizationIdentifier uses a scheme other than {@code NTRFR-}. */
    UNSUPPORTED_IDENTIFIER_SCHEME,
    /** A name, slug, DNS name or IP address given to the PKI is not acceptable. */
    INVALID_ARGUMENT,
    /** A requested validity period is empty or exceeds the issuer's. */
    INVALID_VALIDITY,
    /** A file the trust material needs does not exist. */
    MISSING_FILE,
    /** A file would be overwritten by an operation that only creates. */
    ALREADY_EXISTS,
    /** A file is not the PEM object it should be (wrong type, truncated, corrupt). */
    MALFORMED_PEM,
    /** A private key is encrypted and no passphrase was given. */
    PASSPHRASE_REQUIRED,
    /** A private key could not be decrypted with the given passphrase. */
    WRONG_PASSPHRASE,
    /** A private key is not the one certified by the certificate it is paired with. */
    KEY_CERTIFICATE_MISMATCH,
    /** A certificate chain was expected and none was presented. */
    MISSING_CERTIFICATE,
    /** A certificate's notAfter is in the past. */
    CERTIFICATE_EXPIRED,
    /** A certificate's notBefore is in the future. */
    CERTIFICATE_NOT_YET_VALID,
    /** A certificate was not issued by this federation's CAs. */
    UNTRUSTED_ISSUER,
    /** A certificate or CRL names a federation CA as issuer but its signature does not verify. */
    BAD_SIGNATURE,
    /** A certificate is listed in the federation CRL. */
    CERTIFICATE_REVOKED,
    /** Revocation status cannot be established, e.g. the CRL is stale; treated as a refusal. */
    REVOCATION_UNKNOWN,
    /** The federation CRL's nextUpdate is in the past. */
    CRL_EXPIRED,
    /** A certificate chains to the federation but is not a node certificate (CA, policy signer...). */
    NOT_A_NODE_CERTIFICATE,
    /** A chain fails PKIX validation for a reason not listed above. */
    INVALID_CHAIN,
    /** No node with the given slug exists in the federation directory. */
    UNKNOWN_NODE,
    /** A serial is already listed in the CRL. */
    ALREADY_REVOKED,
    /** A CRL offered to replace the one in force has a lower CRL number: an old CRL replayed. */
    CRL_ROLLBACK,
    /** A file could not be read or written. */
    IO_ERROR,

    // Node-to-node tokens (NodeTokenVerifier), in the order the verifier checks them; the JWS steps are
    // SignedJws's, whose JwsReason each maps to one of these.

    /** A request carries no node token where one is required. */
    TOKEN_MISSING,
    /** A node token is not a compact JWS with a JSON header and a JSON claims set, or has a critical header. */
    TOKEN_MALFORMED,
    /** A node token's {@code typ} header is not {@code socle-node+jwt}. */
    TOKEN_TYPE_INVALID,
    /** A node token's {@code alg} is not ES256 ({@code none}, HMAC and RSA included), or its signature is empty. */
    TOKEN_ALGORITHM_NOT_ALLOWED,
    /** A node token has no {@code x5c} certificate chain, or one that cannot be decoded. */
    TOKEN_X5C_MISSING,
    /** A node token's signature does not verify with the key of its {@code x5c} certificate. */
    TOKEN_SIGNATURE_INVALID,
    /** A node token lacks one of the claims iss, sub, aud, iat, exp, jti. */
    TOKEN_CLAIM_MISSING,
    /** A node token's {@code iss} or {@code sub} is not the participant of its certificate. */
    TOKEN_ISSUER_MISMATCH,
    /** A node token's {@code aud} is not exactly this node's participant id. */
    TOKEN_AUDIENCE_MISMATCH,
    /** A node token's {@code exp} has passed (beyond the allowed clock skew). */
    TOKEN_EXPIRED,
    /** A node token's {@code iat} or {@code nbf} lies in the future (beyond the allowed clock skew). */
    TOKEN_NOT_YET_VALID,
    /** A node token's {@code exp} is not after its {@code iat}, or more than 300 s after it. */
    TOKEN_LIFETIME_INVALID,
    /** A node token's {@code jti} was already presented by the same issuer. */
    TOKEN_REPLAYED,
    /** The replay cache is full of unexpired tokens; refusing is safer than forgetting one. */
    REPLAY_CACHE_FULL,
    /** A node token's certificate is not the TLS client certificate of the connection carrying it. */
    TLS_CERTIFICATE_MISMATCH;

    /** The stable snake_case code, e.g. {@code invalid_siren}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
