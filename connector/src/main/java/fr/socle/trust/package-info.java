/**
 * Federation trust: the PKI that says which nodes belong to a Socle federation, and the checks a node
 * runs on its own material at startup and on every peer certificate.
 *
 * <p>A federation is a root CA, one issuing CA that signs node certificates and the CRL, and a
 * policy-signing key whose public half OPA uses to verify policy bundles. A node is identified by the
 * SIREN of its collectivité, carried in the certificate subject as {@code organizationIdentifier}
 * (OID 2.5.4.97) with the eIDAS-style value {@code NTRFR-<SIREN>} (ETSI EN 319 412-1, §5.1.4); that
 * value is also the node's participant id in the data space.
 *
 * <p>Entry points: {@link fr.socle.trust.FederationPki} writes federations (used by {@code socle certs}),
 * {@link fr.socle.trust.TrustMaterial} loads and checks a node's material at startup, and
 * {@link fr.socle.trust.FederationVerifier} decides whether a peer's certificate chain belongs to the
 * federation; {@link fr.socle.trust.FederationTrust} keeps that verifier current as the CRL changes.
 * Between nodes, {@link fr.socle.trust.NodeTokenIssuer} signs the token a node puts on each call and
 * {@link fr.socle.trust.NodeTokenVerifier} checks it. Every JWS a node signs (node tokens, agreement
 * signatures, audit tree heads) is checked by one pipeline, {@link fr.socle.trust.SignedJws}, whose
 * refusals are {@link fr.socle.trust.JwsReason}s; offline, an auditor's chain check is
 * {@link fr.socle.trust.FederationVerifier#offline}. The on-disk contract is
 * {@link fr.socle.trust.FederationLayout}.
 *
 * <p>A base package: it depends on no other Socle package.
 */
package fr.socle.trust;
