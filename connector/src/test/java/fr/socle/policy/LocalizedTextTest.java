package fr.socle.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refusal wording in both languages, and its passage through a DSP message between Socle nodes. */
class LocalizedTextTest {

  private static final Decision DENIED = new Decision(Scope.NEGOTIATION, false, List.of(
      new Decision.Reason("territory", "Réservé à la Corse.", "Reserved to Corsica."),
      new Decision.Reason("purpose", "Finalité absente.", "No purpose.")), new JsonArray(), "d-1", "socle@sha256-ab");

  @Test
  void aDecisionSummaryIsWrittenInEitherLanguage() {
    assertThat(DENIED.summary()).isEqualTo("Reserved to Corsica.; No purpose. [decision d-1, policy bundle socle@sha256-ab]");
    assertThat(DENIED.summary("fr"))
        .isEqualTo("Réservé à la Corse.; Finalité absente. [décision d-1, paquet de règles socle@sha256-ab]");
    assertThat(DENIED.localizedSummary()).isEqualTo(new LocalizedText(DENIED.summary(), DENIED.summary("fr")));
    assertThat(Decision.failClosed(Scope.ACCESS, "x", "Refusé.", "Denied.").summary("fr")).isEqualTo("Refusé.");
  }

  @Test
  void theFrenchTravelsAsALanguageTaggedValueAndIsReadBack() {
    JsonObject message = DENIED.localizedSummary().writeTo(new JsonObject().put("code", "terminated"));
    JsonArray values = message.getJsonArray(LocalizedText.MEMBER);
    assertThat(values).contains(new JsonObject().put("@value", DENIED.summary("fr")).put("@language", "fr"));
    assertThat(LocalizedText.frenchIn(new JsonObject(message.encode()))).isEqualTo(DENIED.summary("fr"));
  }

  @Test
  void englishOnlyTextAddsNothingAndAMalformedFrenchIsIgnored() {
    assertThat(LocalizedText.english("No.").writeTo(new JsonObject())).isEmpty();
    assertThat(LocalizedText.frenchIn(new JsonObject().put(LocalizedText.MEMBER, "texte"))).isNull();
    assertThat(LocalizedText.frenchIn(new JsonObject().put(LocalizedText.MEMBER, new JsonArray()
        .add(new JsonObject().put("@value", 3).put("@language", "fr"))))).isNull();
    assertThat(LocalizedText.frenchIn(new JsonObject().put(LocalizedText.MEMBER, new JsonArray()
        .add(new JsonObject().put("@value", "x".repeat(4001)).put("@language", "fr"))))).isNull();
    assertThat(LocalizedText.english("No.").in("fr")).isEqualTo("No.");
    assertThat(new LocalizedText("No.", "Non.").prefixed("by A: ", "par A : ").in("fr")).isEqualTo("par A : Non.");
  }
}
