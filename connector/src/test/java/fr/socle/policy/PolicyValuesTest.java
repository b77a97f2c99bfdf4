package fr.socle.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conversion of right operands into the evaluator's units, and its contract: what cannot be read is
 * left as written (for Rego's {@code type_mismatch}), nothing throws, the caller's policy is untouched.
 */
class PolicyValuesTest {

  private static final long NOV_26_2025 = 1_764_115_200_000_000_000L;

  private static JsonObject constraint(Object left, Object right) {
    return new JsonObject().put("leftOperand", left).put("operator", "lt").put("rightOperand", right);
  }

  private static Object convert(Object left, Object right) {
    JsonObject policy = new JsonObject().put("permission", new JsonArray().add(new JsonObject().put("action", "use")
        .put("constraint", new JsonArray().add(constraint(left, right)))));
    return PolicyValues.normalise(policy).getJsonArray("permission").getJsonObject(0).getJsonArray("constraint")
        .getJsonObject(0).getValue("rightOperand");
  }

  static Stream<Arguments> conversions() {
    return Stream.of(
        Arguments.of("dateTime", "2025-11-26T00:00:00Z", NOV_26_2025),
        Arguments.of("dateTime", "2025-11-26T01:00:00+01:00", NOV_26_2025),
        Arguments.of("dateTime", "2025-11-26T00:00:00.000000001Z", NOV_26_2025 + 1),
        Arguments.of("dateTime", "2025-11-26", NOV_26_2025),
        Arguments.of("dateTime", "2999-01-01T00:00:00Z", new BigInteger("32472144000000000000")),
        Arguments.of("dateTime", new JsonObject().put("@value", "2025-11-26T00:00:00Z").put("@type", "xsd:dateTime"),
            NOV_26_2025),
        Arguments.of("odrl:dateTime", new JsonObject().put("@value", "2025-11-26").put("@type",
            new JsonObject().put("@id", "http://www.w3.org/2001/XMLSchema#date")), NOV_26_2025),
        Arguments.of(new JsonObject().put("@id", "http://www.w3.org/ns/odrl/2/dateTime"), "2025-11-26T00:00:00Z",
            NOV_26_2025),
        Arguments.of("elapsedTime", "P30D", 2_592_000L),
        Arguments.of("elapsedTime", "PT1H", 3_600L),
        Arguments.of("elapsedTime", "P1Y2M1W", 31_536_000L + 2 * 2_592_000L + 604_800L),
        Arguments.of("elapsedTime", "PT59M60S", 3_600L),
        Arguments.of("elapsedTime", "PT1.5S", new BigDecimal("1.5")),
        Arguments.of("elapsedTime", new JsonObject().put("@value", "P1D").put("@type", "xsd:dayTimeDuration"), 86_400L),
        Arguments.of("elapsedTime", 3600, 3600),
        Arguments.of("territory", "insee-dep:2a", "INSEE-DEP:2A"),
        Arguments.of("socle:territory", " eu:fr ", "EU:FR"),
        Arguments.of("territory", new JsonObject().put("@id", "insee-reg:94"), "INSEE-REG:94"),
        Arguments.of("spatial", new JsonArray().add("fr").add(new JsonObject().put("@value", "fr-2a")),
            new JsonArray().add("FR").add("FR-2A")),
        Arguments.of("territory", new JsonObject().put("@list", new JsonArray().add("insee-dep:2b")),
            new JsonArray().add("INSEE-DEP:2B")));
  }

  @ParameterizedTest
  @MethodSource("conversions")
  void convertsToTheEvaluatorsUnits(Object left, Object right, Object expected) {
    assertThat(convert(left, right)).isEqualTo(expected);
  }

  /** Values the evaluator must see as written, so that it refuses them with a reason. */
  static Stream<Arguments> leftAlone() {
    return Stream.of(
        Arguments.of("dateTime", "2025-12-31T00:00:00"),
        Arguments.of("dateTime", "2025-11-26T00:00Z"),
        Arguments.of("dateTime", "tomorrow"),
        Arguments.of("dateTime", "2025-02-30"),
        Arguments.of("dateTime", "+999999999-12-31T00:00:00Z"),
        Arguments.of("dateTime", new JsonObject().put("@value", "2025-12-31").put("@type", "xsd:duration")),
        Arguments.of("dateTime", 12),
        Arguments.of("dateTime", new JsonArray().add("2025-11-26")),
        Arguments.of("elapsedTime", "P"),
        Arguments.of("elapsedTime", "P1DT"),
        Arguments.of("elapsedTime", "-P1D"),
        Arguments.of("elapsedTime", "PT0.5H"),
        Arguments.of("elapsedTime", "30 days"),
        Arguments.of("elapsedTime", new JsonObject().put("@value", "P1D").put("@type", "xsd:dateTime")),
        Arguments.of("territory", "https://example.org/territory/2A"),
        Arguments.of("territory", 75),
        Arguments.of("purpose", "Statistics"),
        Arguments.of("count", new JsonObject().put("@value", "10").put("@type", "xsd:integer")),
        Arguments.of("unknownOperand", "2025-11-26"));
  }

  @ParameterizedTest
  @MethodSource("leftAlone")
  void leavesWhatItCannotReadAsWritten(Object left, Object right) {
    assertThat(convert(left, right)).isEqualTo(right);
  }

  @Test
  void convertsInsideLogicalConstraintsRefinementsAndDuties() {
    JsonObject policy = new JsonObject()
        .put("permission", new JsonObject().put("action", new JsonObject().put("@id", "use")
            .put("refinement", constraint("odrl:spatial", "fr")))
            .put("constraint", new JsonObject().put("or", new JsonObject().put("@list", new JsonArray()
                .add(constraint("dateTime", "2025-11-26")).add(new JsonObject().put("and", new JsonArray()
                    .add(constraint("http://www.w3.org/ns/odrl/2/elapsedTime", "P1D")))))))
            .put("duty", new JsonArray().add(new JsonObject().put("action", "delete")
                .put("constraint", constraint("dateTime", "2025-11-26")))));
    JsonObject out = PolicyValues.normalise(policy);
    JsonObject permission = out.getJsonObject("permission");
    assertThat(permission.getJsonObject("action").getJsonObject("refinement").getValue("rightOperand"))
        .isEqualTo("FR");
    JsonArray or = permission.getJsonObject("constraint").getJsonObject("or").getJsonArray("@list");
    assertThat(or.getJsonObject(0).getValue("rightOperand")).isEqualTo(NOV_26_2025);
    assertThat(or.getJsonObject(1).getJsonArray("and").getJsonObject(0).getValue("rightOperand")).isEqualTo(86_400L);
    assertThat(permission.getJsonArray("duty").getJsonObject(0).getJsonObject("constraint").getValue("rightOperand"))
        .isEqualTo(NOV_26_2025);
  }

  @Test
  void neverChangesTheCallersPolicy() {
    JsonObject policy = new JsonObject().put("permission", new JsonArray().add(new JsonObject()
        .put("constraint", constraint("dateTime", "2025-11-26"))));
    JsonObject before = policy.copy();
    PolicyValues.normalise(policy);
    assertThat(policy).isEqualTo(before);
    assertThat(PolicyValues.normalise(null)).isNull();
  }

  /** As deep as a JSON body may be: Jackson refuses to parse documents nested more than 1000 levels. */
  @Test
  void deeplyNestedPoliciesDoNotBreakTheNode() {
    JsonObject deep = constraint("dateTime", "2025-11-26");
    for (int i = 0; i < 495; i++) {
      deep = new JsonObject().put("and", new JsonArray().add(deep));
    }
    JsonObject policy = new JsonObject().put("permission", new JsonObject().put("constraint", deep));
    assertThat(PolicyValues.normalise(policy)).isNotNull();
  }
}
