package fr.socle.audit;

import static fr.socle.audit.AuditExport.CONSISTENCY;
import static fr.socle.audit.AuditExport.ENTRIES;
import static fr.socle.audit.AuditExport.FORMAT;
import static fr.socle.audit.AuditExport.FORMAT_FIELD;
import static fr.socle.audit.AuditExport.FORMAT_V1;
import static fr.socle.audit.AuditExport.FROM;
import static fr.socle.audit.AuditExport.INCLUSION;
import static fr.socle.audit.AuditExport.LEAF_HASH;
import static fr.socle.audit.AuditExport.PROOF;
import static fr.socle.audit.AuditExport.SIZE;
import static fr.socle.audit.AuditExport.TO;
import static fr.socle.audit.AuditExport.TREE_HEAD;

import fr.socle.agreement.AgreementVerifier;
import fr.socle.audit.AuditReport.Check;
import fr.socle.audit.AuditReport.Unsigned;
import fr.socle.trust.ReasonCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The auditor's offline check of an export (see {@link AuditExport}), needing only the federation
 * root certificate (held by the {@link TreeHeadVerifier}) and optionally an earlier export.
 *
 * <p>Order: document structure; tree head signature and chain; range within the head; every entry
 * (structure, seq in sequence, leaf hash recomputed with JCS and compared with the recorded one); the
 * signed root, recomputed from all entries for a whole-tree export or through one inclusion proof per
 * entry otherwise; then, with an earlier export, its tree head and the consistency proof from its size.
 * Nothing in the export is trusted until the tree head check passed, and the entries are trusted only
 * through the root, never through their recorded hashes. The earlier export is trusted for its tree
 * head only, which is verified again here.
 */
public final class AuditVerifier {

  private static final Set<String> FIELDS = Set.of(FORMAT_FIELD, FROM, TO, TREE_HEAD, ENTRIES, CONSISTENCY);

  private final TreeHeadVerifier heads;
  private final AgreementVerifier agreements;

  public AuditVerifier(TreeHeadVerifier heads) {
    this(heads, null);
  }

  /** @param agreements checks the signatures of agreement entries; null to skip that check */
  public AuditVerifier(TreeHeadVerifier heads, AgreementVerifier agreements) {
    this.heads = Objects.requireNonNull(heads, "heads");
    this.agreements = agreements;
  }

  public AuditReport verify(JsonObject export) {
    return verify(export, null);
  }

  /** @param previous an earlier export of the same log, or null to skip the consistency check */
  public AuditReport verify(JsonObject export, JsonObject previous) {
    return verify(export, previous, false);
  }

  /**
   * @param requireSigned fail when entries lie beyond the last signed tree head; without it they are
   *     reported as unsigned and the export still passes, since a log always has a tail the next head
   *     will cover and that tail is no evidence of tampering
   */
  public AuditReport verify(JsonObject export, JsonObject previous, boolean requireSigned) {
    List<Check> checks = new ArrayList<>();
    Unsigned[] unsigned = new Unsigned[1];
    if (run(export, previous, checks, unsigned)) {
      add(checks, checkUnsigned(unsigned[0], requireSigned));
    }
    return new AuditReport(checks, unsigned[0]);
  }

