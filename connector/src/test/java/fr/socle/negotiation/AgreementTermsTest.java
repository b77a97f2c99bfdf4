package fr.socle.negotiation;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.agreement.AgreementSigner;
import fr.socle.policy.LocalizedText;
import fr.socle.policy.UsageDeclaration;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The consumer's comparison of a provider's agreement with the offer it asked for: the same terms
 * written otherwise are the same agreement; any term added, left out or changed, or another party, is
 * named.
 */
class AgreementTermsTest {

  private static final String PROVIDER = "NTRFR-239900038";
  private static final String CONSUMER = "NTRFR-200000001";

  /** The offer as the consumer asked for it: a use within the EU that must be attributed, and its declaration. */
  private static JsonObject asked() {
    return new UsageDeclaration("statistiques de fréquentation", "public-task").writeTo(new JsonObject()
        .put("@id", "offer-1").put("@type", "Offer").put("assigner", PROVIDER).put("target", "eau-2026")
        .put("permission", new JsonArray().add(new JsonObject().put("action", "use")
            .put("constraint", new JsonArray()
                .add(constraint("spatial", "eq", "EU"))
                .add(constraint("purpose", "isAnyOf", "statistics")))
            .put("duty", new JsonArray().add(new JsonObject().put("action", "attribute")))))
        .put("prohibition", new JsonArray().add(new JsonObject().put("action", "distribute"))));
  }

  private static JsonObject constraint(String left, String operator, String right) {
    return new JsonObject().put("leftOperand", left).put("operator", operator).put("rightOperand", right);
  }

  /** The agreement a provider makes of it, as Socle's provider does: the offer, named anew and dated. */
  private static JsonObject agreement(JsonObject offer) {
    return offer.copy().put("@id", "urn:uuid:a-1").put("@type", "Agreement").put("assignee", CONSUMER)
        .put("timestamp", "2026-11-26T02:00:00Z");
  }

  private static List<LocalizedText> differences(JsonObject agreement) {
    return AgreementTerms.differences(asked(), agreement, PROVIDER, CONSUMER);
  }

  private static List<String> english(JsonObject agreement) {
    return differences(agreement).stream().map(LocalizedText::en).toList();
  }

  private static JsonObject permission(JsonObject agreement) {
    return agreement.getJsonArray("permission").getJsonObject(0);
  }

  @Test
  void theTermsAskedForAreAccepted() {
    assertThat(differences(agreement(asked()))).isEmpty();
  }

  @Test
  void theSameTermsInAnotherOrderAreAccepted() {
    JsonObject agreement = agreement(asked());
    JsonObject permission = permission(agreement);
    JsonArray constraints = permission.getJsonArray("constraint");
    permission.put("constraint", new JsonArray().add(constraints.getValue(1)).add(constraints.getValue(0)));
    // Members in another order too: JSON objects have none, and the agreement is re-encoded on the way.
    List<String> names = new ArrayList<>(agreement.fieldNames());
    Collections.reverse(names);
    JsonObject reordered = new JsonObject();
    names.forEach(k -> reordered.put(k, agreement.getValue(k)));

    assertThat(differences(reordered)).isEmpty();
  }

  @Test
  void theSameTermsCompactedOtherwiseAreAccepted() {
    JsonObject agreement = agreement(asked());
    // Prefixed and full IRIs, a single value for a set, node references for the target and parties.
    agreement.remove("prohibition");
    agreement.put("odrl:prohibition", new JsonObject().put("odrl:action", new JsonObject().put("@id", "distribute")));
    agreement.remove("target");
    agreement.put("http://www.w3.org/ns/odrl/2/target", new JsonObject().put("@id", "eau-2026"));
    agreement.put("assigner", new JsonObject().put("@id", PROVIDER));
    JsonObject permission = permission(agreement);
    permission.put("duty", new JsonObject().put("action", "attribute"));
    permission.put("action", "http://www.w3.org/ns/odrl/2/use");
    permission.getJsonArray("constraint").getJsonObject(0).put("operator", new JsonObject().put("@id", "odrl:eq"));

    assertThat(differences(agreement)).isEmpty();
  }

