package fr.socle.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The export document an auditor checks offline, written by {@link AuditLog#export} and read by
 * {@link AuditVerifier}. Version 1:
 *
 * <pre>{@code
 * { "format": "socle-audit-export/1",
 *   "from": 0, "to": 100,                     // entries [from, to), to exclusive
 *   "treeHead": "<compact JWS>",              // latest signed head, size N >= to
 *   "entries": [ { "seq", "time", "type", "subject", "payload",
 *                  "leafHash",                // base64url, as recorded by the node
 *                  "inclusion": [ ... ] } ],  // audit path in tree N; absent when [from, to) = [0, N)
 *   "consistency": [ { "size": m, "proof": [ ... ] } ] }  // from every earlier head size 0 < m < N
 * }</pre>
 *
 * <p>The document repeats nothing the signed head covers (size, root): an unsigned copy could only
 * mislead a reader. A full export lets the auditor recompute the root itself; a partial one carries an
 * inclusion proof per entry instead. The consistency proofs let an auditor holding any earlier head of
 * this node, from a previous export, check that the log only grew since.
 */
final class AuditExport {

  static final String FORMAT = "socle-audit-export/1";

  static final String FORMAT_FIELD = "format";
  static final String FROM = "from";
  static final String TO = "to";
  static final String TREE_HEAD = "treeHead";
  static final String ENTRIES = "entries";
  static final String CONSISTENCY = "consistency";
  static final String LEAF_HASH = "leafHash";
  static final String INCLUSION = "inclusion";
  static final String SIZE = "size";
  static final String PROOF = "proof";

  private AuditExport() {}

  /**
   * @param entries entries {@code [from, to)} as {@link AuditEntry#toJson} plus {@link #LEAF_HASH}
   * @param tree the tree the head was signed over ({@code tree.size() == head.size()})
   * @param headSizes sizes of all signed heads; those in {@code (0, N)} get a consistency proof
   */
  static JsonObject build(long from, long to, SignedTreeHead head, List<JsonObject> entries,
      MerkleTree tree, List<Long> headSizes) {
    boolean wholeTree = from == 0 && to == head.size();
    JsonArray entryArray = new JsonArray();
    for (JsonObject entry : entries) {
      if (!wholeTree) {
        entry.put(INCLUSION, encode(tree.inclusionProof(entry.getLong("seq"))));
      }
      entryArray.add(entry);
    }
    JsonArray consistency = new JsonArray();
    for (long m : headSizes) {
      if (m > 0 && m < head.size()) {
        consistency.add(new JsonObject().put(SIZE, m).put(PROOF, encode(tree.consistencyProof(m))));
      }
    }
    return new JsonObject()
        .put(FORMAT_FIELD, FORMAT)
        .put(FROM, from)
        .put(TO, to)
        .put(TREE_HEAD, head.jws())
        .put(ENTRIES, entryArray)
        .put(CONSISTENCY, consistency);
  }

  static JsonArray encode(List<byte[]> hashes) {
    JsonArray out = new JsonArray();
    for (byte[] hash : hashes) {
      out.add(Merkle.encodeHash(hash));
    }
    return out;
  }

  /**
   * @throws IllegalArgumentException naming the first element that is not a base64url hash
   */
  static List<byte[]> decode(JsonArray hashes) {
    List<byte[]> out = new ArrayList<>(hashes.size());
    for (int i = 0; i < hashes.size(); i++) {
      if (!(hashes.getValue(i) instanceof String text)) {
        throw new IllegalArgumentException("proof element " + i + " is not a string");
      }
      try {
        out.add(Merkle.decodeHash(text));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("proof element " + i + ": " + e.getMessage());
      }
    }
    return out;
  }
}