  /**
   * Adds one check per step, stopping after the first that fails; true when all held. Sets {@code
   * unsigned[0]} once the tree head is trusted, whatever comes after.
   */
  private boolean run(JsonObject export, JsonObject previous, List<Check> checks, Unsigned[] unsigned) {
    String structure = structureProblem(export);
    long from = structure == null ? export.getLong(FROM) : 0;
    long to = structure == null ? export.getLong(TO) : 0;
    if (!add(checks, structure != null ? fail("export", Reason.MALFORMED, structure)
        : ok("export", export.getValue(FORMAT_FIELD) + ", entries [" + from + ", " + to + ")"))) {
      return false;
    }

    TreeHeadResult headResult = heads.verify(export.getString(TREE_HEAD));
    if (!add(checks, check("tree head", headResult))) {
      return false;
    }
    SignedTreeHead head = ((TreeHeadResult.Verified) headResult).head();

    // Entries past the head are read like the others, but nothing signed vouches for them: they are
    // counted apart rather than refused, and only --require-signed turns them into a failure.
    long signedTo = Math.min(to, head.size());
    unsigned[0] = new Unsigned(head.size(), Math.max(from, head.size()), Math.max(to, head.size()));
    add(checks, ok("range", to <= head.size()
        ? "[" + from + ", " + to + ") lies within the tree of size " + head.size()
        : (from < signedTo ? "[" + from + ", " + signedTo + ") lies within the tree of size " + head.size() + "; " : "")
            + "[" + unsigned[0].from() + ", " + to + ") lies beyond it"));

    boolean wholeTree = from == 0 && to >= head.size();
    List<byte[]> leafHashes = new ArrayList<>();
    List<JsonArray> inclusions = new ArrayList<>();
    if (!add(checks, checkEntries(export.getJsonArray(ENTRIES), from, to, head.size(), wholeTree, leafHashes,
        inclusions))) {
      return false;
    }
    if (!add(checks, wholeTree ? checkRoot(leafHashes, head) : checkInclusions(leafHashes, inclusions, from, head))) {
      return false;
    }
    if (!add(checks, checkEarlierHeads(head, export.getJsonArray(CONSISTENCY)))) {
      return false;
    }
    // After the root: only entries proven to be the signed log's are worth checking signatures in.
    Check signed = agreements == null ? null : AgreementEntries.check(agreements, export.getJsonArray(ENTRIES));
    if (signed != null && !add(checks, signed)) {
      return false;
    }
    if (previous == null) {
      return true;
    }

    TreeHeadResult previousResult = heads.verify(previous.getValue(TREE_HEAD) instanceof String s ? s : null);
    if (!add(checks, check("previous tree head", previousResult))) {
      return false;
    }
    SignedTreeHead previousHead = ((TreeHeadResult.Verified) previousResult).head();
    if (!add(checks, checkConsistency(previousHead, head, export.getJsonArray(CONSISTENCY)))) {
      return false;
    }
    Check seen = checkSeenUnsigned(previous, previousHead.size(), export.getJsonArray(ENTRIES), from, to, head.size());
    return seen == null || add(checks, seen);
  }

  /**
   * What a head does not vouch for, an earlier export still witnessed: the entries it showed beyond its
   * head were in the log then, so the log must hold them now, unchanged (compared by leaf hash). A node
   * that lost them in a crash, or rewrote them before signing its next head, fails here. Null when the
   * earlier export showed none.
   */
  private static Check checkSeenUnsigned(JsonObject previous, long previousSize, JsonArray entries, long from,
      long to, long size) {
    SortedMap<Long, String> seen = new TreeMap<>();
    if (previous.getValue(ENTRIES) instanceof JsonArray earlier) {
      for (Object o : earlier) {
        if (o instanceof JsonObject e && e.getValue("seq") instanceof Number seq && seq.longValue() >= previousSize
            && e.getValue(LEAF_HASH) instanceof String hash) {
          seen.put(seq.longValue(), hash);
        }
      }
    }
    if (seen.isEmpty()) {
      return null;
    }
    long first = seen.firstKey();
    long last = seen.lastKey();
    String range = "[" + first + ", " + (last + 1) + ")";
    if (size <= last && to <= last) {
      return fail("previously unsigned", Reason.UNSIGNED_ENTRY_LOST, "l'export précédent montrait les entrées "
          + range + " au-delà de sa tête signée ; le journal n'en a plus que " + Math.max(size, to)
          + " / the previous export showed entries " + range + " beyond its signed head; the log now holds only "
          + Math.max(size, to));
    }
    int compared = 0;
    for (var e : seen.entrySet()) {
      long seq = e.getKey();
      if (seq < from || seq >= to) {
        continue;
      }
      Object now = entries.getJsonObject((int) (seq - from)).getValue(LEAF_HASH);
      if (!e.getValue().equals(now)) {
        return fail("previously unsigned", Reason.UNSIGNED_ENTRY_LOST, "l'entrée " + seq + ", montrée hors tête "
            + "signée par l'export précédent, a changé / entry " + seq + ", shown beyond its signed head by the "
            + "previous export, has changed (leaf hash " + e.getValue() + ", now " + now + ")");
      }
      compared++;
    }
    return ok("previously unsigned", compared + " des " + seen.size() + " entrées " + range + " montrées hors tête "
        + "signée par l'export précédent sont inchangées" + (compared < seen.size() ? " (les autres sont hors de cet "
        + "export)" : "") + " / " + compared + " of the " + seen.size() + " entries " + range + " the previous export "
        + "showed beyond its signed head are unchanged" + (compared < seen.size() ? " (the others lie outside this "
        + "export)" : ""));
  }

