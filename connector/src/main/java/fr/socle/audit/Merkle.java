package fr.socle.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * RFC 9162 Merkle tree hashing and proof verification, as pure static functions.
 *
 * <p>Leaves and interior nodes are hashed with distinct one-byte prefixes (RFC 9162 §2.1.1) so that a
 * leaf can never be passed off as an interior node (second-preimage attack on the tree). Verification
 * follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), but checks every precondition
 * first, including the exact proof length implied by the tree sizes, so that a truncated or padded
 * proof is refused with its own {@link Reason} instead of surfacing as a confusing root mismatch.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9162#section-2.1">RFC 9162 §2.1</a>
 */
public final class Merkle {

  /** Prefix of a leaf hash input: {@code HASH(0x00 || entry)}. */
  public static final byte LEAF_PREFIX = 0x00;
  /** Prefix of an interior node hash input: {@code HASH(0x01 || left || right)}. */
  public static final byte NODE_PREFIX = 0x01;
  /** Length in bytes of every hash (SHA-256). */
  public static final int HASH_LENGTH = 32;

  // MessageDigest is not thread-safe and getInstance does a provider lookup: one per thread is cheapest.
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Merkle::newDigest);
  private static final byte[] EMPTY_ROOT = SHA256.get().digest();

  private Merkle() {}

  /** {@code SHA-256(0x00 || data)}: the hash of one log entry. */
  public static byte[] hashLeaf(byte[] data) {
    MessageDigest md = SHA256.get();
    md.update(LEAF_PREFIX);
    return md.digest(data);
  }

  /** {@code SHA-256(0x01 || left || right)}: the hash of an interior node. */
  public static byte[] hashChildren(byte[] left, byte[] right) {
    MessageDigest md = SHA256.get();
    md.update(NODE_PREFIX);
    md.update(left);
    return md.digest(right);
  }

  /** The root of the empty tree, {@code SHA-256()} (RFC 9162 §2.1.1). */
  public static byte[] emptyRoot() {
    return EMPTY_ROOT.clone();
  }

  /** The tree hash over all of {@code leafHashes}; O(n) hashing. */
  public static byte[] rootOf(List<byte[]> leafHashes) {
    return new MerkleTree(leafHashes, leafHashes.size()).root();
  }

  /**
   * The audit path of leaf {@code index} in the tree over the first {@code size} leaf hashes, ordered
   * from the leaf up (RFC 9162 §2.1.3.1).
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < size <= leafHashes.size()}
   */
  public static List<byte[]> inclusionProof(long index, long size, List<byte[]> leafHashes) {
    return new MerkleTree(leafHashes, checkTreeSize(size, leafHashes)).inclusionProof(index);
  }

  /**
   * The consistency proof between the trees over the first {@code m} and first {@code n} leaf hashes
   * (RFC 9162 §2.1.4.1). Empty when {@code m == 0} or {@code m == n}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= m <= n <= leafHashes.size()}
   */
  public static List<byte[]> consistencyProof(long m, long n, List<byte[]> leafHashes) {
    return new MerkleTree(leafHashes, checkTreeSize(n, leafHashes)).consistencyProof(m);
  }

  /**
   * The root implied by an inclusion proof (RFC 9162 §2.1.3.2). Requirements: {@code 0 <= index <
   * size}, every hash has {@link #HASH_LENGTH} bytes, and the proof has exactly the length the index
   * and size imply. Use {@link #verifyInclusion} for untrusted input: it reports these as values.
   *
   * @throws IllegalArgumentException when a requirement does not hold
   */
  public static byte[] rootFromInclusionProof(long index, long size, byte[] leafHash, List<byte[]> proof) {
    Rejected rejected = checkInclusion(index, size, leafHash, null, proof);
    if (rejected != null) {
      throw new IllegalArgumentException(rejected.detail());
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if ((fn & 1) == 1 || fn == sn) {
        r = hashChildren(p, r);
        // Skip the levels where this node has no right sibling: the tree is not full on its right edge.
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = hashChildren(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return r;
  }

  /** Checks that leaf {@code leafHash} sits at {@code index} in the tree of {@code size} with {@code root}. */
  public static ProofResult verifyInclusion(
      long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
    Rejected rejected = checkInclusion(index, size, leafHash, Objects.requireNonNull(root, "root"), proof);
    if (rejected != null) {
      return rejected;
    }
    byte[] calculated = rootFromInclusionProof(index, size, leafHash, proof);
    return Arrays.equals(root, calculated) ? ProofResult.VERIFIED : new ProofResult.RootMismatch(root, calculated);
  }

  /**
   * Checks that the tree of size {@code n} with {@code rootN} extends the tree of size {@code m} with
   * {@code rootM} (RFC 9162 §2.1.4.2). Besides the RFC's cases, {@code m == 0} holds with an empty
   * proof when {@code rootM} is the empty root, and {@code m == n} holds with an empty proof when the
   * roots are equal.
   */
  public static ProofResult verifyConsistency(long m, long n, byte[] rootM, byte[] rootN, List<byte[]> proof) {
    Objects.requireNonNull(proof, "proof");
    if (m < 0 || n < 0) {
      return new Rejected(Reason.INVALID_SIZE, "tree sizes must not be negative, got " + m + " and " + n);
    }
    if (m > n) {
      return new Rejected(Reason.SIZE_ORDER, "first tree size " + m + " exceeds second tree size " + n);
    }
    Rejected rejected = checkHash("first root", rootM);
    if (rejected == null) {
      rejected = checkHash("second root", rootN);
    }
    if (rejected == null) {
      rejected = checkProof("consistency", proof, consistencyProofLength(m, n));
    }
    if (rejected != null) {
      return rejected;
    }
    if (m == 0) {
      return Arrays.equals(rootM, EMPTY_ROOT) ? ProofResult.VERIFIED : new ProofResult.RootMismatch(rootM, EMPTY_ROOT);
    }
    if (m == n) {
      return Arrays.equals(rootM, rootN) ? ProofResult.VERIFIED : new ProofResult.RootMismatch(rootN, rootM);
    }
    List<byte[]> path = proof;
    if (Long.bitCount(m) == 1) {
      // The old tree is then a complete subtree of the new one, so the proof omits its root.
      path = new ArrayList<>(proof.size() + 1);
      path.add(rootM);
      path.addAll(proof);
    }
    long fn = m - 1;
    long sn = n - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (byte[] c : path.subList(1, path.size())) {
      if ((fn & 1) == 1 || fn == sn) {
        fr = hashChildren(c, fr);
        sr = hashChildren(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = hashChildren(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (!Arrays.equals(fr, rootM)) {
      return new ProofResult.RootMismatch(rootM, fr);
    }
    return Arrays.equals(sr, rootN) ? ProofResult.VERIFIED : new ProofResult.RootMismatch(rootN, sr);
  }

  /** Unpadded base64url, the one text form of hashes in JSON, JWS claims and the database. */
  public static String encodeHash(byte[] hash) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
  }

  /**
   * Decodes {@link #encodeHash} output of exactly {@link #HASH_LENGTH} bytes. Only the canonical form
   * is accepted, so that one hash has one spelling (no padding, no stray trailing bits).
   *
   * @throws IllegalArgumentException with what was expected and found
   */
  public static byte[] decodeHash(String text) {
    byte[] hash;
    try {
      hash = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not base64url: " + e.getMessage());
    }
    if (hash.length != HASH_LENGTH) {
      throw new IllegalArgumentException("hash has " + hash.length + " bytes, want " + HASH_LENGTH);
    }
    if (!encodeHash(hash).equals(text)) {
      throw new IllegalArgumentException("hash is not in canonical unpadded base64url: " + text);
    }
    return hash;
  }

  /** Number of hashes in the audit path of {@code index} in a tree of {@code size}; mirrors §2.1.3.1. */
  static int inclusionProofLength(long index, long size) {
    int length = 0;
    long lo = 0;
    long hi = size;
    while (hi - lo > 1) {
      long k = largestPowerOfTwoBelow(hi - lo);
      if (index < lo + k) {
        hi = lo + k;
      } else {
        lo += k;
      }
      length++;
    }
    return length;
  }

  /** Number of hashes in the consistency proof from {@code m} to {@code n}; mirrors §2.1.4.1. */
  static int consistencyProofLength(long m, long n) {
    if (m == 0 || m == n) {
      return 0;
    }
    int length = 0;
    long width = n;
    boolean startsAtOldRoot = true;
    while (m != width) {
      long k = largestPowerOfTwoBelow(width);
      if (m <= k) {
        width = k;
      } else {
        m -= k;
        width -= k;
        startsAtOldRoot = false;
      }
      length++;
    }
    return startsAtOldRoot ? length : length + 1;
  }

  /** The largest power of two strictly below {@code n}, for {@code n >= 2}: the RFC's split point k. */
  static long largestPowerOfTwoBelow(long n) {
    return Long.highestOneBit(n - 1);
  }

  /** Sizes, then hash lengths (leaf, root unless null, proof), then proof length. */
  private static Rejected checkInclusion(long index, long size, byte[] leafHash, byte[] root, List<byte[]> proof) {
    Objects.requireNonNull(proof, "proof");
    if (size < 0) {
      return new Rejected(Reason.INVALID_SIZE, "tree size must not be negative, got " + size);
    }
    if (index < 0 || index >= size) {
      return new Rejected(Reason.INDEX_OUT_OF_RANGE, "leaf index " + index + " is not in [0, " + size + ")");
    }
    Rejected rejected = checkHash("leaf hash", leafHash);
    if (rejected == null && root != null) {
      rejected = checkHash("root", root);
    }
    return rejected != null ? rejected : checkProof("inclusion", proof, inclusionProofLength(index, size));
  }

  private static Rejected checkProof(String kind, List<byte[]> proof, int wantLength) {
    for (int i = 0; i < proof.size(); i++) {
      Rejected rejected = checkHash(kind + " proof hash " + i, proof.get(i));
      if (rejected != null) {
        return rejected;
      }
    }
    if (proof.size() != wantLength) {
      return new Rejected(Reason.PROOF_LENGTH,
          kind + " proof has " + proof.size() + " hashes, want " + wantLength);
    }
    return null;
  }

  private static Rejected checkHash(String what, byte[] hash) {
    Objects.requireNonNull(hash, what);
    if (hash.length != HASH_LENGTH) {
      return new Rejected(Reason.HASH_LENGTH, what + " has " + hash.length + " bytes, want " + HASH_LENGTH);
    }
    return null;
  }

  private static int checkTreeSize(long size, List<byte[]> leafHashes) {
    if (size < 0 || size > leafHashes.size()) {
      throw new IllegalArgumentException(
          "tree size " + size + " is not in [0, " + leafHashes.size() + "] (the number of leaves)");
    }
    return (int) size;
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
