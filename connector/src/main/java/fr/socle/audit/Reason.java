package fr.socle.audit;

import fr.socle.trust.ReasonCode;
import java.util.Locale;

/**
 * Why an audit proof, export or log operation was refused; {@link #code()} is stable. A tree head's
 * JWS is refused with a {@link fr.socle.trust.JwsReason} (it goes through {@link
 * fr.socle.trust.SignedJws}), so a report may carry either.
 */
public enum Reason implements ReasonCode {
  /** A tree size is negative. */
  INVALID_SIZE,
  /** A leaf index is negative or not below the tree size. */
  INDEX_OUT_OF_RANGE,
  /** The first tree size of a consistency proof exceeds the second. */
  SIZE_ORDER,
  /** A hash does not have {@link Merkle#HASH_LENGTH} bytes. */
  HASH_LENGTH,
  /** A proof has more or fewer hashes than its tree sizes require. */
  PROOF_LENGTH,
  /** A root recomputed from a proof or from entries differs from the expected root. */
  ROOT_MISMATCH,

  /**
   * An export is not well-formed: its JSON, an entry, a proof, an earlier head's filing, an agreement
   * entry. (A tree head that is not a compact JWS is {@link fr.socle.trust.JwsReason#MALFORMED}.)
   */
  MALFORMED,

  /** An exported entry's seq is not the next one expected, or entries of the range are missing. */
  SEQ_ORDER,
  /** An exported entry's recorded leaf hash differs from the hash recomputed from its content. */
  LEAF_HASH_MISMATCH,
  /** An export holds entries beyond the size of its tree head. */
  BEYOND_TREE_HEAD,
  /** A proof an auditor needs is not in the export. */
  MISSING_PROOF,
  /** A newer tree head is smaller than an earlier one. */
  TREE_SHRANK,
  /** An entry an earlier export showed beyond its tree head is no longer in the log, or differs. */
  UNSIGNED_ENTRY_LOST,

  /** The bounded queue of pending log operations is full; the caller should retry later. */
  QUEUE_FULL,
  /** A log operation was called before {@link AuditLog#start()} completed, or after close. */
  NOT_STARTED,
  /** A requested seq or tree size is beyond the log's current size. */
  OUT_OF_RANGE,
  /** The stored log is not a gap-free sequence matching its last signed tree head. */
  CORRUPT_STORE;

  /** The stable snake_case code, as used in vector files and problem responses. */
  @Override
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
