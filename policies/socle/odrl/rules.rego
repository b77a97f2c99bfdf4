# ODRL rules and the policy decision.
#
# evaluate(policy, request) is the whole generic evaluator: it takes the policy
# as data and never depends on which policy it is, so no Rego is generated per
# policy and no policy text can end up in code.
package socle.odrl

rdf_value_keys := ["rdf:value", "value", "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"]

# An action is a term, a node reference, or a refined action whose name sits
# under rdf:value.
action_name(a) := n if {
	n := odrl_term(a)
} else := odrl_term(v) if {
	is_object(a)
	v := first([x | some key in rdf_value_keys; x := a[key]])
}

action_names(rule) := {n | some a in prop_list(rule, "action"); n := action_name(a)}

permitted_actions(policy) := sort({n | some rule in prop_list(policy, "permission"); some n in action_names(rule)})

readable_rule(rule) if {
	is_object(rule)
	actions := prop_list(rule, "action")
	count(actions) > 0
	count([n | some a in actions; n := action_name(a)]) == count(actions)
}

# ODRL's use is the most general action: permitting or prohibiting it covers
# every other action.
covers(rule, action) if {
	some name in action_names(rule)
	name in {"use", action}
}

# Refinements of the covering actions narrow the rule like its constraints do.
rule_constraints(rule, action) := array.concat(
	prop_list(rule, "constraint"),
	[c |
		some a in prop_list(rule, "action")
		action_name(a) in {"use", action}
		some c in prop_list(a, "refinement")
	],
)

rule_result(rule, env) := combine("and", results) if {
	constraints := rule_constraints(rule, env.action)
	results := [constraint_result(c, env) | some c in constraints]
	count(results) == count(constraints)
} else := undecided(invalid_rule_reason("ODRL", rule))

requested_action(a) := "use" if {
	a == null
} else := n if {
	n := action_name(a)
} else := null

environment(request) := {
	"scope": object.get(request, "scope", ""),
	"action": requested_action(object.get(request, "action", null)),
	"context": context_object(object.get(request, "context", {})),
}

context_object(c) := c if {
	is_object(c)
} else := {}

request_errors(request, env) := [invalid_action_reason(request.action)] if {
	env.action == null
} else := []

rule_errors(policy) := array.concat(
	[invalid_rule_reason(kind, rule) |
		some kind in ["permission", "prohibition", "obligation"]
		some rule in prop_list(policy, kind)
		not readable_rule(rule)
	],
	[invalid_rule_reason("duty", duty) |
		some rule in prop_list(policy, "permission")
		some duty in prop_list(rule, "duty")
		not readable_rule(duty)
	],
)

# Faults in the policy or the request deny the whole decision: ignoring one
# unreadable prohibition would grant what its author meant to forbid.
evaluate(policy, request) := {"allow": allow, "reasons": reasons, "obligations": obligations} if {
	env := environment(request)
	errors := array.concat(request_errors(request, env), array.concat(rule_errors(policy), constraint_errors(policy)))

	# A constraint whose value is only known after the catalog stage must not
	# hide an offer: it counts as met in a permission and unmet in a prohibition.
	permission_env := object.union(env, {"deferred": "T"})
	prohibition_env := object.union(env, {"deferred": "F"})

	candidates := [{"rule": rule, "result": rule_result(rule, permission_env)} |
		some rule in prop_list(policy, "permission")
		covers(rule, env.action)
	]
	granted := [c.rule | some c in candidates; c.result.status == "T"]
	applying := [{"rule": rule, "result": result} |
		some rule in prop_list(policy, "prohibition")
		covers(rule, env.action)
		result := rule_result(rule, prohibition_env)
		result.status != "F"
	]

	# Set equality reads as "all three hold".
	allow := {count(errors) == 0, count(granted) > 0, count(applying) == 0} == {true}
	reasons := unique(array.concat(
		errors,
		array.concat(permission_reasons(policy, env.action, candidates, granted), prohibition_reasons(env.action, applying)),
	))
	obligations := obligations_of(policy, granted, allow)
}

permission_reasons(policy, action, candidates, granted) := [] if {
	count(granted) > 0
} else := [no_permission_reason] if {
	count(prop_list(policy, "permission")) == 0
} else := [no_matching_permission_reason(action, policy)] if {
	count(candidates) == 0
} else := [reason | some c in candidates; some reason in c.result.reasons]

prohibition_reasons(action, applying) := [reason |
	some a in applying
	some reason in prohibition_reason_list(action, a)
]

prohibition_reason_list(action, a) := [prohibited_reason(action, a.rule)] if {
	a.result.status == "T"
} else := array.concat([prohibition_undecided_reason(action, a.rule)], a.result.reasons)

# Duties come back exactly as written so the node can enforce and record them.
obligations_of(policy, granted, allow) := unique(array.concat(
	[duty | some rule in granted; some duty in prop_list(rule, "duty")],
	prop_list(policy, "obligation"),
)) if {
	allow
} else := []

unique(xs) := [x | some i, x in xs; not x in array.slice(xs, 0, i)]
