package fr.socle.management;

import static fr.socle.management.HttpJson.array;
import static fr.socle.management.HttpJson.body;
import static fr.socle.management.HttpJson.id;
import static fr.socle.management.HttpJson.json;
import static fr.socle.management.HttpJson.object;
import static fr.socle.management.HttpJson.ok;
import static fr.socle.management.HttpJson.string;

import fr.socle.catalog.CatalogStore;
import fr.socle.catalog.PolicyDefinition;
import fr.socle.policy.PolicyTemplates;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code /api/policies}: the ODRL policies offers are made under, written out or filled in from one
 * of the templates of {@code /api/policy-templates}.
 */
final class PoliciesApi {

  private final CatalogStore catalog;
  private final PolicyTemplates templates;
  private final String participantId;
  private final Writes writes;

  PoliciesApi(CatalogStore catalog, PolicyTemplates templates, String participantId, Writes writes) {
    this.catalog = catalog;
    this.templates = templates;
    this.participantId = participantId;
    this.writes = writes;
  }

  void mount(Router router) {
    router.post("/api/policies").handler(ctx -> {
      JsonObject body = body(ctx);
      PolicyDefinition policy = new PolicyDefinition(id(body, "id"), policyBody(body));
      writes.create(ctx, onCreate -> catalog.savePolicy(policy, onCreate), PolicyDefinition::toJson);
    });
    router.get("/api/policy-templates").handler(ctx -> json(ctx, 200, templates.list()));
    router.get("/api/policies").handler(ctx ->
        ok(ctx, catalog.listPolicies().map(l -> array(l, PolicyDefinition::toJson))));
  }

  /**
   * The ODRL policy of {@code POST /api/policies}: written out ({@code policy}), or a template filled
   * with parameters ({@code template}, {@code parameters}); a mistake in the latter names the template
   * or the parameter.
   */
  private JsonObject policyBody(JsonObject body) {
    boolean written = body.containsKey("policy");
    boolean templated = body.containsKey("template");
    if (written == templated) {
      throw Problem.badRequest("give either 'policy' (an ODRL policy) or 'template' with 'parameters' "
          + "(see GET /api/policy-templates), not " + (written ? "both" : "neither"));
    }
    if (written) {
      return object(body, "policy");
    }
    Object parameters = body.getValue("parameters");
    if (parameters != null && !(parameters instanceof JsonObject)) {
      throw Problem.badRequest("'parameters' must be a JSON object of placeholder values, got " + parameters);
    }
    return templates.instantiate(string(body, "template"), (JsonObject) parameters, participantId);
  }
}
