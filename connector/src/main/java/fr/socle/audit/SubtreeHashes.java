package fr.socle.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The leaf hashes of a log and the hash of every complete, aligned subtree over them, kept as leaves
 * are appended: level {@code k} holds, for each {@code i}, the root of leaves {@code [i·2^k, (i+1)·2^k)}
 * once all of them exist.
 *
 * <p>Why: such a subtree never changes once complete, so it can be computed once, at append time
 * (one hash per append, amortised), and every later proof is O(log² n) lookups and at most O(log n)
 * hashes of the ragged right edge, instead of rehashing the tree on each request (O(n), half a second
 * at a million entries). Memory is about two hashes per leaf, packed into byte pages so that a
 * million entries cost about 64 MiB and no per-hash object.
 *
 * <p>Append-only and not thread-safe: the audit log touches it from its single worker thread.
 */
final class SubtreeHashes {

  /** Hashes per full page (1 MiB), so growth never copies more than one page. */
  private static final int PAGE_HASHES = 1 << 15;

  private final List<HashArray> levels = new ArrayList<>();
  private long size;

  SubtreeHashes() {
    levels.add(new HashArray());
  }

  /** Builds from a list of leaf hashes; O(n) hashing. */
  static SubtreeHashes of(List<byte[]> leafHashes) {
    SubtreeHashes hashes = new SubtreeHashes();
    leafHashes.forEach(hashes::append);
    return hashes;
  }

  long size() {
    return size;
  }

  /** Adds a leaf hash, then the root of every subtree it completes (as many as trailing one bits). */
  void append(byte[] leafHash) {
    if (leafHash.length != Merkle.HASH_LENGTH) {
      throw new IllegalArgumentException("leaf hash has " + leafHash.length + " bytes, want " + Merkle.HASH_LENGTH);
    }
    levels.get(0).add(leafHash);
    long index = size;
    byte[] right = leafHash;
    int level = 0;
    // Index odd at this level: it closes a pair whose parent is now complete.
    while ((index & 1) == 1) {
      byte[] parent = Merkle.hashChildren(levels.get(level).get(index - 1), right);
      level++;
      if (levels.size() == level) {
        levels.add(new HashArray());
      }
      levels.get(level).add(parent);
      right = parent;
      index >>= 1;
    }
    size++;
  }

  byte[] leaf(long index) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("leaf index " + index + " is not in [0, " + size + ")");
    }
    return levels.get(0).get(index);
  }

  /**
   * The root of leaves {@code [lo, hi)}, {@code 0 <= lo < hi <= size}: a lookup when the range is a
   * complete aligned subtree, else split at the RFC's point (the largest power of two below the width),
   * whose left part is always such a subtree when {@code lo} is aligned as the RFC's recursion keeps it.
   */
  byte[] subtreeRoot(long lo, long hi) {
    long width = hi - lo;
    if (Long.bitCount(width) == 1 && lo % width == 0) {
      int level = Long.numberOfTrailingZeros(width);
      return levels.get(level).get(lo >> level);
    }
    long k = Merkle.largestPowerOfTwoBelow(width);
    return Merkle.hashChildren(subtreeRoot(lo, lo + k), subtreeRoot(lo + k, hi));
  }

  /** A growable array of 32-byte hashes in fixed pages. */
  private static final class HashArray {
    private final List<byte[]> pages = new ArrayList<>();
    private long count;

    void add(byte[] hash) {
      int offset = (int) (count % PAGE_HASHES);
      if (offset == 0) {
        // Small logs (tests, new nodes) stay small: a page starts at 64 hashes and doubles up to full.
        pages.add(new byte[64 * Merkle.HASH_LENGTH]);
      }
      byte[] page = pages.get(pages.size() - 1);
      if ((offset + 1) * Merkle.HASH_LENGTH > page.length) {
        page = java.util.Arrays.copyOf(page, Math.min(page.length * 2, PAGE_HASHES * Merkle.HASH_LENGTH));
        pages.set(pages.size() - 1, page);
      }
      System.arraycopy(hash, 0, page, offset * Merkle.HASH_LENGTH, Merkle.HASH_LENGTH);
      count++;
    }

    byte[] get(long index) {
      byte[] page = pages.get((int) (index / PAGE_HASHES));
      int from = (int) (index % PAGE_HASHES) * Merkle.HASH_LENGTH;
      byte[] out = new byte[Merkle.HASH_LENGTH];
      System.arraycopy(page, from, out, 0, Merkle.HASH_LENGTH);
      return out;
    }
  }
}
