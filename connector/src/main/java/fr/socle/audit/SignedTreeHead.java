package fr.socle.audit;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tree head as signed by a node: the number of entries, the Merkle root over them, the signing time
 * and the compact JWS that carries all three. The JWS is the only part an auditor should trust, and
 * only after {@link TreeHeadVerifier} accepted it; the other fields are its decoded claims.
 */
public record SignedTreeHead(long size, byte[] root, Instant time, String jws) {

  public SignedTreeHead {
    if (size < 0) {
      throw new IllegalArgumentException("tree size must not be negative, got " + size);
    }
    if (root.length != Merkle.HASH_LENGTH) {
      throw new IllegalArgumentException("root has " + root.length + " bytes, want " + Merkle.HASH_LENGTH);
    }
    root = root.clone();
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(jws, "jws");
  }

  @Override
  public byte[] root() {
    return root.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedTreeHead other
        && size == other.size
        && Arrays.equals(root, other.root)
        && time.equals(other.time)
        && jws.equals(other.jws);
  }

  @Override
  public int hashCode() {
    return Objects.hash(size, Arrays.hashCode(root), time, jws);
  }

  @Override
  public String toString() {
    return "SignedTreeHead[size=" + size + ", root=" + Merkle.encodeHash(root)
        + ", time=" + AuditTime.format(time) + "]";
  }
}
