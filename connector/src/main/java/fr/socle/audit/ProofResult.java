package fr.socle.audit;

import java.util.Arrays;

/**
 * Outcome of checking a Merkle proof. A root mismatch is kept apart from a {@link Rejected}
 * precondition because it carries both roots, which an auditor needs to report.
 */
public sealed interface ProofResult permits ProofResult.Verified, ProofResult.RootMismatch, Rejected {

  /** The proof holds. */
  record Verified() implements ProofResult {}

  /**
   * The proof is well-formed but leads to another root: {@code expected} is the trusted root handed
   * to the check, {@code calculated} the one the proof produced.
   */
  record RootMismatch(byte[] expected, byte[] calculated) implements ProofResult {
    public RootMismatch {
      expected = expected.clone();
      calculated = calculated.clone();
    }

    @Override
    public byte[] expected() {
      return expected.clone();
    }

    @Override
    public byte[] calculated() {
      return calculated.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RootMismatch other
          && Arrays.equals(expected, other.expected)
          && Arrays.equals(calculated, other.calculated);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(expected) + Arrays.hashCode(calculated);
    }

    @Override
    public String toString() {
      return "root mismatch (want: " + Merkle.encodeHash(expected)
          + ", got: " + Merkle.encodeHash(calculated) + ")";
    }
  }

  /** The one {@link Verified} value. */
  ProofResult VERIFIED = new Verified();

  /** True only for {@link Verified}. */
  default boolean verified() {
    return this instanceof Verified;
  }

  /** The reason code: {@code ok}, {@code root_mismatch} or the rejection's code. */
  default String code() {
    if (this instanceof Rejected r) {
      return r.reason().code();
    }
    return this instanceof RootMismatch ? Reason.ROOT_MISMATCH.code() : "ok";
  }
}
