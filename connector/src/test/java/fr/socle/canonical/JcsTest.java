package fr.socle.canonical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.testing.Vectors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8785 canonicalisation, driven by the {@code jcs-*} vectors: the RFC's own samples (§3.2.2,
 * §3.2.3, Appendix B), and doubles serialised by Node.js, since ECMAScript defines the number form.
 */
class JcsTest {

  static Stream<Arguments> vectors() throws IOException, URISyntaxException {
    return Vectors.load("canonical", "jcs-");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void canonicalisesAsTheVectorSays(String name, JsonObject vector) {
    JsonObject in = vector.getJsonObject("inputs");
    if (vector.getString("kind").equals("jcs")) {
      JsonObject parsed = new JsonObject(in.getString("json"));
      assertThat(Jcs.canonicalize(parsed)).as(vector.getString("desc")).isEqualTo(vector.getString("want"));
      assertThat(Jcs.canonicalBytes(parsed)).isEqualTo(vector.getString("want").getBytes(StandardCharsets.UTF_8));
      return;
    }
    JsonArray numbers = in.getJsonArray("numbers");
    for (int i = 0; i < numbers.size(); i++) {
      JsonArray row = numbers.getJsonArray(i);
      double value = Double.longBitsToDouble(HexFormat.fromHexDigitsToLong(row.getString(0)));
      if (row.getValue(1) == null) {
        assertThatThrownBy(() -> Jcs.canonicalize(value)).as(row.getString(0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("JSON numbers must be finite");
        assertThat(vector.getString("wantReason")).isEqualTo("not_finite");
      } else {
        assertThat(Jcs.canonicalize(value)).as("%s (%s)", row.getString(0), value).isEqualTo(row.getString(1));
      }
    }
  }

  @Test
  void integerTypesAndDecimalsShareTheDoubleForm() {
    assertThat(Jcs.canonicalize(new JsonArray().add(1).add(1L).add(1.0).add(1.0f).add(new BigDecimal("1.00"))
        .add(BigInteger.ONE))).isEqualTo("[1,1,1,1,1,1]");
    // Beyond 2^53 a long is rounded like any double, as RFC 8785 §3.2.2.3 prescribes.
    assertThat(Jcs.canonicalize(Long.MAX_VALUE)).isEqualTo("9223372036854776000");
    assertThat(Jcs.canonicalize(new BigDecimal("0.1000000000000000055511151231257827"))).isEqualTo("0.1");
  }

  @Test
  void rawMapsAndListsAreAcceptedLikeTheirVertxWrappers() {
    Map<String, Object> map = Map.of("b", List.of(1, "x"), "a", Map.of());
    assertThat(Jcs.canonicalize(map)).isEqualTo("{\"a\":{},\"b\":[1,\"x\"]}");
    assertThat(Jcs.canonicalize(new JsonObject(map))).isEqualTo(Jcs.canonicalize(map));
  }

  @Test
  void refusesWhatJsonCannotHold() {
    assertThatThrownBy(() -> Jcs.canonicalize(new JsonObject().put("s", "a\uD800b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("string has a lone surrogate U+D800 at index 1");
    assertThatThrownBy(() -> Jcs.canonicalize(new JsonObject().put("s", "\uDC00")))
        .hasMessage("string has a lone surrogate U+DC00 at index 0");
    assertThatThrownBy(() -> Jcs.canonicalize(new JsonObject().put("t", Instant.EPOCH)))
        .hasMessage("no JSON form for a java.time.Instant");
    assertThatThrownBy(() -> Jcs.canonicalize(Double.NaN))
        .hasMessage("JSON numbers must be finite, got NaN");
  }
}
