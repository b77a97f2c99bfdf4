package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Merkle} and {@link MerkleTree} against {@link MerkleReference} on random trees: every root,
 * every inclusion proof and every consistency proof of sizes 1..64, then sampled proofs on trees large
 * enough to use {@link MerkleTree}'s memo. Also checks that verification agrees with the reference
 * on randomly mutated proofs, not only on valid ones.
 */
class MerkleCrossCheckTest {

  static IntStream sizes() {
    return IntStream.rangeClosed(1, 64);
  }

  @ParameterizedTest(name = "size {0}")
  @MethodSource("sizes")
  void everyProofMatchesTheReference(int size) {
    List<byte[]> leaves = randomLeaves(size, size);
    byte[] root = MerkleReference.mth(leaves);
    assertThat(Merkle.rootOf(leaves)).isEqualTo(root);
    for (int i = 0; i < size; i++) {
      List<byte[]> proof = Merkle.inclusionProof(i, size, leaves);
      assertThat(proof).as("inclusion proof %d of %d", i, size).containsExactlyElementsOf(MerkleReference.path(i, leaves));
      assertThat(Merkle.verifyInclusion(i, size, leaves.get(i), proof, root).verified()).isTrue();
    }
    for (int m = 0; m <= size; m++) {
      List<byte[]> proof = Merkle.consistencyProof(m, size, leaves);
      assertThat(proof).as("consistency proof %d to %d", m, size)
          .containsExactlyElementsOf(m == size ? List.of() : MerkleReference.proof(m, leaves));
      byte[] oldRoot = MerkleReference.mth(leaves.subList(0, m));
      assertThat(Merkle.verifyConsistency(m, size, oldRoot, root, proof).verified()).as("%d to %d", m, size).isTrue();
    }
  }

  @ParameterizedTest(name = "size {0}")
  @ValueSource(ints = {65, 100, 128, 129, 257, 1000})
  void sampledProofsOnLargerTreesMatchTheReference(int size) {
    List<byte[]> leaves = randomLeaves(size, size);
    byte[] root = MerkleReference.mth(leaves);
    MerkleTree tree = new MerkleTree(leaves, size);
    assertThat(tree.root()).isEqualTo(root);
    Random random = new Random(size);
    for (int s = 0; s < 40; s++) {
      int i = random.nextInt(size);
      assertThat(tree.inclusionProof(i)).containsExactlyElementsOf(MerkleReference.path(i, leaves));
      int m = 1 + random.nextInt(size - 1);
      assertThat(tree.consistencyProof(m)).containsExactlyElementsOf(MerkleReference.proof(m, leaves));
    }
  }

  @Test
  void verificationAgreesWithTheReferenceOnMutatedProofs() {
    Random random = new Random(42);
    for (int round = 0; round < 2000; round++) {
      int size = 1 + random.nextInt(40);
      List<byte[]> leaves = randomLeaves(size, round);
      byte[] root = MerkleReference.mth(leaves);
      int index = random.nextInt(size);
      List<byte[]> proof = mutate(MerkleReference.path(index, leaves), random);
      long claimedSize = Math.max(1, size + random.nextInt(3) - 1);
      long claimedIndex = Math.min(claimedSize - 1, Math.max(0, index + random.nextInt(3) - 1));
      boolean want = proof.size() == MerkleReference.pathLength(claimedIndex, claimedSize)
          && java.util.Arrays.equals(MerkleReference.rootFromPath(claimedIndex, claimedSize, leaves.get(index), proof), root);
      assertThat(Merkle.verifyInclusion(claimedIndex, claimedSize, leaves.get(index), proof, root).verified())
          .as("round %d: leaf %d of %d claimed as %d of %d", round, index, size, claimedIndex, claimedSize)
          .isEqualTo(want);

      int m = 1 + random.nextInt(size);
      List<byte[]> cproof = mutate(MerkleReference.proof(m, leaves), random);
      byte[] oldRoot = MerkleReference.mth(leaves.subList(0, m));
      long claimedM = Math.min(size, Math.max(1, m + random.nextInt(3) - 1));
      boolean wantConsistent = claimedM == size
          ? cproof.isEmpty() && java.util.Arrays.equals(oldRoot, root)
          : MerkleReference.consistent(claimedM, size, oldRoot, root, cproof);
      assertThat(Merkle.verifyConsistency(claimedM, size, oldRoot, root, cproof).verified())
          .as("round %d: %d to %d claimed from %d", round, m, size, claimedM)
          .isEqualTo(wantConsistent);
    }
  }

  /** Leaves nothing alone half of the time, so valid proofs stay well represented. */
  private static List<byte[]> mutate(List<byte[]> proof, Random random) {
    List<byte[]> out = new ArrayList<>(proof);
    switch (random.nextInt(6)) {
      case 0 -> {
        if (!out.isEmpty()) {
          int i = random.nextInt(out.size());
          out.set(i, VectorGenerator.flipBit(out.get(i)));
        }
      }
      case 1 -> {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
      }
      case 2 -> out.add(MerkleReference.leafHash("extra"));
      default -> { }
    }
    return out;
  }

  static List<byte[]> randomLeaves(int size, long seed) {
    Random random = new Random(seed);
    List<byte[]> leaves = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      byte[] data = new byte[1 + random.nextInt(40)];
      random.nextBytes(data);
      leaves.add(MerkleReference.leafHash(data));
    }
    return leaves;
  }
}