  @Test
  void whatOnlyTheAgreementSetsIsNotATerm() {
    JsonObject agreement = agreement(asked()).put("timestamp", "2031-01-01T00:00:00Z")
        .put(AgreementSigner.MESSAGE_MEMBER, "eyJ...");
    JsonObject offer = asked().put("assignee", "anyone-at-offer-time");

    assertThat(AgreementTerms.differences(offer, agreement, PROVIDER, CONSUMER)).isEmpty();
  }

  @Test
  void anExtraProhibitionIsNamed() {
    JsonObject agreement = agreement(asked());
    agreement.getJsonArray("prohibition").add(new JsonObject().put("action", "commercialize"));

    assertThat(english(agreement)).containsExactly(
        "prohibition: the agreement adds {action: commercialize}, not asked for");
    assertThat(differences(agreement).get(0).fr())
        .isEqualTo("prohibition : l'accord ajoute {action: commercialize}, qui n'a pas été demandé");
  }

  @Test
  void aRemovedDutyIsNamed() {
    JsonObject agreement = agreement(asked());
    permission(agreement).remove("duty");

    assertThat(english(agreement)).containsExactly(
        "permission > duty: the agreement leaves out {action: attribute}, asked for");
  }

  @Test
  void aChangedConstraintOperandIsNamed() {
    JsonObject agreement = agreement(asked());
    permission(agreement).getJsonArray("constraint").getJsonObject(0).put("rightOperand", "US");

    assertThat(english(agreement)).containsExactly(
        "permission > constraint > rightOperand: asked for \"EU\", the agreement has \"US\"");
  }

  @Test
  void anotherTargetIsNamed() {
    assertThat(english(agreement(asked()).put("target", "eau-2027"))).containsExactly(
        "target: asked for eau-2026, the agreement has eau-2027");
  }

  @Test
  void anotherAssignerOrAssigneeIsNamed() {
    assertThat(english(agreement(asked()).put("assigner", "NTRFR-249900028"))).containsExactly(
        "assigner: the agreement names NTRFR-249900028, not the provider " + PROVIDER);
    assertThat(english(agreement(asked()).put("assignee", "NTRFR-249900028"))).containsExactly(
        "assignee: the agreement names NTRFR-249900028, not this consumer " + CONSUMER);
    JsonObject nobody = agreement(asked());
    nobody.remove("assigner");
    assertThat(differences(nobody)).extracting(LocalizedText::fr).containsExactly(
        "assigner : l'accord désigne personne, et non le fournisseur " + PROVIDER);
  }

  @Test
  void theUsageDeclarationMustBeKeptUnchanged() {
    JsonObject changed = agreement(asked()).put(UsageDeclaration.PURPOSE, "prospection commerciale");
    assertThat(english(changed)).containsExactly(
        "purpose: asked for \"statistiques de fréquentation\", the agreement has \"prospection commerciale\"");

    JsonObject dropped = agreement(asked());
    dropped.remove(UsageDeclaration.LEGAL_BASIS);
    assertThat(english(dropped)).containsExactly("legalBasis: the agreement leaves out \"public-task\", asked for");

    // Nor may a provider declare anything on the consumer's behalf.
    JsonObject undeclared = UsageDeclaration.strip(asked());
    assertThat(AgreementTerms.differences(undeclared, agreement(asked()), PROVIDER, CONSUMER))
        .extracting(LocalizedText::en).containsExactly(
            "legalBasis: the agreement adds \"public-task\", not asked for",
            "purpose: the agreement adds \"statistiques de fréquentation\", not asked for");
  }

  @Test
  void theSummaryNamesTheFirstDifferencesInBothLanguages() {
    JsonObject agreement = agreement(asked()).put("target", "eau-2027").put("assigner", "NTRFR-249900028");
    permission(agreement).remove("duty");

    LocalizedText summary = AgreementTerms.summary(differences(agreement));

    assertThat(summary.en()).startsWith("the agreement differs from the terms this consumer asked for: assigner: ")
        .contains("; permission > duty: ").contains("; target: asked for eau-2026");
    assertThat(summary.fr()).startsWith("l'accord diffère des termes que ce consommateur a demandés : assigner : ");
    List<LocalizedText> many = Collections.nCopies(7, new LocalizedText("x", "x"));
    assertThat(AgreementTerms.summary(many).en()).endsWith("x; x (and 2 more)");
    assertThat(AgreementTerms.summary(many).fr()).endsWith("x ; x (et 2 de plus)");
  }
}
