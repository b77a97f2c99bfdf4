package fr.socle.canonical;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 JSON Canonicalization Scheme over Vert.x JSON values: the exact bytes that audit leaf hashes
 * and agreement digests cover, so that a verifier re-parsing an export or an agreement recomputes the
 * same hash whatever whitespace, key order or number spelling it was written with.
 *
 * <p>Accepted values are those JSON can hold: {@link JsonObject}, {@link JsonArray}, {@link Map},
 * {@link List}, {@link CharSequence}, {@link Number}, {@link Boolean} and {@code null}. Anything else
 * (an {@code Instant}, a byte array) is refused rather than given an encoding of its own, because its
 * text form would then depend on the Vert.x codec version. Numbers are IEEE 754 doubles as in
 * ECMAScript (RFC 8785 §3.2.2.3): integers beyond 2^53 lose precision, as the RFC specifies;
 * callers that need them exact must send strings.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8785">RFC 8785</a>
 */
public final class Jcs {

  private static final long MAX_EXACT_INTEGER = 1L << 53;

  private Jcs() {}

  /** The canonical UTF-8 bytes of {@code value}. */
  public static byte[] canonicalBytes(Object value) {
    return canonicalize(value).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The canonical text of {@code value}.
   *
   * @throws IllegalArgumentException for values JSON cannot hold: non-finite numbers, lone surrogates,
   *     unsupported types
   */
  public static String canonicalize(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean b) {
      out.append(b.booleanValue());
    } else if (value instanceof CharSequence s) {
      writeString(s.toString(), out);
    } else if (value instanceof Number n) {
      out.append(serializeNumber(toDouble(n)));
    } else if (value instanceof JsonObject o) {
      writeObject(o.getMap(), out);
    } else if (value instanceof Map<?, ?> m) {
      writeObject(m, out);
    } else if (value instanceof JsonArray a) {
      writeArray(a.getList(), out);
    } else if (value instanceof List<?> l) {
      writeArray(l, out);
    } else {
      throw new IllegalArgumentException("no JSON form for a " + value.getClass().getName());
    }
  }

  private static void writeObject(Map<?, ?> map, StringBuilder out) {
    List<String> keys = new ArrayList<>(map.size());
    for (Object key : map.keySet()) {
      if (!(key instanceof String k)) {
        throw new IllegalArgumentException("JSON object key is a " + key.getClass().getName() + ", want a string");
      }
      keys.add(k);
    }
    // String.compareTo compares UTF-16 code units, which is the order RFC 8785 §3.2.3 prescribes.
    keys.sort(null);
    out.append('{');
    for (int i = 0; i < keys.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      writeString(keys.get(i), out);
      out.append(':');
      write(map.get(keys.get(i)), out);
    }
    out.append('}');
  }

  private static void writeArray(List<?> list, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      write(list.get(i), out);
    }
    out.append(']');
  }

  /** RFC 8785 §3.2.2.2: only the two mandatory escapes and control characters; the rest is literal. */
  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          out.append(c).append(s.charAt(++i));
          continue;
        }
        throw new IllegalArgumentException("string has a lone surrogate U+"
            + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at index " + i);
      }
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static double toDouble(Number n) {
    if (n instanceof BigDecimal || n instanceof BigInteger) {
      // Parsing the decimal text rounds correctly once; doubleValue paths may not on every JDK.
      return Double.parseDouble(n.toString());
    }
    return n.doubleValue();
  }

  /**
   * ECMAScript Number::toString (ECMA-262 §7.1.12.1 as cited by RFC 8785 §3.2.2.3): the shortest
   * digits that round-trip, closest to the value when several do, laid out plainly for exponents in
   * [-6, 21) and in exponent form otherwise. Java 17's {@link Double#toString} is not always shortest,
   * so the digits are searched here with exact decimal arithmetic.
   */
  static String serializeNumber(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      throw new IllegalArgumentException("JSON numbers must be finite, got " + v);
    }
    if (v == 0) {
      return "0"; // also -0, per the RFC
    }
    if (v < 0) {
      return "-" + serializeNumber(-v);
    }
    if (v < MAX_EXACT_INTEGER && v == Math.rint(v)) {
      return Long.toString((long) v);
    }
    BigDecimal shortest = shortestRoundTrip(v).stripTrailingZeros();
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale(); // v = 0.digits * 10^n
    StringBuilder out = new StringBuilder();
    if (k <= n && n <= 21) {
      out.append(digits).append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      int e = n - 1;
      out.append(digits.charAt(0));
      if (k > 1) {
        out.append('.').append(digits, 1, k);
      }
      out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
    }
    return out.toString();
  }

  private static BigDecimal shortestRoundTrip(double v) {
    BigDecimal exact = new BigDecimal(v);
    // If some p-digit decimal reads back as v, so does one of p + 1 digits: binary search on p.
    int lo = 1;
    int hi = 17;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (roundTrip(exact, v, mid) != null) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return roundTrip(exact, v, lo);
  }

  /** The decimal of {@code precision} digits closest to {@code exact} that reads back as v, or null. */
  private static BigDecimal roundTrip(BigDecimal exact, double v, int precision) {
    // Any decimal of this precision that reads back as v lies between these two neighbours of v.
    BigDecimal below = exact.round(new MathContext(precision, RoundingMode.FLOOR));
    BigDecimal above = exact.round(new MathContext(precision, RoundingMode.CEILING));
    boolean belowOk = Double.parseDouble(below.toString()) == v;
    boolean aboveOk = Double.parseDouble(above.toString()) == v;
    if (belowOk && aboveOk) {
      int cmp = exact.subtract(below).compareTo(above.subtract(exact));
      if (cmp != 0) {
        return cmp < 0 ? below : above;
      }
      return below.unscaledValue().testBit(0) ? above : below;
    }
    return belowOk ? below : aboveOk ? above : null;
  }
}
