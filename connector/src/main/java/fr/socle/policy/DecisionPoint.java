package fr.socle.policy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Where the node asks for a decision. The returned future always succeeds: whatever goes wrong
 * becomes a denial with a reason (fail closed).
 */
@FunctionalInterface
public interface DecisionPoint {

  Future<Decision> decide(Scope scope, JsonObject input);
}
