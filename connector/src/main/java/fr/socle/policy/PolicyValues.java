package fr.socle.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts the right operands of a policy into the units the Rego evaluator compares, before the policy
 * reaches OPA: instants as epoch nanoseconds, durations as seconds, territory codes upper-case.
 *
 * <p>Why in Java: Rego orders every number before every string, so an instant left as text would
 * compare with the node's nanoseconds without error. The node already hands context values over as
 * numbers; converting the policy's side here means Rego only ever compares numbers with numbers, and
 * its type guards are left with nothing but genuine mistakes to report.
 *
 * <p>Contract: {@link #normalise} never throws on policy content and never changes the caller's object.
 * A value it cannot read (an instant without a time zone, {@code "tomorrow"}, a negative duration) is
 * left exactly as written, so that the evaluator refuses it with {@code type_mismatch} and a sentence
 * naming it, instead of the node failing on an exception. The syntax accepted is the evaluator's own
 * (see {@code policies/socle/odrl/operands.rego}): RFC 3339 instants with seconds and a zone, xsd:date
 * as midnight UTC, and xsd:duration with years of 365 days and months of 30.
 */
public final class PolicyValues {

  private static final String ODRL = "http://www.w3.org/ns/odrl/2/";
  private static final Set<String> LEFT = Set.of("leftOperand", "odrl:leftOperand", ODRL + "leftOperand");
  private static final Set<String> RIGHT = Set.of("rightOperand", "odrl:rightOperand", ODRL + "rightOperand");
  private static final Set<String> DATETIME_TYPES = Set.of("", "dateTime", "dateTimeStamp", "date");
  private static final Set<String> DURATION_TYPES = Set.of("", "duration", "dayTimeDuration", "yearMonthDuration");
  private static final Set<String> CODE_OPERANDS = Set.of("spatial", "territory");

  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern DATE_TIME = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})");
  private static final Pattern DURATION = Pattern.compile(
      "P(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)W)?(?:(\\d+)D)?(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?)?");
  private static final long[] DURATION_UNITS = {31_536_000, 2_592_000, 604_800, 86_400, 3_600, 60, 1};
  // INSEE-COM:2A004, EU:FR, FR-2A: letters and digits joined by ':', '-' or '_'. IRIs are left alone.
  private static final Pattern CODE = Pattern.compile("[A-Za-z0-9]+(?:[-:_][A-Za-z0-9]+)*");
  // Deeper than the evaluator reads (four logical levels) by a wide margin; beyond it nothing is
  // converted, and the evaluator refuses the nesting itself.
  private static final int MAX_DEPTH = 64;

  private PolicyValues() {
  }

  /** A copy of {@code policy} with every convertible right operand converted. */
  public static JsonObject normalise(JsonObject policy) {
    if (policy == null) {
      return null;
    }
    JsonObject copy = policy.copy();
    walk(copy, 0);
    return copy;
  }

  private static void walk(Object node, int depth) {
    if (depth > MAX_DEPTH) {
      return;
    }
    if (node instanceof JsonObject object) {
      convertConstraint(object);
      for (String key : object.fieldNames()) {
        walk(object.getValue(key), depth + 1);
      }
    } else if (node instanceof JsonArray array) {
      for (Object item : array) {
        walk(item, depth + 1);
      }
    }
  }

  private static void convertConstraint(JsonObject constraint) {
    String left = null;
    String rightKey = null;
    for (String key : constraint.fieldNames()) {
      if (LEFT.contains(key)) {
        left = operandName(constraint.getValue(key));
      } else if (RIGHT.contains(key)) {
        rightKey = key;
      }
    }
    if (left == null || rightKey == null) {
      return;
    }
    Object right = constraint.getValue(rightKey);
    Object converted = switch (left) {
      case "dateTime" -> epochNanos(right);
      case "elapsedTime" -> seconds(right);
      default -> CODE_OPERANDS.contains(left) ? codes(right) : right;
    };
    constraint.put(rightKey, converted);
  }

  /** The operand's local name, whichever prefix spells it. */
  private static String operandName(Object value) {
    String name = value instanceof JsonObject o && o.getValue("@id") instanceof String id ? id
        : value instanceof String s ? s : null;
    if (name == null) {
      return null;
    }
    for (String prefix : new String[] {"odrl:", ODRL, "socle:"}) {
      if (name.startsWith(prefix)) {
        return name.substring(prefix.length());
      }
    }
    return name;
  }

  /** Epoch nanoseconds of an xsd:dateTime or xsd:date, or the value unchanged. */
  static Object epochNanos(Object right) {
    String text = lexical(right, DATETIME_TYPES);
    if (text == null) {
      return right;
    }
    try {
      if (DATE.matcher(text).matches()) {
        return nanos(LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC));
      }
      if (DATE_TIME.matcher(text).matches()) {
        return nanos(OffsetDateTime.parse(text).toInstant());
      }
    } catch (DateTimeException impossible) {
      // 2025-02-30: the evaluator says so.
    }
    return right;
  }

  /** Nanoseconds in a long up to 2262; beyond, a big integer, which JSON and Rego compare alike. */
  private static Number nanos(Instant instant) {
    try {
      return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    } catch (ArithmeticException beyondLong) {
      return BigInteger.valueOf(instant.getEpochSecond()).multiply(BigInteger.valueOf(1_000_000_000L))
          .add(BigInteger.valueOf(instant.getNano()));
    }
  }

  /** Seconds of an xsd:duration, or the value unchanged (a bare number already is seconds). */
  static Object seconds(Object right) {
    String text = lexical(right, DURATION_TYPES);
    if (text == null || text.equals("P") || text.endsWith("T")) {
      return right;
    }
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return right;
    }
    BigDecimal total = BigDecimal.ZERO;
    for (int i = 0; i < DURATION_UNITS.length; i++) {
      String part = m.group(i + 1);
      if (part != null) {
        total = total.add(new BigDecimal(part).multiply(BigDecimal.valueOf(DURATION_UNITS[i])));
      }
    }
    BigDecimal exact = total.stripTrailingZeros();
    if (exact.scale() <= 0 && exact.toBigInteger().bitLength() < 63) {
      return exact.longValueExact();
    }
    return exact.scale() < 0 ? exact.setScale(0) : exact;
  }

  /** Territory codes as upper-case strings, one or a list; anything else unchanged. */
  static Object codes(Object right) {
    if (right instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(item -> out.add(code(item)));
      return out;
    }
    if (right instanceof JsonObject o && o.getValue("@list") instanceof JsonArray list) {
      return codes(list);
    }
    return code(right);
  }

  private static Object code(Object item) {
    String text = item instanceof String s ? s
        : item instanceof JsonObject o && o.getValue("@id") instanceof String id ? id
        : item instanceof JsonObject o && o.getValue("@value") instanceof String v ? v : null;
    if (text == null) {
      return item;
    }
    String canonical = canonicalCode(text);
    return canonical != null ? canonical : item;
  }

  /** The canonical spelling of a territory code ({@code insee-dep:2a} is {@code INSEE-DEP:2A}), or null. */
  public static String canonicalCode(String text) {
    String trimmed = text.strip();
    return CODE.matcher(trimmed).matches() ? trimmed.toUpperCase(Locale.ROOT) : null;
  }

  /** The lexical form of a literal whose datatype is one of {@code types}, or null. */
  private static String lexical(Object value, Set<String> types) {
    if (value instanceof String s) {
      return s.strip();
    }
    if (value instanceof JsonObject o && o.getValue("@value") instanceof String s
        && types.contains(datatype(o.getValue("@type")))) {
      return s.strip();
    }
    return null;
  }

  private static String datatype(Object type) {
    String name = type instanceof JsonObject o && o.getValue("@id") instanceof String id ? id
        : type instanceof String s ? s : type == null ? "" : null;
    if (name == null) {
      return null;
    }
    for (String prefix : new String[] {"xsd:", "http://www.w3.org/2001/XMLSchema#"}) {
      if (name.startsWith(prefix)) {
        return name.substring(prefix.length());
      }
    }
    return name;
  }
}
