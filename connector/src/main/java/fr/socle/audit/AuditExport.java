package fr.socle.audit;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The export an auditor checks offline, written by {@link AuditLog#export} and read by {@link
 * AuditVerifier}. On the wire and on disk it is JSON Lines (version 2), one JSON object per line, each
 * naming its {@code record}:
 *
 * <pre>{@code
 * {"record":"header","format":"socle-audit-export/2","from":0,"to":100}   // entries [from, to)
 * {"record":"treeHead","jws":"<compact JWS>"}       // latest signed head, of size N
 * {"record":"entry","seq":..,"time":..,"type":..,"subject":..,"payload":{..},
 *  "leafHash":"..","inclusion":[..]}                // inclusion absent when from = 0 and to >= N,
 *                                                   // and for seq >= N, which no head covers
 * {"record":"consistency","size":m,"treeHead":"<JWS of the head of size m>","proof":[..]}
 * }</pre>
 *
 * <p>One entry per line lets an auditor stream, grep and split a large export; the signed heads of
 * every earlier size with their consistency proofs let the verifier check the whole chain of heads
 * the node signed, not only the latest. In memory the same content is one JSON object (the version 1
 * document, {@link #FORMAT_V1}, still read for exports made before): fields {@code from}, {@code to},
 * {@code treeHead}, {@code entries}, {@code consistency}.
 *
 * <p>The node signs a head before exporting when none covers {@code to} yet, so its own exports
 * have {@code N >= to}; entries {@code [N, to)} of any other are unsigned, which {@link AuditVerifier}
 * reports (and refuses when asked to).
 *
 * <p>The export repeats nothing the signed head covers (size, root): an unsigned copy could only
 * mislead a reader. A full export lets the auditor recompute the root itself; a partial one carries an
 * inclusion proof per entry instead.
 */
public final class AuditExport {

  static final String FORMAT = "socle-audit-export/2";
  static final String FORMAT_V1 = "socle-audit-export/1";
  /** Media type of the JSON Lines form. */
  public static final String MEDIA_TYPE = "application/jsonl";

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
  static final String RECORD = "record";
  static final String JWS = "jws";

  private AuditExport() {}

  /**
   * @param entries entries {@code [from, to)} as {@link AuditEntry#toJson} plus {@link #LEAF_HASH}
   * @param tree the tree the head was signed over ({@code tree.size() == head.size()}); entries
   *     beyond it are written without an inclusion proof
   * @param heads one signed head per size; those of size in {@code (0, N)} get a consistency proof
   */
  static JsonObject build(long from, long to, SignedTreeHead head, List<JsonObject> entries,
      MerkleTree tree, List<SignedTreeHead> heads) {
    boolean wholeTree = from == 0 && to >= head.size();
    JsonArray entryArray = new JsonArray();
    for (JsonObject entry : entries) {
      if (!wholeTree && entry.getLong("seq") < head.size()) {
        entry.put(INCLUSION, encode(tree.inclusionProof(entry.getLong("seq"))));
      }
      entryArray.add(entry);
    }
    JsonArray consistency = new JsonArray();
    for (SignedTreeHead earlier : heads) {
      long m = earlier.size();
      if (m > 0 && m < head.size()) {
        consistency.add(new JsonObject().put(SIZE, m).put(TREE_HEAD, earlier.jws())
            .put(PROOF, encode(tree.consistencyProof(m))));
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

  /** The JSON Lines form of a document {@link #build} made; every line ends with a newline. */
  public static String toJsonLines(JsonObject export) {
    StringBuilder out = new StringBuilder();
    line(out, new JsonObject().put(RECORD, "header").put(FORMAT_FIELD, FORMAT).put(FROM, export.getValue(FROM))
        .put(TO, export.getValue(TO)));
    line(out, new JsonObject().put(RECORD, "treeHead").put(JWS, export.getValue(TREE_HEAD)));
    for (Object entry : export.getJsonArray(ENTRIES)) {
      line(out, new JsonObject().put(RECORD, "entry").mergeIn((JsonObject) entry));
    }
    for (Object c : export.getJsonArray(CONSISTENCY)) {
      line(out, new JsonObject().put(RECORD, "consistency").mergeIn((JsonObject) c));
    }
    return out.toString();
  }

  private static void line(StringBuilder out, JsonObject json) {
    out.append(json.encode()).append('\n');
  }

  /**
   * Reads an export file: JSON Lines (version 2), or the single JSON document of version 1. Only the
   * layout is read here; every value is checked by {@link AuditVerifier}.
   *
   * @throws IllegalArgumentException naming the line that is not a JSON object or not a known record
   */
  public static JsonObject parse(String text) {
    String trimmed = text.strip();
    int firstLineEnd = trimmed.indexOf('\n');
    String first = firstLineEnd < 0 ? trimmed : trimmed.substring(0, firstLineEnd);
    JsonObject head;
    try {
      head = new JsonObject(first);
    } catch (DecodeException | ClassCastException e) {
      // A pretty-printed version 1 document spans lines.
      return object(trimmed, "the export");
    }
    if (!head.containsKey(RECORD)) {
      return object(trimmed, "the export");
    }
    JsonObject doc = new JsonObject().put(ENTRIES, new JsonArray()).put(CONSISTENCY, new JsonArray());
    String[] lines = trimmed.split("\n");
    for (int i = 0; i < lines.length; i++) {
      int number = i + 1;
      if (lines[i].isBlank()) {
        continue;
      }
      JsonObject json = object(lines[i], "line " + number);
      Object kind = json.remove(RECORD);
      if ((i == 0) != "header".equals(kind)) {
        throw new IllegalArgumentException("line " + number + ": record is " + kind
            + (i == 0 ? ", want header first" : ", want a single header, on line 1"));
      }
      switch (String.valueOf(kind)) {
        case "header" -> json.forEach(e -> doc.put(e.getKey(), e.getValue()));
        case "treeHead" -> {
          if (doc.containsKey(TREE_HEAD)) {
            throw new IllegalArgumentException("line " + number + ": a second treeHead record");
          }
          doc.put(TREE_HEAD, json.getValue(JWS));
        }
        case "entry" -> doc.getJsonArray(ENTRIES).add(json);
        case "consistency" -> doc.getJsonArray(CONSISTENCY).add(json);
        default -> throw new IllegalArgumentException("line " + number + ": unknown record " + kind);
      }
    }
    return doc;
  }

  private static JsonObject object(String text, String what) {
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(what + " is not a JSON object: " + e.getMessage());
    }
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
