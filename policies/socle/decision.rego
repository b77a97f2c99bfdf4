# Decision points of a Socle node.
#
# The node queries data.socle.decision.<scope> and treats anything but
# allow == true as a refusal. Each result is always defined, so the node never
# has to tell a missing rule apart from a refusal.
package socle.decision

import data.socle.baseline
import data.socle.odrl

catalog := decide("catalog")

negotiation := decide("negotiation")

transfer := decide("transfer")

access := decide("access")

decide(scope) := {"allow": allow, "reasons": reasons, "obligations": obligations} if {
	base := baseline.reasons(input, scope)
	result := odrl.evaluate(object.get(input, "policy", {}), {
		"scope": scope,
		"action": object.get(input, "action", null),
		"context": object.get(input, "context", {}),
	})
	allow := {count(base) == 0, result.allow} == {true}
	reasons := array.concat(base, result.reasons)
	obligations := granted(result.obligations, allow)
} else := {
	# Reached only if evaluation itself came out undefined (for instance no
	# input at all): fail closed, but say so.
	"allow": false,
	"reasons": [{
		"code": "evaluation_incomplete",
		"fr": "La décision n'a pas pu être évaluée ; la requête est refusée par précaution.",
		"en": "The decision could not be evaluated; the request is refused as a precaution.",
	}],
	"obligations": [],
}

granted(obligations, true) := obligations

granted(_, false) := []
