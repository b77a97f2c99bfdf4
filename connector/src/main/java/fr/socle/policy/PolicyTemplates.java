package fr.socle.policy;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The ready-made ODRL policies of {@code policies/templates/} (see its README), which an operator
 * fills with a few parameters instead of writing ODRL.
 *
 * <p>Placeholders ({@code {{name}}}) are replaced inside JSON string values only, never in the JSON
 * text, so no parameter can add a property or break out of its string. A filled value must still make
 * sense where it lands: a typed literal must parse as its datatype ({@code xsd:integer},
 * {@code xsd:duration}, {@code xsd:dateTime}) and a territory must be a code; otherwise the request is
 * refused naming the parameter, rather than storing a policy the evaluator would refuse at every
 * decision. Three placeholders every template shares are filled by the node when not given:
 * {@code policyId} (a new {@code urn:uuid:}), {@code provider} (this node's participant id) and
 * {@code assetId} (the property is left out: an offer sets its target from its own asset).
 *
 * <p>The templates ship inside the jar ({@code fr/socle/policy/templates/*.json}, copied from
 * {@code policies/templates/} by the build) unless the node is configured with another directory.
 */
public final class PolicyTemplates {

  /** Where the build puts the templates in the jar. */
  public static final String RESOURCE_DIR = "fr/socle/policy/templates";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z][A-Za-z0-9]*)}}");
  private static final Set<String> INTEGERS = Set.of("integer", "int", "long", "short", "nonNegativeInteger",
      "positiveInteger", "unsignedInt", "unsignedLong");
  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
  private static final Set<String> DECIMALS = Set.of("decimal", "double", "float");
  private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]+(\\.[0-9]+)?");
  private static final Set<String> DURATIONS = Set.of("duration", "dayTimeDuration", "yearMonthDuration");
  private static final Set<String> INSTANTS = Set.of("dateTime", "dateTimeStamp", "date");

  /** A request the templates cannot satisfy; the message names the template or parameter. */
  public static final class Invalid extends IllegalArgumentException {
    Invalid(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // an operator's mistake, not a bug
    }
  }

  private record Template(String id, JsonObject definition, Set<String> used) {
  }

  private final Map<String, Template> templates;

  private PolicyTemplates(Map<String, Template> templates) {
    this.templates = Map.copyOf(templates);
  }

  /** The templates shipped in the jar. */
  public static PolicyTemplates bundled() {
    URL url = PolicyTemplates.class.getClassLoader().getResource(RESOURCE_DIR);
    if (url == null) {
      throw new IllegalStateException("the policy templates are missing from the class path (" + RESOURCE_DIR + ")");
    }
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem fs;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        return load(fs.provider().getPath(uri));
      }
      return load(Path.of(uri));
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot list the bundled policy templates at " + url + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads every {@code *.json} of {@code dir}; each holds one object keyed by template id.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static PolicyTemplates load(Path dir) {
    Map<String, Template> found = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list policy templates in " + dir + ": " + e.getMessage(), e);
    }
    for (Path file : files) {
      JsonObject content;
      try {
        content = new JsonObject(Files.readString(file));
      } catch (IOException | DecodeException e) {
        throw new IllegalArgumentException("policy template " + file + " is not readable JSON: " + e.getMessage(), e);
      }
      content.forEach(entry -> {
        String where = "policy template '" + entry.getKey() + "' in " + file;
        if (!(entry.getValue() instanceof JsonObject definition)
            || !(definition.getValue("policy") instanceof JsonObject policy)
            || !(definition.getValue("placeholders") instanceof JsonObject placeholders)) {
          throw new IllegalArgumentException(where + " must be an object with 'policy' and 'placeholders'");
        }
        Set<String> used = new LinkedHashSet<>();
        collectPlaceholders(policy, used);
        for (String name : used) {
          if (!placeholders.containsKey(name)) {
            throw new IllegalArgumentException(where + " uses {{" + name + "}} but does not declare it");
          }
        }
        if (found.put(entry.getKey(), new Template(entry.getKey(), definition, used)) != null) {
          throw new IllegalArgumentException(where + " has the id of another template");
        }
      });
    }
    return new PolicyTemplates(found);
  }

  /** Every template with its texts, placeholders (which are required) and policy, sorted by id. */
  public JsonArray list() {
    JsonArray out = new JsonArray();
    new TreeMap<>(templates).values().forEach(t -> {
      JsonObject placeholders = new JsonObject();
      t.definition().getJsonObject("placeholders").forEach(e -> {
        JsonObject p = e.getValue() instanceof JsonObject o ? o.copy() : new JsonObject();
        placeholders.put(e.getKey(), p.put("required", !filledByNode(e.getKey())));
      });
      out.add(new JsonObject().put("id", t.id()).put("title", t.definition().getValue("title"))
          .put("description", t.definition().getValue("description")).put("placeholders", placeholders)
          .put("policy", t.definition().getJsonObject("policy").copy()));
    });
    return out;
  }

  /**
   * The policy of {@code templateId} with its placeholders replaced by {@code parameters}.
   *
   * @param providerId this node's participant id, the default of {@code provider}
   * @throws Invalid for an unknown template, an unknown, missing or mistyped parameter
   */
  public JsonObject instantiate(String templateId, JsonObject parameters, String providerId) {
    Template t = templates.get(templateId);
    if (t == null) {
      throw new Invalid("unknown policy template '" + templateId + "'; known templates: "
          + String.join(", ", new TreeMap<>(templates).keySet()));
    }
    JsonObject declared = t.definition().getJsonObject("placeholders");
    Map<String, String> values = new TreeMap<>();
    for (Map.Entry<String, Object> e : (parameters == null ? new JsonObject() : parameters)) {
      if (!declared.containsKey(e.getKey())) {
        throw new Invalid("unknown parameter '" + e.getKey() + "' for policy template '" + templateId
            + "'; its parameters are " + String.join(", ", declared.fieldNames()));
      }
      values.put(e.getKey(), text(e.getKey(), e.getValue()));
    }
    values.putIfAbsent("policyId", "urn:uuid:" + UUID.randomUUID());
    values.putIfAbsent("provider", providerId);
    for (String name : t.used()) {
      if (!values.containsKey(name) && !filledByNode(name)) {
        JsonObject help = declared.getValue(name) instanceof JsonObject o ? o : new JsonObject();
        throw new Invalid("missing parameter '" + name + "' for policy template '" + templateId + "': "
            + help.getString("en", "no description") + (help.containsKey("example")
                ? " (for example " + help.getValue("example") + ")" : ""));
      }
    }
    return (JsonObject) fill(t.definition().getJsonObject("policy").copy(), values, null);
  }

  private static boolean filledByNode(String name) {
    return name.equals("policyId") || name.equals("provider") || name.equals("assetId");
  }

  private static String text(String name, Object value) {
    if (value instanceof String s && !s.isBlank()) {
      return s.strip();
    }
    if (value instanceof Number n) {
      return new BigDecimal(n.toString()).toPlainString();
    }
    throw new Invalid("parameter '" + name + "' must be a non-empty string or a number, got " + value);
  }

  /** Fills {@code node}; {@code operand} is the left operand when {@code node} is a right operand. */
  private static Object fill(Object node, Map<String, String> values, String operand) {
    if (node instanceof JsonObject object) {
      String left = operandOf(object);
      JsonObject out = new JsonObject();
      for (Map.Entry<String, Object> e : object) {
        Object value = e.getValue();
        // An offer sets its own target: an absent {{assetId}} leaves the property out.
        if (value instanceof String s && s.equals("{{assetId}}") && !values.containsKey("assetId")) {
          continue;
        }
        boolean right = e.getKey().equals("rightOperand") || e.getKey().equals("odrl:rightOperand");
        out.put(e.getKey(), fill(value, values, right ? left : null));
      }
      checkLiteral(object, out, values);
      return out;
    }
    if (node instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(item -> out.add(fill(item, values, operand)));
      return out;
    }
    if (node instanceof String s && s.contains("{{")) {
      String filled = substitute(s, values);
      if (("territory".equals(operand) || "spatial".equals(operand)) && PolicyValues.canonicalCode(filled) == null) {
        throw new Invalid(describe(s, values) + " is not a territory code such as INSEE-DEP:2A or EU:FR");
      }
      return filled;
    }
    return node;
  }

  /** A typed literal whose lexical form came from parameters must be valid for its datatype. */
  private static void checkLiteral(JsonObject template, JsonObject filled, Map<String, String> values) {
    if (!(template.getValue("@value") instanceof String raw) || !raw.contains("{{")
        || !(filled.getValue("@type") instanceof String type)) {
      return;
    }
    String datatype = type.startsWith("xsd:") ? type.substring(4) : type;
    String value = filled.getString("@value");
    boolean valid = INTEGERS.contains(datatype) ? INTEGER.matcher(value).matches()
        : DECIMALS.contains(datatype) ? DECIMAL.matcher(value).matches()
        : DURATIONS.contains(datatype) ? !(PolicyValues.seconds(filled) instanceof JsonObject)
        : !INSTANTS.contains(datatype) || !(PolicyValues.epochNanos(filled) instanceof JsonObject);
    if (!valid) {
      throw new Invalid(describe(raw, values) + " makes '" + value + "', which is not a valid xsd:" + datatype);
    }
  }

  private static String describe(String raw, Map<String, String> values) {
    List<String> names = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(raw);
    while (m.find()) {
      names.add("'" + m.group(1) + "'" + (values.containsKey(m.group(1)) ? " = '" + values.get(m.group(1)) + "'" : ""));
    }
    return "parameter " + String.join(", ", names);
  }

  private static String substitute(String s, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String operandOf(JsonObject constraint) {
    Object left = constraint.getValue("leftOperand");
    if (left == null) {
      left = constraint.getValue("odrl:leftOperand");
    }
    if (!(left instanceof String s)) {
      return null;
    }
    return s.startsWith("socle:") ? s.substring(6) : s.startsWith("odrl:") ? s.substring(5) : s;
  }

  private static void collectPlaceholders(Object node, Set<String> into) {
    if (node instanceof JsonObject o) {
      o.forEach(e -> collectPlaceholders(e.getValue(), into));
    } else if (node instanceof JsonArray a) {
      a.forEach(item -> collectPlaceholders(item, into));
    } else if (node instanceof String s) {
      Matcher m = PLACEHOLDER.matcher(s);
      while (m.find()) {
        into.add(m.group(1));
      }
    }
  }
}