  /** The last line, French first then English as the CLI's other texts: how far the signature reaches. */
  private static Check checkUnsigned(Unsigned unsigned, boolean requireSigned) {
    if (unsigned.count() == 0) {
      return ok("unsigned", "aucune entrée hors de la tête d'arbre signée (taille " + unsigned.signedSize()
          + ") / no entry beyond the signed tree head (size " + unsigned.signedSize() + ")");
    }
    String message = unsigned.count() + " entrée(s) [" + unsigned.from() + ", " + unsigned.to()
        + ") après la dernière tête d'arbre signée (taille " + unsigned.signedSize() + ") : aucune signature ne les "
        + "couvre encore / " + unsigned.count() + " entries [" + unsigned.from() + ", " + unsigned.to()
        + ") after the last signed tree head (size " + unsigned.signedSize() + "): no signature covers them yet";
    return requireSigned ? fail("unsigned", Reason.BEYOND_TREE_HEAD, message) : warn("unsigned", message);
  }

  private static String structureProblem(JsonObject export) {
    for (String name : export.fieldNames()) {
      if (!FIELDS.contains(name)) {
        return "unexpected field '" + name + "'";
      }
    }
    if (!FORMAT.equals(export.getValue(FORMAT_FIELD)) && !FORMAT_V1.equals(export.getValue(FORMAT_FIELD))) {
      return "format is " + export.getValue(FORMAT_FIELD) + ", want " + FORMAT + " (or " + FORMAT_V1 + ")";
    }
    Object from = export.getValue(FROM);
    Object to = export.getValue(TO);
    if (!isCount(from) || !isCount(to) || ((Number) from).longValue() > ((Number) to).longValue()) {
      return "range is [" + from + ", " + to + "), want integers 0 <= from <= to";
    }
    if (!(export.getValue(TREE_HEAD) instanceof String)) {
      return "field '" + TREE_HEAD + "' is absent or not a string";
    }
    if (!(export.getValue(ENTRIES) instanceof JsonArray)) {
      return "field '" + ENTRIES + "' is absent or not an array";
    }
    if (!(export.getValue(CONSISTENCY) instanceof JsonArray)) {
      return "field '" + CONSISTENCY + "' is absent or not an array";
    }
    return null;
  }

