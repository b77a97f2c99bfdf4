package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Known answers and the exact messages of {@link Merkle}'s refusals. */
class MerkleTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void knownAnswersComputedOutsideJava() {
    // Values from a few lines of Python's hashlib over the RFC 9162 definitions.
    assertThat(HEX.formatHex(Merkle.emptyRoot()))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(HEX.formatHex(Merkle.hashLeaf(new byte[0])))
        .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    assertThat(HEX.formatHex(Merkle.rootOf(VectorGenerator.leaves(7))))
        .isEqualTo("5a61fc2b54f9cfa71774f2432143dd40c6cb2b11947faf65a7d3da5cb65199c8");
    assertThat(HEX.formatHex(Merkle.rootOf(VectorGenerator.leaves(100))))
        .isEqualTo("13f88915c560dc911a1da0fb209d84a20971051f294ebeb428fb3fc293af2743");
    assertThat(Merkle.rootOf(List.of())).isEqualTo(Merkle.emptyRoot());
  }

  @Test
  void prefixesSeparateLeavesFromNodes() {
    byte[] a = Merkle.hashLeaf(new byte[] {1});
    byte[] b = Merkle.hashLeaf(new byte[] {2});
    byte[] concatenated = new byte[64];
    System.arraycopy(a, 0, concatenated, 0, 32);
    System.arraycopy(b, 0, concatenated, 32, 32);
    assertThat(Merkle.hashLeaf(concatenated)).isNotEqualTo(Merkle.hashChildren(a, b));
    assertThat(Merkle.LEAF_PREFIX).isEqualTo((byte) 0);
    assertThat(Merkle.NODE_PREFIX).isEqualTo((byte) 1);
  }

  @Test
  void rootMismatchNamesBothRootsInOrder() {
    List<byte[]> leaves = VectorGenerator.leaves(5);
    byte[] root = Merkle.rootOf(leaves);
    byte[] other = Merkle.rootOf(leaves.subList(0, 4));
    ProofResult result = Merkle.verifyInclusion(2, 5, leaves.get(2), Merkle.inclusionProof(2, 5, leaves), other);
    assertThat(result).isEqualTo(new ProofResult.RootMismatch(other, root));
    assertThat(result.toString()).isEqualTo(
        "root mismatch (want: " + Merkle.encodeHash(other) + ", got: " + Merkle.encodeHash(root) + ")");
  }

  @Test
  void consistencyMismatchNamesTheRootThatFailed() {
    List<byte[]> leaves = VectorGenerator.leaves(13);
    byte[] root6 = Merkle.rootOf(leaves.subList(0, 6));
    byte[] root13 = Merkle.rootOf(leaves);
    List<byte[]> proof = Merkle.consistencyProof(6, 13, leaves);
    byte[] wrong = Merkle.hashLeaf(new byte[] {9});
    assertThat(Merkle.verifyConsistency(6, 13, root6, wrong, proof)).isEqualTo(new ProofResult.RootMismatch(wrong, root13));
    assertThat(Merkle.verifyConsistency(6, 13, wrong, root13, proof)).isEqualTo(new ProofResult.RootMismatch(wrong, root6));
  }

  @Test
  void preconditionMessagesSayWantAndGot() {
    List<byte[]> leaves = VectorGenerator.leaves(7);
    byte[] root = Merkle.rootOf(leaves);
    List<byte[]> proof = Merkle.inclusionProof(4, 7, leaves);
    assertThat(Merkle.verifyInclusion(7, 7, leaves.get(0), proof, root))
        .isEqualTo(new Rejected(Reason.INDEX_OUT_OF_RANGE, "leaf index 7 is not in [0, 7)"));
    assertThat(Merkle.verifyInclusion(4, 7, leaves.get(4), proof.subList(0, 2), root))
        .isEqualTo(new Rejected(Reason.PROOF_LENGTH, "inclusion proof has 2 hashes, want 3"));
    assertThat(Merkle.verifyInclusion(4, 7, new byte[31], proof, root))
        .isEqualTo(new Rejected(Reason.HASH_LENGTH, "leaf hash has 31 bytes, want 32"));
    assertThat(Merkle.verifyInclusion(4, -7, leaves.get(4), proof, root))
        .isEqualTo(new Rejected(Reason.INVALID_SIZE, "tree size must not be negative, got -7"));
    assertThat(Merkle.verifyConsistency(9, 8, root, root, List.of()))
        .isEqualTo(new Rejected(Reason.SIZE_ORDER, "first tree size 9 exceeds second tree size 8"));
    assertThat(Merkle.verifyConsistency(3, 7, root, root, List.of(root, new byte[33])))
        .isEqualTo(new Rejected(Reason.HASH_LENGTH, "consistency proof hash 1 has 33 bytes, want 32"));
    assertThat(Merkle.verifyConsistency(3, 7, root, root, List.of(root)))
        .isEqualTo(new Rejected(Reason.PROOF_LENGTH, "consistency proof has 1 hashes, want 4"));
  }

  @Test
  void generationRefusesSizesBeyondTheLeaves() {
    List<byte[]> leaves = VectorGenerator.leaves(3);
    assertThatThrownBy(() -> Merkle.inclusionProof(0, 4, leaves))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tree size 4 is not in [0, 3] (the number of leaves)");
    assertThatThrownBy(() -> Merkle.inclusionProof(3, 3, leaves))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leaf index 3 is not in [0, 3)");
    assertThatThrownBy(() -> Merkle.consistencyProof(3, 2, leaves))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("first tree size 3 is not in [0, 2]");
    assertThatThrownBy(() -> Merkle.rootFromInclusionProof(0, 3, leaves.get(0), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inclusion proof has 0 hashes, want 2");
  }

  @Test
  void hashTextIsCanonicalBase64Url() {
    byte[] hash = Merkle.hashLeaf(new byte[] {7});
    String text = Merkle.encodeHash(hash);
    assertThat(text).hasSize(43).doesNotContain("=", "+", "/");
    assertThat(Merkle.decodeHash(text)).isEqualTo(hash);
    assertThatThrownBy(() -> Merkle.decodeHash(text + "="))
        .hasMessageContaining("not in canonical unpadded base64url");
    assertThatThrownBy(() -> Merkle.decodeHash(text.substring(0, 42) + "B"))
        .hasMessageContaining("not in canonical unpadded base64url");
    assertThatThrownBy(() -> Merkle.decodeHash("AAAA"))
        .hasMessage("hash has 3 bytes, want 32");
  }
}
