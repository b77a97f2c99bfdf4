package fr.socle.audit;

import java.util.Locale;

/** Why an audit proof, tree head, export or log operation was refused; {@link #code()} is stable. */
public enum Reason {
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

  /** A tree head or export is not well-formed (compact JWS, base64url, JSON). */
  MALFORMED,
  /** The JWS {@code typ} header is not {@link TreeHeadSigner#TYPE}. */
  WRONG_TYPE,
  /** The JWS carries no signature ({@code alg: none} or an empty signature part). */
  UNSIGNED,
  /** The JWS {@code alg} is not in the allowlist (ES256 only). */
  ALG_NOT_ALLOWED,
  /** The JWS has no {@code x5c} certificate chain. */
  MISSING_X5C,
  /** The {@code x5c} chain does not lead to the federation root certificate. */
  UNTRUSTED_CHAIN,
  /** The signature does not verify with the key of the first {@code x5c} certificate. */
  BAD_SIGNATURE,
  /** A required claim ({@code size}, {@code root}, {@code time}) is absent. */
  MISSING_CLAIM,
  /** A claim is present but has the wrong type or format. */
  INVALID_CLAIM,

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
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
