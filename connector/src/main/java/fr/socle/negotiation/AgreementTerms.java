package fr.socle.negotiation;

import fr.socle.agreement.AgreementSigner;
import fr.socle.canonical.Jcs;
import fr.socle.policy.LocalizedText;
import fr.socle.protocol.JsonLd;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a provider's agreement changes in the terms its consumer asked for or accepted. The consumer
 * countersigns an agreement only when it grants exactly those terms: a provider could otherwise slip
 * in a prohibition, drop a duty or move a constraint, and both signatures would vouch for terms the
 * consumer never asked for.
 *
 * <p>Both policies are compared for what they mean, not how they are written: each is expanded as
 * JSON-LD in the message that carries it ({@link JsonLd#expandedIn}), then brought to a canonical form
 * where the values of a property form a set (ODRL rules and constraints have no order; a JSON-LD
 * {@code @list} keeps its own) and blank-node names are dropped. Everything is compared but what an
 * agreement legitimately sets itself: its {@code @id}, {@code @type}, {@code timestamp}, the parties
 * ({@code assigner}, {@code assignee}: checked against the two negotiating participants instead) and a
 * signature member. The consumer's usage declaration (purpose, legal basis) is part of its request
 * and is compared like any term.
 */
final class AgreementTerms {

  private static final String ODRL = "http://www.w3.org/ns/odrl/2/";
  private static final String DSPACE = "https://w3id.org/dspace/2025/1/";
  private static final String ASSIGNER = ODRL + "assigner";
  private static final String ASSIGNEE = ODRL + "assignee";
  private static final Set<String> AGREEMENT_OWN = Set.of("@id", "@type", ASSIGNER, ASSIGNEE, DSPACE + "timestamp",
      AgreementSigner.MESSAGE_MEMBER);
  /** Namespaces left out of the names a reason shows: ODRL, DSP and Socle's own (usage declaration). */
  private static final List<String> SHOWN_WITHOUT = List.of(ODRL, DSPACE, "https://w3id.org/socle/v1/");
  /** A reason is for people: one value shown at most this long, at most this many differences named. */
  private static final int MAX_SHOWN = 200;
  private static final int MAX_NAMED = 5;

  private AgreementTerms() {
  }

  /**
   * Each difference between {@code askedFor} (the offer as this consumer last requested or accepted
   * it, usage declaration included) and {@code agreement}, named in English and French; empty when
   * the agreement grants exactly those terms, assigned by {@code provider} to {@code consumer}.
   *
   * @throws fr.socle.protocol.Refusal when either is not JSON-LD this node can read
   */
  static List<LocalizedText> differences(JsonObject askedFor, JsonObject agreement, String provider,
      String consumer) {
    JsonObject asked = JsonLd.expandedIn("ContractRequestMessage", "offer", askedFor);
    JsonObject agreed = JsonLd.expandedIn("ContractAgreementMessage", "agreement", agreement);
    List<LocalizedText> found = new ArrayList<>();
    party(agreed, ASSIGNER, provider, found, "the provider", "le fournisseur");
    party(agreed, ASSIGNEE, consumer, found, "this consumer", "ce consommateur");
    compareNodes("", terms(asked), terms(agreed), found);
    return found;
  }

  /** One reason for all of {@code differences}, the first few named. */
  static LocalizedText summary(List<LocalizedText> differences) {
    List<LocalizedText> named = differences.subList(0, Math.min(MAX_NAMED, differences.size()));
    int more = differences.size() - named.size();
    return new LocalizedText("the agreement differs from the terms this consumer asked for: "
        + String.join("; ", named.stream().map(LocalizedText::en).toList())
        + (more > 0 ? " (and " + more + " more)" : ""),
        "l'accord diffère des termes que ce consommateur a demandés : "
        + String.join(" ; ", named.stream().map(LocalizedText::fr).toList())
        + (more > 0 ? " (et " + more + " de plus)" : ""));
  }

  /** The party {@code property} must be {@code expected}, and no one else. */
  private static void party(JsonObject agreed, String property, String expected, List<LocalizedText> found,
      String whoEn, String whoFr) {
    Object value = agreed.getValue(property);
    if (value instanceof JsonArray one && one.size() == 1 && one.getValue(0) instanceof JsonObject party
        && expected.equals(party.getValue("@id"))) {
      return;
    }
    String name = name(property);
    String shown = value == null ? null : show(canonical(value, false));
    found.add(new LocalizedText(name + ": the agreement names " + (shown == null ? "no one" : shown) + ", not "
        + whoEn + " " + expected, name + " : l'accord désigne " + (shown == null ? "personne" : shown)
        + ", et non " + whoFr + " " + expected));
  }

  /** The policy's terms: the node without what an agreement sets itself, in canonical form. */
  private static JsonObject terms(JsonObject expanded) {
    JsonObject terms = expanded.copy();
    AGREEMENT_OWN.forEach(terms::remove);
    return (JsonObject) canonical(terms, false);
  }

  /**
   * The canonical form of an expanded value: members sorted (by {@link Jcs} when rendered), the
   * values of a property as a sorted set, blank-node names dropped (each side names its own).
   */
  private static Object canonical(Object value, boolean ordered) {
    if (value instanceof JsonObject o) {
      JsonObject out = new JsonObject();
      for (String key : new TreeSet<>(o.fieldNames())) {
        Object member = o.getValue(key);
        if (key.equals("@id") && member instanceof String id && id.startsWith("_:")) {
          continue;
        }
        out.put(key, canonical(member, key.equals("@list")));
      }
      return out;
    }
    if (value instanceof JsonArray a) {
      if (ordered) {
        JsonArray out = new JsonArray();
        a.forEach(v -> out.add(canonical(v, false)));
        return out;
      }
      Map<String, Object> set = new TreeMap<>();
      a.forEach(v -> {
        Object c = canonical(v, false);
        set.put(Jcs.canonicalize(c), c);
      });
      return new JsonArray(new ArrayList<>(set.values()));
    }
    return value;
  }

  /** Names what differs between two canonical nodes, member by member, under {@code path}. */
  private static void compareNodes(String path, JsonObject asked, JsonObject agreed, List<LocalizedText> found) {
    Set<String> keys = new TreeSet<>(asked.fieldNames());
    keys.addAll(agreed.fieldNames());
    for (String key : keys) {
      Object a = asked.getValue(key);
      Object b = agreed.getValue(key);
      if (same(a, b)) {
        continue;
      }
      String where = path.isEmpty() ? name(key) : path + " > " + name(key);
      if (a == null) {
        found.add(added(where, b));
      } else if (b == null) {
        found.add(leftOut(where, a));
      } else if (a instanceof JsonArray as && b instanceof JsonArray bs && !key.equals("@list")) {
        compareSets(where, as, bs, found);
      } else {
        found.add(changed(where, a, b));
      }
    }
  }

  /**
   * Names what differs between two sets of values: one value against one goes on member by member
   * (a constraint's operand, say), otherwise each value the agreement adds or leaves out.
   */
  private static void compareSets(String where, JsonArray asked, JsonArray agreed, List<LocalizedText> found) {
    List<Object> leftOut = new ArrayList<>();
    List<Object> added = new ArrayList<>();
    asked.forEach(v -> {
      if (!contains(agreed, v)) {
        leftOut.add(v);
      }
    });
    agreed.forEach(v -> {
      if (!contains(asked, v)) {
        added.add(v);
      }
    });
    if (leftOut.size() == 1 && added.size() == 1) {
      Object a = leftOut.get(0);
      Object b = added.get(0);
      if (structured(a) && structured(b)) {
        compareNodes(where, (JsonObject) a, (JsonObject) b, found);
      } else {
        found.add(changed(where, a, b));
      }
      return;
    }
    leftOut.forEach(v -> found.add(leftOut(where, v)));
    added.forEach(v -> found.add(added(where, v)));
  }

  private static boolean same(Object a, Object b) {
    return a != null && b != null && Jcs.canonicalize(a).equals(Jcs.canonicalize(b));
  }

  private static boolean contains(JsonArray set, Object value) {
    for (Object v : set) {
      if (same(v, value)) {
        return true;
      }
    }
    return false;
  }

  /** A node with members of its own (a rule, a constraint), not a plain value or a bare reference. */
  private static boolean structured(Object value) {
    return value instanceof JsonObject o && !o.containsKey("@value")
        && !(o.size() == 1 && o.containsKey("@id"));
  }

  private static LocalizedText added(String where, Object value) {
    String shown = show(value);
    return new LocalizedText(where + ": the agreement adds " + shown + ", not asked for",
        where + " : l'accord ajoute " + shown + ", qui n'a pas été demandé");
  }

  private static LocalizedText leftOut(String where, Object value) {
    String shown = show(value);
    return new LocalizedText(where + ": the agreement leaves out " + shown + ", asked for",
        where + " : l'accord omet " + shown + ", qui avait été demandé");
  }

  private static LocalizedText changed(String where, Object asked, Object agreed) {
    String a = show(asked);
    String b = show(agreed);
    return new LocalizedText(where + ": asked for " + a + ", the agreement has " + b,
        where + " : " + a + " demandé, l'accord porte " + b);
  }

  /** A readable, bounded rendering of a canonical value: short names, bare references and literals. */
  private static String show(Object value) {
    String shown = render(value);
    return shown.length() <= MAX_SHOWN ? shown : shown.substring(0, MAX_SHOWN) + "…";
  }

  private static String render(Object value) {
    if (value instanceof JsonArray a) {
      if (a.size() == 1) {
        return render(a.getValue(0));
      }
      List<String> items = new ArrayList<>();
      a.forEach(v -> items.add(render(v)));
      return "[" + String.join(", ", items) + "]";
    }
    if (value instanceof JsonObject o) {
      if (o.containsKey("@value")) {
        return Jcs.canonicalize(o.getValue("@value"));
      }
      if (o.size() == 1 && o.getValue("@id") instanceof String id) {
        return name(id);
      }
      List<String> members = new ArrayList<>();
      o.forEach(e -> members.add(name(e.getKey()) + ": " + render(e.getValue())));
      return "{" + String.join(", ", members) + "}";
    }
    return value instanceof String s ? name(s) : Jcs.canonicalize(value);
  }

  /** An IRI of a known namespace by its local name ({@code prohibition}, {@code purpose}), any other as is. */
  private static String name(String iri) {
    for (String namespace : SHOWN_WITHOUT) {
      if (iri.startsWith(namespace) && iri.length() > namespace.length()) {
        return iri.substring(namespace.length());
      }
    }
    return iri;
  }
}
