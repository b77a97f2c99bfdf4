package fr.socle.policy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the node's OPA sidecar over its REST Data API.
 *
 * <p>Fail closed: the returned future always succeeds, with a denial whenever OPA cannot be reached,
 * answers late, answers an error, or answers something that is not a well-formed decision. An
 * undefined result (HTTP 200 without {@code result}) is a denial too, as OPA documents.
 */
public final class PolicyEngine implements DecisionPoint {

  private static final Logger LOG = LoggerFactory.getLogger(PolicyEngine.class);

  private final WebClient client;
  private final URI base;
  private final long timeoutMillis;

  public PolicyEngine(Vertx vertx, URI base, long timeoutMillis) {
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) timeoutMillis)
        .setUserAgent("socle-node"));
    this.base = base;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public Future<Decision> decide(Scope scope, JsonObject input) {
    String uri = base.resolve("/v1/data/socle/decision/" + scope.path()).toString() + "?provenance=true";
    return client.postAbs(uri)
        .timeout(timeoutMillis)
        .sendJsonObject(new JsonObject().put("input", input))
        .expecting(HttpResponseExpectation.SC_OK)
        .map(response -> parse(scope, response))
        .otherwise(failure -> {
          LOG.warn("policy engine unavailable for {} decision: {}", scope.path(), failure.getMessage());
          return Decision.failClosed(scope, "policy_engine_unavailable",
              "Le moteur de politiques (OPA) est injoignable ou en erreur : la demande est refusée par précaution ("
                  + failure.getMessage() + ").",
              "The policy engine (OPA) is unreachable or failing, so the request is denied ("
                  + failure.getMessage() + ").");
        });
  }

  /** True when OPA answers its health endpoint; the node reports not ready otherwise. */
  public Future<Boolean> healthy() {
    return client.getAbs(base.resolve("/health").toString()).timeout(timeoutMillis).send()
        .map(response -> response.statusCode() == 200)
        .otherwise(false);
  }

  static Decision parse(Scope scope, HttpResponse<?> response) {
    JsonObject body;
    try {
      body = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      return malformed(scope, "the answer is not JSON");
    }
    if (body == null || !(body.getValue("result") instanceof JsonObject result)) {
      return malformed(scope, "no decision is defined for scope '" + scope.path() + "'");
    }
    if (!(result.getValue("allow") instanceof Boolean allow)) {
      return malformed(scope, "the decision has no boolean 'allow'");
    }
    List<Decision.Reason> reasons = new ArrayList<>();
    JsonArray rawReasons = result.getJsonArray("reasons", new JsonArray());
    for (Object raw : rawReasons) {
      if (raw instanceof JsonObject r) {
        reasons.add(new Decision.Reason(r.getString("code", "unspecified"), r.getString("fr", ""),
            r.getString("en", "")));
      }
    }
    JsonArray obligations = result.getValue("obligations") instanceof JsonArray o ? o : new JsonArray();
    return new Decision(scope, allow, List.copyOf(reasons), obligations, body.getString("decision_id"),
        revision(body.getJsonObject("provenance")));
  }

  private static String revision(JsonObject provenance) {
    if (provenance == null) {
      return null;
    }
    JsonObject bundles = provenance.getJsonObject("bundles");
    if (bundles == null || bundles.isEmpty()) {
      return provenance.getString("revision");
    }
    List<String> revisions = new ArrayList<>();
    bundles.forEach(e -> revisions.add(e.getKey() + "@" + ((JsonObject) e.getValue()).getString("revision", "")));
    return String.join(",", revisions);
  }

  private static Decision malformed(Scope scope, String what) {
    return Decision.failClosed(scope, "policy_engine_malformed_answer",
        "La réponse du moteur de politiques est inutilisable (" + what + ") : la demande est refusée.",
        "The policy engine's answer cannot be used (" + what + "), so the request is denied.");
  }
}
