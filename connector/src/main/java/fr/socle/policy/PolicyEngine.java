package fr.socle.policy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the node's OPA sidecar over its REST Data API.
 *
 * <p>Fail closed: the returned future always succeeds, with a denial whenever OPA cannot be reached,
 * answers late, answers an error, or answers something that is not a well-formed decision. A denial
 * because OPA could not answer is {@link Decision#undecided()}, which callers that must not pass it
 * off as a refusal (the catalog) tell apart from OPA's own "no". An
 * undefined result (HTTP 200 without {@code result}) is a denial too, as OPA documents.
 *
 * <p>Only the expected policy revision decides. OPA verifies the signature of the bundle it loads,
 * but when it cannot verify a newer bundle it keeps serving the previous one, and a refused first
 * bundle leaves it serving nothing; neither shows as an error on a query. So every query asks for
 * provenance ({@code ?provenance=true}) and a decision counts only if it came from exactly one bundle,
 * {@value #BUNDLE}, at the revision this node was started with; anything else is a denial with the
 * reason {@value #REVISION_MISMATCH}, naming both revisions. Readiness applies the same check.
 *
 * <p>Each decision is logged at INFO, one line with its scope, participant, outcome, reason codes,
 * OPA decision id and bundle revision, so that the node's log ties every outcome to OPA's decision
 * log and to the exact rules that produced it.
 */
public final class PolicyEngine implements DecisionPoint {

  /** Name of the bundle in OPA's configuration ({@code bundles.socle}). */
  public static final String BUNDLE = "socle";
  /** Reason code of a decision refused because OPA runs other rules than expected, or none. */
  public static final String REVISION_MISMATCH = "policy_bundle_revision_mismatch";

  private static final String MALFORMED = "policy_engine_malformed_answer";
  /**
   * Connections to OPA. OPA's evaluation is CPU-bound on the same machine: more connections than
   * cores mostly lengthen OPA's own queue (launchers/bench-policy.sh measured no gain past a few).
   */
  public static final int CONNECTIONS = 8;
  /** Decisions waiting for a connection; beyond this a burst is denied at once instead of piling up. */
  public static final int MAX_WAITING = 1024;
  private static final Logger LOG = LoggerFactory.getLogger(PolicyEngine.class);

  private final WebClient client;
  private final URI base;
  private final long timeoutMillis;
  private final String expectedRevision;

  /**
   * @param expectedRevision the revision of the signed bundle OPA must be running, as the bundle
   *     build wrote it; required
   */
  public PolicyEngine(Vertx vertx, URI base, long timeoutMillis, String expectedRevision) {
    if (expectedRevision == null || expectedRevision.isBlank()) {
      throw new IllegalArgumentException("the expected policy bundle revision is required");
    }
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) timeoutMillis)
        .setUserAgent("socle-node").setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS).setMaxWaitQueueSize(MAX_WAITING));
    this.base = base;
    this.timeoutMillis = timeoutMillis;
    this.expectedRevision = expectedRevision;
  }

  /** The bundle and revision decisions must come from, as {@code socle@<revision>}. */
  public String expectedBundle() {
    return BUNDLE + "@" + expectedRevision;
  }

  @Override
  public Future<Decision> decide(Scope scope, JsonObject input) {
    String uri = base.resolve("/v1/data/socle/decision/" + scope.path()).toString() + "?provenance=true";
    return client.postAbs(uri)
        .timeout(timeoutMillis)
        .sendJsonObject(new JsonObject().put("input", input))
        .expecting(HttpResponseExpectation.SC_OK)
        // The client's own timeouts bound connecting and silence, not the wait for a pooled
        // connection behind a burst: this bounds the whole decision, wait included.
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .map(response -> parse(scope, response, expectedRevision))
        .otherwise(failure -> {
          LOG.warn("policy engine unavailable for {} decision: {}", scope.path(), failure.getMessage());
          return Decision.failClosed(scope, Decision.ENGINE_UNAVAILABLE,
              "Le moteur de politiques (OPA) est injoignable ou en erreur : la demande est refusée par précaution ("
                  + failure.getMessage() + ").",
              "The policy engine (OPA) is unreachable or failing, so the request is denied ("
                  + failure.getMessage() + ").");
        })
        .onSuccess(decision -> log(decision, input));
  }

  /** Whether this node may take decisions now, and if not, why. */
  public record Readiness(boolean ready, String problem, String activeBundle) {
  }

  /**
   * Ready when OPA answers a decision query with a defined result from the expected bundle revision:
   * the same path and the same check as every decision, so a node reported ready does decide.
   */
  public Future<Readiness> readiness() {
    String uri = base.resolve("/v1/data/socle/decision/catalog").toString() + "?provenance=true";
    return client.getAbs(uri).timeout(timeoutMillis).send()
        .expecting(HttpResponseExpectation.SC_OK)
        .map(response -> {
          Decision d = parse(Scope.CATALOG, response, expectedRevision);
          // Without input the rules answer a defined refusal (evaluation_incomplete): that is ready.
          Decision.Reason first = d.reasons().isEmpty() ? null : d.reasons().get(0);
          if (first != null && (first.code().equals(REVISION_MISMATCH) || first.code().equals(MALFORMED))) {
            return new Readiness(false, first.code() + ": " + first.en(), d.bundleRevision());
          }
          return new Readiness(true, null, d.bundleRevision());
        })
        .otherwise(failure -> new Readiness(false, "policy engine (OPA) at " + base + " is unavailable: "
            + failure.getMessage(), null));
  }

  static Decision parse(Scope scope, HttpResponse<?> response, String expectedRevision) {
    JsonObject body;
    try {
      body = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      return malformed(scope, "the answer is not JSON");
    }
    if (body == null) {
      return malformed(scope, "the answer is empty");
    }
    String decisionId = body.getValue("decision_id") instanceof String id ? id : null;
    // Revision first: a refused bundle leaves OPA with no rules, which would otherwise read as a
    // mere undefined result and hide the cause.
    Map<String, String> bundles = bundles(body.getValue("provenance"));
    String found = format(bundles);
    if (bundles.size() != 1 || !expectedRevision.equals(bundles.get(BUNDLE))) {
      return revisionMismatch(scope, BUNDLE + "@" + expectedRevision, found, decisionId);
    }
    if (!(body.getValue("result") instanceof JsonObject result)) {
      return malformed(scope, "no decision is defined for scope '" + scope.path() + "'");
    }
    if (!(result.getValue("allow") instanceof Boolean allow)) {
      return malformed(scope, "the decision has no boolean 'allow'");
    }
    List<Decision.Reason> reasons = new ArrayList<>();
    JsonArray rawReasons = result.getValue("reasons") instanceof JsonArray r ? r : new JsonArray();
    for (Object raw : rawReasons) {
      if (raw instanceof JsonObject r) {
        reasons.add(new Decision.Reason(r.getValue("code") instanceof String c ? c : "unspecified",
            r.getValue("fr") instanceof String fr ? fr : "", r.getValue("en") instanceof String en ? en : ""));
      }
    }
    if (!allow && reasons.isEmpty()) {
      reasons.add(new Decision.Reason("unspecified", "Refus sans motif donné par la politique.",
          "Denied; the policy gave no reason."));
    }
    JsonArray obligations = result.getValue("obligations") instanceof JsonArray o ? o : new JsonArray();
    return new Decision(scope, allow, List.copyOf(reasons), obligations, decisionId, found);
  }

  /** Bundle name to revision, from OPA's provenance; empty when no bundle is active. */
  private static Map<String, String> bundles(Object provenance) {
    Map<String, String> out = new TreeMap<>();
    if (!(provenance instanceof JsonObject p)) {
      return out;
    }
    if (p.getValue("bundles") instanceof JsonObject bundles) {
      bundles.forEach(e -> out.put(e.getKey(), e.getValue() instanceof JsonObject b
          && b.getValue("revision") instanceof String r ? r : ""));
    } else if (p.getValue("revision") instanceof String legacy) {
      // OPA's legacy single-bundle configuration reports one unnamed revision.
      out.put("", legacy);
    }
    return out;
  }

  private static String format(Map<String, String> bundles) {
    if (bundles.isEmpty()) {
      return null;
    }
    return String.join(",", bundles.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).toList());
  }

  private static Decision revisionMismatch(Scope scope, String expected, String found, String decisionId) {
    String fr;
    String en;
    if (found == null) {
      fr = "Aucun bundle de politiques signé n'est actif dans le moteur de politiques (OPA) alors que ce nœud attend "
          + expected + " (bundle absent, non signé ou altéré) : la demande est refusée.";
      en = "No signed policy bundle is active in the policy engine (OPA) while this node expects " + expected
          + " (bundle missing, unsigned or altered), so the request is denied.";
    } else {
      fr = "Le moteur de politiques (OPA) applique la révision " + found + " alors que ce nœud attend " + expected
          + " : la demande est refusée plutôt que décidée sur des règles périmées ou inattendues.";
      en = "The policy engine (OPA) runs revision " + found + " while this node expects " + expected
          + ", so the request is denied rather than decided on stale or unexpected rules.";
    }
    return new Decision(scope, false, List.of(new Decision.Reason(REVISION_MISMATCH, fr, en)), new JsonArray(),
        decisionId, found);
  }

  private static Decision malformed(Scope scope, String what) {
    return Decision.failClosed(scope, MALFORMED,
        "La réponse du moteur de politiques est inutilisable (" + what + ") : la demande est refusée.",
        "The policy engine's answer cannot be used (" + what + "), so the request is denied.");
  }

  private static void log(Decision d, JsonObject input) {
    Object consumer = input == null ? null : input.getValue("consumer");
    String participant = consumer instanceof JsonObject c && c.getValue("id") instanceof String id ? id : "-";
    LOG.info("decision scope={} participant={} allow={} reasons={} decisionId={} revision={}", d.scope().path(),
        participant, d.allow(), d.reasons().stream().map(Decision.Reason::code).toList(),
        d.decisionId() == null ? "-" : d.decisionId(), d.bundleRevision() == null ? "-" : d.bundleRevision());
  }
}
