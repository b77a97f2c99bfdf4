/**
 * Contract agreement signatures: {@link fr.socle.agreement.AgreementSigner} signs the RFC 8785 digest of
 * an agreement with the node key, {@link fr.socle.agreement.AgreementVerifier} checks a party's signature
 * on a node (federation in force) or offline (root certificate only, for auditors and {@code socle
 * agreement verify}). The JWS goes through {@link fr.socle.trust.SignedJws}; this package adds only the
 * agreement's own checks (role, signer, id, digest). Depends on trust and canonical only.
 */
package fr.socle.agreement;