  /**
   * Checks every entry; those below {@code signedSize} go on to the root or inclusion check through
   * {@code leafHashes} and {@code inclusions}, those beyond can carry no proof.
   */
  private static Check checkEntries(JsonArray entries, long from, long to, long signedSize, boolean wholeTree,
      List<byte[]> leafHashes, List<JsonArray> inclusions) {
    for (int i = 0; i < entries.size(); i++) {
      long want = from + i;
      if (!(entries.getValue(i) instanceof JsonObject json)) {
        return fail("entries", Reason.MALFORMED, "entry at position " + i + " is not a JSON object");
      }
      JsonObject content = json.copy();
      Object recorded = content.remove(LEAF_HASH);
      Object inclusion = content.remove(INCLUSION);
      AuditEntry entry;
      try {
        entry = AuditEntry.fromJson(content);
      } catch (IllegalArgumentException e) {
        return fail("entries", Reason.MALFORMED, "entry at position " + i + ": " + e.getMessage());
      }
      if (entry.seq() != want) {
        return fail("entries", Reason.SEQ_ORDER,
            "seq out of order at position " + i + " (want: " + want + ", got: " + entry.seq() + ")");
      }
      if (!(recorded instanceof String recordedText)) {
        return fail("entries", Reason.MALFORMED,
            "entry " + want + ": field '" + LEAF_HASH + "' is absent or not a string");
      }
      boolean signed = want < signedSize;
      if (!signed && inclusion != null) {
        return fail("entries", Reason.MALFORMED, "entry " + want + ": inclusion proof for an entry beyond the "
            + "signed tree head (size " + signedSize + ")");
      }
      if (signed && wholeTree == (inclusion != null)) {
        return fail("entries", wholeTree ? Reason.MALFORMED : Reason.MISSING_PROOF, "entry " + want + ": "
            + (wholeTree ? "unexpected inclusion proof in a whole-tree export" : "inclusion proof is absent"));
      }
      if (inclusion != null && !(inclusion instanceof JsonArray)) {
        return fail("entries", Reason.MALFORMED, "entry " + want + ": inclusion proof is not an array");
      }
      byte[] computed = entry.leafHash();
      if (!Merkle.encodeHash(computed).equals(recordedText)) {
        return fail("entries", Reason.LEAF_HASH_MISMATCH, "entry " + want + ": leaf hash mismatch (want: "
            + recordedText + ", got: " + Merkle.encodeHash(computed) + ")");
      }
      if (signed) {
        leafHashes.add(computed);
        inclusions.add((JsonArray) inclusion);
      }
    }
    if (entries.size() != to - from) {
      return fail("entries", Reason.SEQ_ORDER, "export holds " + entries.size() + " entries for range ["
          + from + ", " + to + "), want " + (to - from));
    }
    return ok("entries", entries.size() + " entries in sequence, leaf hashes recomputed from their content");
  }

  private static Check checkRoot(List<byte[]> leafHashes, SignedTreeHead head) {
    byte[] computed = Merkle.rootOf(leafHashes);
    if (!Arrays.equals(computed, head.root())) {
      return fail("root", Reason.ROOT_MISMATCH, "entries do not hash to the signed root: "
          + new ProofResult.RootMismatch(head.root(), computed));
    }
    return ok("root", "the " + leafHashes.size() + " entries hash to the signed root");
  }

  private static Check checkInclusions(List<byte[]> leafHashes, List<JsonArray> inclusions, long from,
      SignedTreeHead head) {
    for (int i = 0; i < leafHashes.size(); i++) {
      long seq = from + i;
      ProofResult result;
      try {
        result = Merkle.verifyInclusion(seq, head.size(), leafHashes.get(i),
            AuditExport.decode(inclusions.get(i)), head.root());
      } catch (IllegalArgumentException e) {
        return fail("inclusion", Reason.MALFORMED, "entry " + seq + ": inclusion proof " + e.getMessage());
      }
      if (!result.verified()) {
        return fail("inclusion", reasonOf(result), "entry " + seq + ": inclusion proof does not verify: " + result);
      }
    }
    return ok("inclusion", leafHashes.size() + " inclusion proofs lead to the signed root");
  }

  private static Check checkConsistency(SignedTreeHead old, SignedTreeHead head, JsonArray consistency) {
    long m = old.size();
    long n = head.size();
    if (n < m) {
      return fail("consistency", Reason.TREE_SHRANK, "tree size " + n + " is smaller than previous " + m);
    }
    List<byte[]> proof = List.of(); // what sizes 0 and n need
    if (m > 0 && m < n) {
      JsonObject found = consistencyFrom(consistency, m);
      if (found == null) {
        return fail("consistency", Reason.MISSING_PROOF, "export holds no consistency proof from tree size " + m);
      }
      try {
        if (!(found.getValue(PROOF) instanceof JsonArray hashes)) {
          throw new IllegalArgumentException("field '" + PROOF + "' is absent or not an array");
        }
        proof = AuditExport.decode(hashes);
      } catch (IllegalArgumentException e) {
        return fail("consistency", Reason.MALFORMED, "consistency proof from " + m + ": " + e.getMessage());
      }
    }
    ProofResult result = Merkle.verifyConsistency(m, n, old.root(), head.root(), proof);
    if (!result.verified()) {
      return fail("consistency", reasonOf(result),
          "consistency proof from " + m + " to " + n + " does not verify: " + result);
    }
    return ok("consistency", "the tree of size " + n + " extends the previous tree of size " + m);
  }

