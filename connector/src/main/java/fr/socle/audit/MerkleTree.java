package fr.socle.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Proof generation over the first {@code size} leaf hashes of a list (RFC 9162 §2.1.3.1, §2.1.4.1).
 *
 * <p>Subtree roots of more than {@value #MEMO_MIN_WIDTH} leaves are memoised, so building many proofs
 * over one tree (an export with one inclusion proof per entry) costs O(n) hashing once and then
 * O(log n) lookups plus a small constant per proof, instead of O(n) per proof. Small subtrees are
 * recomputed because storing them would cost more memory than the hashing saves. Not thread-safe; the
 * leaf list must not change below {@code size} while this object is in use.
 */
final class MerkleTree {

  static final int MEMO_MIN_WIDTH = 64;

  private final List<byte[]> leaves;
  private final int size;
  private final Map<Long, byte[]> memo = new HashMap<>();

  MerkleTree(List<byte[]> leaves, int size) {
    if (size < 0 || size > leaves.size()) {
      throw new IllegalArgumentException("tree size " + size + " is not in [0, " + leaves.size() + "]");
    }
    this.leaves = leaves;
    this.size = size;
  }

  int size() {
    return size;
  }

  byte[] root() {
    return size == 0 ? Merkle.emptyRoot() : subtreeRoot(0, size);
  }

  List<byte[]> inclusionProof(long index) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("leaf index " + index + " is not in [0, " + size + ")");
    }
    List<byte[]> path = new ArrayList<>();
    int lo = 0;
    int hi = size;
    while (hi - lo > 1) {
      int k = (int) Merkle.largestPowerOfTwoBelow(hi - lo);
      if (index < lo + k) {
        path.add(subtreeRoot(lo + k, hi));
        hi = lo + k;
      } else {
        path.add(subtreeRoot(lo, lo + k));
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
    int lo = 0;
    int hi = size;
    int rel = (int) m;
    boolean startsAtOldRoot = true;
    while (rel != hi - lo) {
      int k = (int) Merkle.largestPowerOfTwoBelow(hi - lo);
      if (rel <= k) {
        proof.add(subtreeRoot(lo + k, hi));
        hi = lo + k;
      } else {
        proof.add(subtreeRoot(lo, lo + k));
        lo += k;
        rel -= k;
        startsAtOldRoot = false;
      }
    }
    if (!startsAtOldRoot) {
      proof.add(subtreeRoot(lo, hi));
    }
    Collections.reverse(proof);
    return proof;
  }

  private byte[] subtreeRoot(int lo, int hi) {
    int width = hi - lo;
    if (width == 1) {
      return leaves.get(lo);
    }
    if (width <= MEMO_MIN_WIDTH) {
      return reduce(lo, hi);
    }
    Long key = ((long) lo << 32) | hi;
    byte[] cached = memo.get(key);
    if (cached == null) {
      int k = (int) Merkle.largestPowerOfTwoBelow(width);
      cached = Merkle.hashChildren(subtreeRoot(lo, lo + k), subtreeRoot(lo + k, hi));
      memo.put(key, cached);
    }
    return cached;
  }

  /**
   * Level by level, carrying an odd last node up unchanged: this yields the same tree as the RFC's
   * split at the largest power of two, without recursion or sublists.
   */
  private byte[] reduce(int lo, int hi) {
    byte[][] level = new byte[hi - lo][];
    for (int i = lo; i < hi; i++) {
      level[i - lo] = leaves.get(i);
    }
    int n = level.length;
    while (n > 1) {
      int out = 0;
      for (int i = 0; i + 1 < n; i += 2) {
        level[out++] = Merkle.hashChildren(level[i], level[i + 1]);
      }
      if ((n & 1) == 1) {
        level[out++] = level[n - 1];
      }
      n = out;
    }
    return level[0];
  }
}
