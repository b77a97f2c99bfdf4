package fr.socle.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Proof generation over the first {@code size} leaves of a {@link SubtreeHashes} (RFC 9162 §2.1.3.1,
 * §2.1.4.1). Every subtree root a proof needs is either a complete aligned subtree, looked up, or on
 * the ragged right edge of the tree, hashed from O(log n) lookups: a proof costs O(log² n) at most,
 * whatever the size of the log. The hashes must not change below {@code size} while this object is in
 * use (they are append-only).
 */
final class MerkleTree {

  private final SubtreeHashes hashes;
  private final long size;

  /** Over the first {@code size} of {@code leaves}; builds the subtree hashes first, O(n) hashing. */
  MerkleTree(List<byte[]> leaves, int size) {
    this(SubtreeHashes.of(checkSize(size, leaves.size()) == leaves.size() ? leaves : leaves.subList(0, size)), size);
  }

  MerkleTree(SubtreeHashes hashes, long size) {
    this.hashes = hashes;
    this.size = checkSize(size, hashes.size());
  }

  long size() {
    return size;
  }

  byte[] root() {
    return size == 0 ? Merkle.emptyRoot() : hashes.subtreeRoot(0, size);
  }

  List<byte[]> inclusionProof(long index) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("leaf index " + index + " is not in [0, " + size + ")");
    }
    List<byte[]> path = new ArrayList<>();
    long lo = 0;
    long hi = size;
    while (hi - lo > 1) {
      long k = Merkle.largestPowerOfTwoBelow(hi - lo);
      if (index < lo + k) {
        path.add(hashes.subtreeRoot(lo + k, hi));
        hi = lo + k;
      } else {
        path.add(hashes.subtreeRoot(lo, lo + k));
        lo += k;
      }
    }
    // Collected from the root down; the RFC orders the path from the leaf up.
    Collections.reverse(path);
    return path;
  }

  List<byte[]> consistencyProof(long m) {
    if (m < 0 || m > size) {
      throw new IllegalArgumentException("first tree size " + m + " is not in [0, " + size + "]");
    }
    List<byte[]> proof = new ArrayList<>();
    if (m == 0 || m == size) {
      return proof;
    }
    long lo = 0;
    long hi = size;
    long rel = m;
    boolean startsAtOldRoot = true;
    while (rel != hi - lo) {
      long k = Merkle.largestPowerOfTwoBelow(hi - lo);
      if (rel <= k) {
        proof.add(hashes.subtreeRoot(lo + k, hi));
        hi = lo + k;
      } else {
        proof.add(hashes.subtreeRoot(lo, lo + k));
        lo += k;
        rel -= k;
        startsAtOldRoot = false;
      }
    }
    if (!startsAtOldRoot) {
      proof.add(hashes.subtreeRoot(lo, hi));
    }
    Collections.reverse(proof);
    return proof;
  }

  private static long checkSize(long size, long available) {
    if (size < 0 || size > available) {
      throw new IllegalArgumentException("tree size " + size + " is not in [0, " + available + "]");
    }
    return size;
  }
}