  /**
   * The chain of heads: every earlier head the export carries ({@code treeHead} beside its consistency
   * proof) must be signed by the node, be of the size it is filed under, and be extended by the
   * latest head. A node that rewrote its log after signing a head cannot produce that proof.
   */
  private Check checkEarlierHeads(SignedTreeHead head, JsonArray consistency) {
    int checked = 0;
    for (int i = 0; i < consistency.size(); i++) {
      if (!(consistency.getValue(i) instanceof JsonObject item)) {
        return fail("earlier heads", Reason.MALFORMED, "consistency item " + i + " is not a JSON object");
      }
      if (item.getValue(TREE_HEAD) == null) {
        continue; // version 1 exports carry proofs only
      }
      Object size = item.getValue(SIZE);
      if (!(item.getValue(TREE_HEAD) instanceof String jws) || !isCount(size)) {
        return fail("earlier heads", Reason.MALFORMED, "consistency item " + i + ": want a string "
            + TREE_HEAD + " and an integer " + SIZE);
      }
      TreeHeadResult result = heads.verify(jws);
      if (result instanceof Rejected r) {
        return fail("earlier heads", r.reason(), "tree head of size " + size + ": " + r.detail());
      }
      SignedTreeHead earlier = ((TreeHeadResult.Verified) result).head();
      if (earlier.size() != ((Number) size).longValue()) {
        return fail("earlier heads", Reason.MALFORMED, "consistency item " + i + " is filed under size " + size
            + " but its signed head covers " + earlier.size());
      }
      Check consistent = checkConsistency(earlier, head, consistency);
      if (!consistent.ok()) {
        return fail("earlier heads", consistent.failure(), "signed head of size " + earlier.size() + ": "
            + consistent.message());
      }
      checked++;
    }
    return ok("earlier heads", checked == 0 ? "none in the export"
        : checked + " earlier signed heads verify and the latest head extends each of them");
  }

  private static JsonObject consistencyFrom(JsonArray consistency, long m) {
    for (int i = 0; i < consistency.size(); i++) {
      if (consistency.getValue(i) instanceof JsonObject c && c.getValue(SIZE) instanceof Number size
          && size.longValue() == m) {
        return c;
      }
    }
    return null;
  }

  private static boolean isCount(Object value) {
    return (value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0;
  }

  private static ReasonCode reasonOf(ProofResult result) {
    return result instanceof Rejected r ? r.reason() : Reason.ROOT_MISMATCH;
  }

  private static Check check(String name, TreeHeadResult result) {
    if (result instanceof Rejected r) {
      return fail(name, r.reason(), r.detail());
    }
    TreeHeadResult.Verified verified = (TreeHeadResult.Verified) result;
    SignedTreeHead head = verified.head();
    return ok(name, "size " + head.size() + ", root " + Merkle.encodeHash(head.root()) + ", signed "
        + AuditTime.format(head.time()) + " by " + verified.signer().getSubjectX500Principal().getName());
  }

  private static boolean add(List<Check> checks, Check check) {
    checks.add(check);
    return check.ok();
  }

  private static Check ok(String name, String message) {
    return new Check(name, null, message);
  }

  private static Check warn(String name, String message) {
    return new Check(name, null, message, true);
  }

  private static Check fail(String name, ReasonCode reason, String message) {
    return new Check(name, reason, message);
  }
}
