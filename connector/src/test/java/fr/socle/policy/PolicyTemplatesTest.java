package fr.socle.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.testing.Paths;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Filling the operators' policy templates: placeholders, defaults, types, and refusals that name the culprit. */
class PolicyTemplatesTest {

  private static final String PROVIDER = "NTRFR-239900038";
  private final PolicyTemplates templates = PolicyTemplates.bundled();

  @Test
  void theJarShipsEveryTemplateOfPolicies() throws Exception {
    List<String> files;
    try (var listing = Files.list(Paths.policies().resolve("templates"))) {
      files = listing.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
    }
    JsonArray listed = templates.list();
    assertThat(listed.stream().map(t -> ((JsonObject) t).getString("id")).toList()).isEqualTo(files);
    JsonObject territory = listed.stream().map(JsonObject.class::cast)
        .filter(t -> t.getString("id").equals("territory-public-bodies")).findFirst().orElseThrow();
    assertThat(territory.getJsonObject("title").getString("fr")).isNotBlank();
    assertThat(territory.getJsonObject("placeholders").getJsonObject("territory").getBoolean("required")).isTrue();
    assertThat(territory.getJsonObject("placeholders").getJsonObject("provider").getBoolean("required")).isFalse();
  }

  @Test
  void everyTemplateFilledWithItsExamplesLeavesNoPlaceholder() {
    for (Object o : templates.list()) {
      JsonObject t = (JsonObject) o;
      JsonObject parameters = new JsonObject();
      t.getJsonObject("placeholders").forEach(e -> parameters.put(e.getKey(),
          ((JsonObject) e.getValue()).getValue("example")));
      JsonObject policy = templates.instantiate(t.getString("id"), parameters, PROVIDER);
      assertThat(policy.encode()).as(t.getString("id")).doesNotContain("{{");
    }
  }

  @Test
  void fillsPlaceholdersInsideStringsAndTheNodeFillsTheCommonOnes() {
    JsonObject policy = templates.instantiate("territory-public-bodies",
        new JsonObject().put("territory", "INSEE-DEP:2A"), PROVIDER);
    assertThat(policy.getString("assigner")).isEqualTo(PROVIDER);
    assertThat(policy.getString("@id")).startsWith("urn:uuid:");
    assertThat(policy.containsKey("target")).as("an offer sets its own target").isFalse();
    JsonObject constraint = policy.getJsonArray("permission").getJsonObject(0).getJsonArray("constraint")
        .getJsonObject(0);
    assertThat(constraint.getString("rightOperand")).isEqualTo("INSEE-DEP:2A");
    JsonObject given = templates.instantiate("territory-public-bodies", new JsonObject().put("territory", "EU:FR")
        .put("assetId", "budget-2025").put("policyId", "urn:x:1").put("provider", "NTRFR-1"), PROVIDER);
    assertThat(given.getString("target")).isEqualTo("budget-2025");
    assertThat(given.getString("@id")).isEqualTo("urn:x:1");
    assertThat(given.getString("assigner")).isEqualTo("NTRFR-1");
  }

  @Test
  void numbersKeepTheirTypedLiteral() {
    JsonObject policy = templates.instantiate("download-limit", new JsonObject().put("maxDownloads", 10), PROVIDER);
    JsonObject right = policy.getJsonArray("permission").getJsonObject(0).getJsonArray("constraint").getJsonObject(0)
        .getJsonObject("rightOperand");
    assertThat(right).isEqualTo(new JsonObject().put("@value", "10").put("@type", "xsd:integer"));
    JsonObject research = templates.instantiate("research-limited-duration", new JsonObject().put("days", "90"),
        PROVIDER);
    assertThat(research.encode()).contains("\"@value\":\"P90D\"");
  }

  @Test
  void aValueCannotEscapeItsString() {
    JsonObject policy = templates.instantiate("personal-data-rgpd", new JsonObject()
        .put("legalBasis", "art6-1-e\",\"permission\":[]").put("purpose", "public-service"), PROVIDER);
    assertThat(policy.getJsonArray("permission")).hasSize(1);
    assertThat(policy.getJsonArray("permission").getJsonObject(0).getJsonArray("constraint").getJsonObject(0)
        .getString("rightOperand")).isEqualTo("art6-1-e\",\"permission\":[]");
  }

