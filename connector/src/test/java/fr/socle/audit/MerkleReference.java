package fr.socle.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deliberately naive Merkle tree, written straight from the recursive definitions of RFC 9162
 * §2.1.1, §2.1.3.1 and §2.1.4.1, with copied sublists and its own hashing. It shares no code with
 * {@link Merkle} or {@link MerkleTree}, so that agreement between the two is evidence, and it verifies
 * proofs by rebuilding the same recursion instead of the RFC's bit-walking algorithms.
 */
final class MerkleReference {

  private MerkleReference() {}

  static byte[] leafHash(byte[] data) {
    return sha256(new byte[] {0}, data);
  }

  static byte[] leafHash(String data) {
    return leafHash(data.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] node(byte[] left, byte[] right) {
    return sha256(new byte[] {1}, left, right);
  }

  static byte[] mth(List<byte[]> d) {
    int n = d.size();
    if (n == 0) {
      return sha256();
    }
    if (n == 1) {
      return d.get(0);
    }
    int k = splitPoint(n);
    return node(mth(slice(d, 0, k)), mth(slice(d, k, n)));
  }

  static List<byte[]> path(int m, List<byte[]> d) {
    int n = d.size();
    if (n == 1) {
      return new ArrayList<>();
    }
    int k = splitPoint(n);
    List<byte[]> out;
    if (m < k) {
      out = path(m, slice(d, 0, k));
      out.add(mth(slice(d, k, n)));
    } else {
      out = path(m - k, slice(d, k, n));
      out.add(mth(slice(d, 0, k)));
    }
    return out;
  }

  static List<byte[]> proof(int m, List<byte[]> d) {
    if (m == 0) {
      return new ArrayList<>();
    }
    return subproof(m, d, true);
  }

  private static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
    int n = d.size();
    if (m == n) {
      List<byte[]> out = new ArrayList<>();
      if (!b) {
        out.add(mth(d));
      }
      return out;
    }
    int k = splitPoint(n);
    List<byte[]> out;
    if (m <= k) {
      out = subproof(m, slice(d, 0, k), b);
      out.add(mth(slice(d, k, n)));
    } else {
      out = subproof(m - k, slice(d, k, n), false);
      out.add(mth(slice(d, 0, k)));
    }
    return out;
  }

  /** Number of hashes {@link #path} returns, from the recursion alone. */
  static int pathLength(long m, long n) {
    if (n <= 1) {
      return 0;
    }
    long k = splitPoint(n);
    return 1 + (m < k ? pathLength(m, k) : pathLength(m - k, n - k));
  }

  /** Number of hashes {@link #proof} returns, from the recursion alone. */
  static int proofLength(long m, long n) {
    return m == 0 ? 0 : subproofLength(m, n, true);
  }

  private static int subproofLength(long m, long n, boolean b) {
    if (m == n) {
      return b ? 0 : 1;
    }
    long k = splitPoint(n);
    return 1 + (m <= k ? subproofLength(m, k, b) : subproofLength(m - k, n - k, false));
  }

  /** Root implied by an audit path, by undoing {@link #path}; null when the length is wrong. */
  static byte[] rootFromPath(long m, long n, byte[] leaf, List<byte[]> path) {
    if (path.size() != pathLength(m, n)) {
      return null;
    }
    if (n == 1) {
      return leaf;
    }
    long k = splitPoint(n);
    byte[] last = path.get(path.size() - 1);
    List<byte[]> rest = path.subList(0, path.size() - 1);
    return m < k ? node(rootFromPath(m, k, leaf, rest), last) : node(last, rootFromPath(m - k, n - k, leaf, rest));
  }

  /** Whether a consistency proof holds, by undoing {@link #subproof}. Requires 0 < m <= n. */
  static boolean consistent(long m, long n, byte[] oldRoot, byte[] newRoot, List<byte[]> proof) {
    if (proof.size() != proofLength(m, n)) {
      return false;
    }
    byte[][] roots = rebuild(m, n, proof, true, oldRoot);
    return Arrays.equals(roots[0], oldRoot) && Arrays.equals(roots[1], newRoot);
  }

  /** {old subtree hash, new subtree hash} for the subtree that {@code subproof(m, D[n], b)} describes. */
  private static byte[][] rebuild(long m, long n, List<byte[]> proof, boolean b, byte[] oldRoot) {
    if (m == n) {
      byte[] h = b ? oldRoot : proof.get(0);
      return new byte[][] {h, h};
    }
    long k = splitPoint(n);
    byte[] last = proof.get(proof.size() - 1);
    List<byte[]> rest = proof.subList(0, proof.size() - 1);
    if (m <= k) {
      byte[][] left = rebuild(m, k, rest, b, oldRoot);
      return new byte[][] {left[0], node(left[1], last)};
    }
    byte[][] right = rebuild(m - k, n - k, rest, false, oldRoot);
    return new byte[][] {node(last, right[0]), node(last, right[1])};
  }

  private static int splitPoint(int n) {
    return (int) splitPoint((long) n);
  }

  private static long splitPoint(long n) {
    long k = 1;
    while (k * 2 < n) {
      k *= 2;
    }
    return k;
  }

  private static List<byte[]> slice(List<byte[]> d, int from, int to) {
    return new ArrayList<>(d.subList(from, to));
  }

  private static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        md.update(part);
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
