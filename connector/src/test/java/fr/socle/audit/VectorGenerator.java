package fr.socle.audit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.impl.ECDSA;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes the Merkle and tree head vector files under {@code src/test/resources/vectors/audit}. Not a
 * test: the files are committed, and regenerating them changes every tree head (fresh keys).
 *
 * <p>Merkle vectors take their proofs and expected outcomes from {@link MerkleReference} only, never
 * from the code under test. Leaf {@code i} of every tree is the leaf hash of the UTF-8 text {@code
 * "leaf i"}. Run after {@code mvn -o package} from the repository root:
 *
 * <pre>java -cp "connector/target/test-classes:connector/target/classes:connector/target/lib/*" \
 *   fr.socle.audit.VectorGenerator connector/src/test/resources/vectors/audit</pre>
 */
public final class VectorGenerator {

  private static final HexFormat HEX = HexFormat.of();

  private static Path dir;

  private VectorGenerator() {}

  public static void main(String[] args) throws Exception {
    dir = Path.of(args[0]);
    inclusionVectors();
    consistencyVectors();
    treeHeadVectors();
  }

  static List<byte[]> leaves(int n) {
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      leaves.add(MerkleReference.leafHash("leaf " + i));
    }
    return leaves;
  }

  // ---- inclusion

  private static void inclusionVectors() throws IOException {
    for (int[] c : new int[][] {{0, 1}, {0, 2}, {1, 2}, {2, 3}, {0, 7}, {3, 7}, {4, 7}, {6, 7}, {5, 8}, {12, 13}, {64, 100}}) {
      Inclusion valid = Inclusion.valid(c[0], c[1]);
      valid.write("valid-" + c[0] + "-of-" + c[1], "valid proof for leaf " + c[0] + " of " + c[1]);
    }
    for (int[] c : new int[][] {{4, 7}, {12, 13}, {5, 8}}) {
      int index = c[0];
      int size = c[1];
      String at = index + "-of-" + size;
      Inclusion base = Inclusion.valid(index, size);
      base.withProof(flip(base.proof, 1)).write("flipped-proof-bit-" + at, "one bit flipped in proof hash 1");
      base.withLeaf(flipBit(base.leaf)).write("flipped-leaf-bit-" + at, "one bit flipped in the leaf hash");
      base.withRoot(flipBit(base.root)).write("flipped-root-bit-" + at, "one bit flipped in the root");
      base.withProof(base.proof.subList(0, base.proof.size() - 1)).write("truncated-" + at, "last proof hash removed");
      base.withProof(List.of()).write("empty-proof-" + at, "empty proof for a tree of more than one leaf");
      base.withProof(append(base.proof, MerkleReference.leafHash("garbage"))).write("trailing-hash-" + at,
          "an extra hash appended to the proof");
      base.withProof(withLast(base.proof, Arrays.copyOf(last(base.proof), 33))).write("trailing-byte-" + at,
          "a trailing byte appended to the last proof hash");
      base.withProof(withLast(base.proof, Arrays.copyOf(last(base.proof), 31))).write("short-hash-" + at,
          "the last proof hash truncated to 31 bytes");
      base.withSize(size + 1).write("size-plus-one-" + at, "tree size one larger than the proof's");
      base.withSize(size - 1).write("size-minus-one-" + at, "tree size one smaller than the proof's");
      base.withIndex(index - 1).write("index-minus-one-" + at, "leaf index one lower than the proof's");
      base.withIndex(size).write("index-equals-size-" + at, "leaf index equal to the tree size");
      base.withIndex(-1).write("index-negative-" + at, "negative leaf index");
      base.withSize(-1).write("size-negative-" + at, "negative tree size");
      base.withRoot(Arrays.copyOf(base.root, 31)).write("short-root-" + at, "root of 31 bytes");
    }
    Inclusion.valid(0, 1).withSize(0).write("size-zero", "no leaf is in the empty tree");
    Inclusion.valid(0, 5).withSize(6).write("size-unbound-0-of-5",
        "leaf 0 of 5 checked as a tree of 6");
  }

  private static final class Inclusion {
    final long index;
    final long size;
    final byte[] leaf;
    final List<byte[]> proof;
    final byte[] root;

    Inclusion(long index, long size, byte[] leaf, List<byte[]> proof, byte[] root) {
      this.index = index;
      this.size = size;
      this.leaf = leaf;
      this.proof = proof;
      this.root = root;
    }

    static Inclusion valid(int index, int size) {
      List<byte[]> leaves = leaves(size);
      return new Inclusion(index, size, leaves.get(index),
          MerkleReference.path(index, leaves), MerkleReference.mth(leaves));
    }

    Inclusion withIndex(long i) { return new Inclusion(i, size, leaf, proof, root); }
    Inclusion withSize(long s) { return new Inclusion(index, s, leaf, proof, root); }
    Inclusion withLeaf(byte[] l) { return new Inclusion(index, size, l, proof, root); }
    Inclusion withProof(List<byte[]> p) { return new Inclusion(index, size, leaf, p, root); }
    Inclusion withRoot(byte[] r) { return new Inclusion(index, size, leaf, proof, r); }

    String expected() {
      if (size < 0) {
        return "invalid_size";
      }
      if (index < 0 || index >= size) {
        return "index_out_of_range";
      }
      if (leaf.length != 32 || root.length != 32 || proof.stream().anyMatch(p -> p.length != 32)) {
        return "hash_length";
      }
      if (proof.size() != MerkleReference.pathLength(index, size)) {
        return "proof_length";
      }
      return Arrays.equals(MerkleReference.rootFromPath(index, size, leaf, proof), root) ? "ok" : "root_mismatch";
    }

    void write(String name, String desc) throws IOException {
      JsonObject inputs = new JsonObject().put("index", index).put("size", size).put("leafHash", hex(leaf))
          .put("proof", hex(proof)).put("root", hex(root));
      VectorGenerator.write("inclusion-" + name, desc, "inclusion", inputs, expected());
    }
  }

  // ---- consistency

  private static void consistencyVectors() throws IOException {
    for (int[] c : new int[][] {{1, 1}, {1, 2}, {1, 8}, {2, 5}, {3, 7}, {4, 8}, {6, 13}, {7, 8}, {8, 13}, {64, 100}, {99, 100}}) {
      Consistency.valid(c[0], c[1]).write("valid-" + c[0] + "-to-" + c[1], "valid proof from " + c[0] + " to " + c[1]);
    }
    Consistency.valid(0, 5).write("valid-0-to-5", "every tree extends the empty tree: empty proof, empty root");
    Consistency.valid(5, 5).write("valid-5-to-5", "equal sizes, equal roots, empty proof");
    for (int[] c : new int[][] {{6, 13}, {4, 8}, {3, 7}}) {
      long m = c[0];
      long n = c[1];
      String at = m + "-to-" + n;
      Consistency base = Consistency.valid(c[0], c[1]);
      base.withProof(flip(base.proof, 0)).write("flipped-proof-bit-" + at, "one bit flipped in proof hash 0");
      base.withRoot1(flipBit(base.root1)).write("flipped-root1-bit-" + at, "one bit flipped in the first root");
      base.withRoot2(flipBit(base.root2)).write("flipped-root2-bit-" + at, "one bit flipped in the second root");
      base.withRoot1(base.root2).withRoot2(base.root1).write("swapped-roots-" + at, "first and second roots swapped");
      base.withProof(base.proof.subList(0, base.proof.size() - 1)).write("truncated-" + at, "last proof hash removed");
      base.withProof(List.of()).write("empty-proof-" + at, "empty proof between different sizes");
      base.withProof(append(base.proof, MerkleReference.leafHash("garbage"))).write("trailing-hash-" + at,
          "an extra hash appended to the proof");
      base.withProof(withLast(base.proof, Arrays.copyOf(last(base.proof), 33))).write("trailing-byte-" + at,
          "a trailing byte appended to the last proof hash");
      base.withSizes(m + 1, n).write("size1-plus-one-" + at, "first size one larger than the proof's");
      base.withSizes(m - 1, n).write("size1-minus-one-" + at, "first size one smaller than the proof's");
      base.withSizes(m, n + 1).write("size2-plus-one-" + at, "second size one larger than the proof's");
      base.withSizes(m, n - 1).write("size2-minus-one-" + at, "second size one smaller than the proof's");
      base.withSizes(n, m).withRoot1(base.root2).withRoot2(base.root1).write("sizes-swapped-" + at,
          "sizes and roots swapped: the tree would have shrunk");
      base.withRoot1(Arrays.copyOf(base.root1, 31)).write("short-root1-" + at, "first root of 31 bytes");
    }
    Consistency five = Consistency.valid(5, 5);
    five.withRoot2(flipBit(five.root2)).write("equal-sizes-different-roots", "equal sizes but different roots");
    five.withProof(List.of(five.root1)).write("equal-sizes-nonempty-proof", "equal sizes with a non-empty proof");
    Consistency zero = Consistency.valid(0, 5);
    zero.withRoot1(zero.root2).write("zero-wrong-root1", "size 0 with a root that is not the empty tree's");
    zero.withProof(List.of(zero.root2)).write("zero-nonempty-proof", "size 0 with a non-empty proof");
    zero.withSizes(-1, 5).write("size1-negative", "negative first size");
  }

  private static final class Consistency {
    final long m;
    final long n;
    final byte[] root1;
    final byte[] root2;
    final List<byte[]> proof;

    Consistency(long m, long n, byte[] root1, byte[] root2, List<byte[]> proof) {
      this.m = m;
      this.n = n;
      this.root1 = root1;
      this.root2 = root2;
      this.proof = proof;
    }

    static Consistency valid(int m, int n) {
      List<byte[]> leaves = leaves(n);
      return new Consistency(m, n, MerkleReference.mth(leaves.subList(0, m)), MerkleReference.mth(leaves),
          MerkleReference.proof(m, leaves));
    }

    Consistency withSizes(long a, long b) { return new Consistency(a, b, root1, root2, proof); }
    Consistency withRoot1(byte[] r) { return new Consistency(m, n, r, root2, proof); }
    Consistency withRoot2(byte[] r) { return new Consistency(m, n, root1, r, proof); }
    Consistency withProof(List<byte[]> p) { return new Consistency(m, n, root1, root2, p); }

    String expected() {
      if (m < 0 || n < 0) {
        return "invalid_size";
      }
      if (m > n) {
        return "size_order";
      }
      if (root1.length != 32 || root2.length != 32 || proof.stream().anyMatch(p -> p.length != 32)) {
        return "hash_length";
      }
      long want = m == n ? 0 : MerkleReference.proofLength(m, n);
      if (proof.size() != want) {
        return "proof_length";
      }
      if (m == 0) {
        return Arrays.equals(root1, MerkleReference.mth(List.of())) ? "ok" : "root_mismatch";
      }
      if (m == n) {
        return Arrays.equals(root1, root2) ? "ok" : "root_mismatch";
      }
      return MerkleReference.consistent(m, n, root1, root2, proof) ? "ok" : "root_mismatch";
    }

    void write(String name, String desc) throws IOException {
      JsonObject inputs = new JsonObject().put("size1", m).put("size2", n).put("root1", hex(root1))
          .put("root2", hex(root2)).put("proof", hex(proof));
      VectorGenerator.write("consistency-" + name, desc, "consistency", inputs, expected());
    }
  }

  // ---- tree heads

  private static void treeHeadVectors() throws Exception {
    TestPki pki = TestPki.create("Vector federation");
    TestPki other = TestPki.create("Other federation");
    PrivateKey key = pki.nodeKeys.getPrivate();
    List<byte[]> leaves = leaves(7);
    String root = Merkle.encodeHash(MerkleReference.mth(leaves));
    JsonObject claims = new JsonObject().put("size", 7).put("root", root).put("time", "2026-01-01T00:00:00.000Z");
    JsonObject header = new JsonObject().put("alg", "ES256").put("typ", TreeHeadSigner.TYPE)
        .put("x5c", x5c(pki.node));
    String valid = pki.signer().sign(7, MerkleReference.mth(leaves), Instant.parse("2026-01-01T00:00:00Z")).jws();
    String[] parts = valid.split("\\.");
    String at = TestPki.VALID_AT.toString();

    sth("valid", "head signed by TreeHeadSigner", valid, pki, at, "ok");
    sth("valid-root-in-x5c", "x5c also carries the root certificate", es256(header.copy().put("x5c", x5c(pki.node, pki.root)), claims, key), pki, at, "ok");
    sth("two-parts", "not a compact JWS", parts[0] + "." + parts[1], pki, at, "malformed");
    sth("header-not-json", "header is not JSON", b64("not json") + "." + parts[1] + "." + parts[2], pki, at, "malformed");
    sth("typ-missing", "no typ header", es256(without(header, "typ"), claims, key), pki, at, "wrong_type");
    sth("typ-jwt", "typ JWT instead of the tree head type", es256(header.copy().put("typ", "JWT"), claims, key), pki, at, "wrong_type");
    sth("alg-none", "alg none with an empty signature", b64(header.copy().put("alg", "none").encode()) + "." + b64(claims.encode()) + ".", pki, at, "unsigned");
    sth("empty-signature", "alg ES256 with the signature removed", parts[0] + "." + parts[1] + ".", pki, at, "unsigned");
    sth("alg-hs256", "HMAC-signed with the certificate bytes as the secret (key confusion)", hs256(header.copy().put("alg", "HS256"), claims, pki.node.getEncoded()), pki, at, "alg_not_allowed");
    sth("alg-es384", "an algorithm outside the allowlist", es256(header.copy().put("alg", "ES384"), claims, key), pki, at, "alg_not_allowed");
    sth("x5c-missing", "no x5c header", es256(without(header, "x5c"), claims, key), pki, at, "missing_x5c");
    sth("x5c-empty", "empty x5c", es256(header.copy().put("x5c", new JsonArray()), claims, key), pki, at, "missing_x5c");
    sth("x5c-not-der", "x5c element is not a certificate", es256(header.copy().put("x5c", new JsonArray().add(Base64.getEncoder().encodeToString("no".getBytes()))), claims, key), pki, at, "untrusted_chain");
    sth("x5c-other-root", "signed by a node of another federation", es256(header.copy().put("x5c", x5c(other.node)), claims, other.nodeKeys.getPrivate()), pki, at, "untrusted_chain");
    sth("x5c-root-only", "x5c holds only the root certificate", es256(header.copy().put("x5c", x5c(pki.root)), claims, pki.rootKeys.getPrivate()), pki, at, "untrusted_chain");
    KeyPair caKeys = TestPki.ecKeyPair();
    sth("x5c-cannot-sign", "signed with the key of a CA certificate, whose keyUsage lacks digitalSignature",
        es256(header.copy().put("x5c", x5c(pki.caUnderRoot("Intermediate CA", caKeys.getPublic()))), claims,
            caKeys.getPrivate()), pki, at, "untrusted_chain");
    sth("certificate-expired", "verified after the node certificate expired", valid, pki, "2036-01-01T00:00:00Z", "untrusted_chain");
    sth("signature-flipped-bit", "one bit flipped in the signature", parts[0] + "." + parts[1] + "." + flipB64(parts[2]), pki, at, "bad_signature");
    sth("signature-truncated", "signature shortened by three bytes", parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 4), pki, at, "bad_signature");
    sth("signature-trailing-garbage", "three bytes appended to the signature", parts[0] + "." + parts[1] + "." + parts[2] + "AAAA", pki, at, "bad_signature");
    sth("payload-altered", "size changed after signing", parts[0] + "." + b64(claims.copy().put("size", 8).encode()) + "." + parts[2], pki, at, "bad_signature");
    sth("wrong-signer-certificate", "x5c names another valid node certificate than the signing key's", es256(header.copy().put("x5c", x5c(pki.anotherNode("Impostor node"))), claims, key), pki, at, "bad_signature");
    sth("claim-root-missing", "signed without a root claim", es256(header, without(claims, "root"), key), pki, at, "missing_claim");
    sth("claim-size-string", "size is a string", es256(header, claims.copy().put("size", "7"), key), pki, at, "invalid_claim");
    sth("claim-size-negative", "size is negative", es256(header, claims.copy().put("size", -1), key), pki, at, "invalid_claim");
    sth("claim-root-short", "root decodes to 31 bytes", es256(header, claims.copy().put("root", Merkle.encodeHash(new byte[31])), key), pki, at, "invalid_claim");
    sth("claim-time-no-millis", "time without milliseconds", es256(header, claims.copy().put("time", "2026-01-01T00:00:00Z"), key), pki, at, "invalid_claim");
    sth("payload-not-json", "signed payload that is not JSON", es256(header, "size=7", key), pki, at, "malformed");
  }

  private static void sth(String name, String desc, String jws, TestPki pki, String at, String want) throws IOException {
    write("sth-" + name, desc, "tree-head",
        new JsonObject().put("jws", jws).put("rootCa", pki.rootPem()).put("at", at), want);
  }

  private static String es256(JsonObject header, Object payload, PrivateKey key) throws GeneralSecurityException, JOSEException {
    String input = b64(header.encode()) + "." + b64(payload instanceof JsonObject o ? o.encode() : payload.toString());
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    byte[] jose = ECDSA.transcodeSignatureToConcat(s.sign(), 64);
    return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(jose);
  }

  private static String hs256(JsonObject header, JsonObject payload, byte[] secret) throws GeneralSecurityException {
    String input = b64(header.encode()) + "." + b64(payload.encode());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private static JsonArray x5c(X509Certificate... certs) throws GeneralSecurityException {
    JsonArray out = new JsonArray();
    for (X509Certificate cert : certs) {
      out.add(Base64.getEncoder().encodeToString(cert.getEncoded()));
    }
    return out;
  }

  private static JsonObject without(JsonObject o, String field) {
    JsonObject copy = o.copy();
    copy.remove(field);
    return copy;
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String flipB64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(flipBit(Base64.getUrlDecoder().decode(text)));
  }

  // ---- common

  private static void write(String name, String desc, String kind, JsonObject inputs, String wantReason)
      throws IOException {
    if ("ok".equals(wantReason) && !name.contains("valid") && !name.startsWith("sth-")) {
      desc += "; still holds: the proof has the same shape for both sizes, and only the signed root binds the size";
    }
    JsonObject vector = new JsonObject().put("desc", desc).put("kind", kind).put("inputs", inputs)
        .put("wantReason", wantReason);
    Files.writeString(dir.resolve(name + ".json"), vector.encodePrettily() + "\n");
  }

  static byte[] flipBit(byte[] hash) {
    byte[] copy = hash.clone();
    copy[copy.length / 2] ^= 0x10;
    return copy;
  }

  private static List<byte[]> flip(List<byte[]> proof, int i) {
    List<byte[]> copy = new ArrayList<>(proof);
    copy.set(i, flipBit(proof.get(i)));
    return copy;
  }

  private static List<byte[]> append(List<byte[]> proof, byte[] extra) {
    List<byte[]> copy = new ArrayList<>(proof);
    copy.add(extra);
    return copy;
  }

  private static List<byte[]> withLast(List<byte[]> proof, byte[] replacement) {
    List<byte[]> copy = new ArrayList<>(proof);
    copy.set(copy.size() - 1, replacement);
    return copy;
  }

  private static byte[] last(List<byte[]> proof) {
    return proof.get(proof.size() - 1);
  }

  private static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  private static JsonArray hex(List<byte[]> hashes) {
    JsonArray out = new JsonArray();
    hashes.forEach(h -> out.add(hex(h)));
    return out;
  }
}