  @Test
  void refusalsNameTheTemplateOrTheParameter() {
    assertThatThrownBy(() -> templates.instantiate("no-such-template", new JsonObject(), PROVIDER))
        .isInstanceOf(PolicyTemplates.Invalid.class)
        .hasMessageStartingWith("unknown policy template 'no-such-template'; known templates: download-limit, odbl,");
    assertThatThrownBy(() -> templates.instantiate("territory-public-bodies", new JsonObject(), PROVIDER))
        .hasMessage("missing parameter 'territory' for policy template 'territory-public-bodies': Territory code: "
            + "INSEE-COM:<commune code>, INSEE-DEP:<département>, INSEE-REG:<région> or EU:<country>. "
            + "(for example INSEE-DEP:2A)");
    assertThatThrownBy(() -> templates.instantiate("download-limit", new JsonObject().put("maxDownload", 3), PROVIDER))
        .hasMessageStartingWith("unknown parameter 'maxDownload' for policy template 'download-limit'; its parameters "
            + "are policyId, provider, assetId, maxDownloads");
    assertThatThrownBy(() -> templates.instantiate("download-limit", new JsonObject().put("maxDownloads", "ten"),
        PROVIDER)).hasMessage("parameter 'maxDownloads' = 'ten' makes 'ten', which is not a valid xsd:integer");
    assertThatThrownBy(() -> templates.instantiate("download-limit", new JsonObject().put("maxDownloads", 2.5),
        PROVIDER)).hasMessage("parameter 'maxDownloads' = '2.5' makes '2.5', which is not a valid xsd:integer");
    assertThatThrownBy(() -> templates.instantiate("research-limited-duration", new JsonObject().put("days", "1W"),
        PROVIDER)).hasMessage("parameter 'days' = '1W' makes 'P1WD', which is not a valid xsd:duration");
    assertThatThrownBy(() -> templates.instantiate("territory-public-bodies", new JsonObject()
        .put("territory", "Corse du Sud"), PROVIDER))
        .hasMessage("parameter 'territory' = 'Corse du Sud' is not a territory code such as INSEE-DEP:2A or EU:FR");
    assertThatThrownBy(() -> templates.instantiate("territory-public-bodies", new JsonObject()
        .put("territory", new JsonArray().add("EU:FR")), PROVIDER))
        .hasMessage("parameter 'territory' must be a non-empty string or a number, got [\"EU:FR\"]");
  }

  @Test
  void aTemplateUsingAnUndeclaredPlaceholderIsRefusedAtLoad(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("bad.json"), new JsonObject().put("bad", new JsonObject()
        .put("placeholders", new JsonObject()).put("policy", new JsonObject().put("@id", "{{policyId}}")))
        .encode());
    assertThatThrownBy(() -> PolicyTemplates.load(dir))
        .hasMessageContaining("policy template 'bad' in " + dir.resolve("bad.json") + " uses {{policyId}} but does "
            + "not declare it");
  }

  @Test
  void anOperatorsOwnDirectoryReplacesTheBundledTemplates(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("mine.json"), new JsonObject().put("mine", new JsonObject()
        .put("placeholders", new JsonObject().put("purpose", new JsonObject().put("en", "Purpose")))
        .put("policy", new JsonObject().put("permission", new JsonObject().put("action", "use")
            .put("constraint", new JsonObject().put("leftOperand", "purpose").put("operator", "eq")
                .put("rightOperand", "{{purpose}}"))))).encode());
    PolicyTemplates mine = PolicyTemplates.load(dir);
    assertThat(mine.list()).hasSize(1);
    assertThat(mine.instantiate("mine", new JsonObject().put("purpose", "statistics"), PROVIDER).encode())
        .contains("\"rightOperand\":\"statistics\"");
  }
}
