/**
 * Keeps Socle's tamper-evident audit trail: an append-only log whose entries are the leaves of an
 * RFC 9162 Merkle tree, with signed tree heads and the inclusion and consistency proofs an auditor
 * checks offline.
 *
 * <p>The pure parts ({@link fr.socle.audit.Merkle}, {@code MerkleTree}, the verifiers) do no I/O and
 * can be used by the {@code socle audit verify} command without a database or a node.
 * {@link fr.socle.audit.AuditLog} is the only class that touches the database and the worker threads.
 *
 * <p>The log does not trust its own storage: an entry altered or removed in the database after it was
 * covered by a signed tree head is detected by anyone holding that head, which is why heads are exported
 * with the entries and checked against the federation root certificate alone.
 *
 * <p>Tree heads are checked by {@link fr.socle.trust.SignedJws} (their refusals are trust's
 * {@link fr.socle.trust.JwsReason}s; {@link fr.socle.audit.Reason} keeps the proof, export and log
 * ones), the agreement entries of an export by {@link fr.socle.agreement}, leaves hashed with
 * {@link fr.socle.canonical}. May use trust, agreement, canonical and policy; never negotiation.
 */
package fr.socle.audit;
