package socle.odrl_test

import data.socle.odrl

request(scope, action, ctx) := {"scope": scope, "action": action, "context": ctx}

decide(policy) := odrl.evaluate(policy, request("negotiation", "use", context))

codes(decision) := [r.code | some r in decision.reasons]

attribute := {"action": "attribute", "attributedParty": "Ville d'Ajaccio"}

share_alike := {"action": "odrl:shareAlike"}

test_permission_without_constraint_allows if {
	decide({"@type": "Offer", "permission": [{"action": "use"}]}) == {"allow": true, "reasons": [], "obligations": []}
}

test_single_object_rules_are_read_like_lists if {
	decide({"permission": {"action": "use", "constraint": holds}}).allow
	not decide({"permission": {"action": "use", "constraint": fails}}).allow
}

test_action_spellings if {
	every action in ["use", "odrl:use", {"@id": "odrl:use"}, {"@id": "http://www.w3.org/ns/odrl/2/use"}, ["read", "use"], {"rdf:value": {"@id": "odrl:use"}}] {
		decide({"permission": {"action": action}}).allow
	}
}

test_use_covers_every_action if {
	odrl.evaluate({"permission": {"action": "use"}}, request("transfer", "odrl:reproduce", context)).allow
	odrl.evaluate({"permission": {"action": "read"}}, request("transfer", {"@id": "odrl:read"}, context)).allow
}

test_a_narrower_action_does_not_cover_use if {
	d := decide({"permission": [{"action": "read"}, {"action": ["display", "print"]}]})
	not d.allow
	d.reasons == [{
		"code": "no_matching_permission",
		"fr": "Aucune permission ne couvre l'action « use » ; actions permises : [display, print, read].",
		"en": "No permission covers the action \"use\"; permitted actions: [display, print, read].",
	}]
}

test_missing_action_defaults_to_use if {
	odrl.evaluate({"permission": {"action": "use"}}, {"scope": "access", "context": context}).allow
	not odrl.evaluate({"permission": {"action": "read"}}, {"scope": "access", "action": null}).allow
}

test_unreadable_requested_action_denies if {
	d := odrl.evaluate({"permission": {"action": "use"}}, request("access", 42, context))
	not d.allow
	d.reasons[0] == {
		"code": "invalid_action",
		"fr": "Action demandée illisible 42 : il faut un nom d'action ODRL, par exemple use.",
		"en": "Unreadable requested action 42: expected an ODRL action name such as use.",
	}
}

test_no_permission_denies if {
	every policy in [{}, {"@type": "Set", "prohibition": {"action": "distribute"}}, "not a policy", {"permission": []}] {
		d := decide(policy)
		not d.allow
		d.reasons == [{"code": "no_permission", "fr": "La politique n'accorde aucune permission.", "en": "The policy grants no permission."}]
	}
}

test_one_permission_is_enough_and_only_its_duties_apply if {
	d := decide({"permission": [
		{"action": "use", "constraint": fails, "duty": share_alike},
		{"action": "use", "constraint": holds, "duty": [attribute]},
	]})
	d == {"allow": true, "reasons": [], "obligations": [attribute]}
}

test_every_failing_permission_explains_itself if {
	d := decide({"permission": [
		{"action": "use", "constraint": fails},
		{"action": "use", "constraint": [holds, {"leftOperand": "count", "operator": "gteq", "rightOperand": 7}]},
	]})
	not d.allow
	d.reasons[0].en == "Constraint not satisfied on purpose: expected eq research, found statistics."
	d.reasons[1].en == "Constraint not satisfied on count: expected gteq 7, found 2."
	d.obligations == []
}

test_duties_and_policy_obligations_become_obligations if {
	notify := {"action": "inform", "informedParty": "NTRFR-200054781"}
	d := decide({
		"permission": [
			{"action": "use", "duty": [attribute, share_alike]},
			{"action": "use", "duty": attribute},
		],
		"obligation": notify,
	})
	d.allow
	d.obligations == [attribute, share_alike, notify]
}

test_refused_decisions_carry_no_obligations if {
	d := decide({"permission": {"action": "use", "duty": attribute}, "prohibition": {"action": "use"}, "obligation": [share_alike]})
	not d.allow
	d.obligations == []
}

test_prohibition_without_constraint_always_applies if {
	d := decide({"permission": {"action": "use"}, "prohibition": {"action": "use"}})
	not d.allow
	d.reasons == [{
		"code": "prohibited_action",
		"fr": "L'action « use » est interdite par la politique (interdiction de use, conditions : aucune).",
		"en": "The action \"use\" is prohibited by the policy (prohibition of use, conditions: none).",
	}]
}

test_prohibition_of_use_covers_every_action if {
	d := odrl.evaluate({"permission": {"action": "use"}, "prohibition": {"action": "use"}}, request("transfer", "distribute", context))
	codes(d) == ["prohibited_action"]
}

test_prohibition_of_another_action_does_not_apply if {
	decide({"permission": {"action": "use"}, "prohibition": {"action": "distribute"}}).allow
	d := odrl.evaluate({"permission": {"action": "use"}, "prohibition": {"action": "distribute"}}, request("transfer", "distribute", context))
	not d.allow
}

test_prohibition_applies_when_its_constraints_hold if {
	d := decide({"permission": {"action": "use"}, "prohibition": {"action": "use", "constraint": [holds, {"leftOperand": "spatial", "operator": "isAnyOf", "rightOperand": ["FR-2A"]}]}})
	not d.allow
	d.reasons[0].en == "The action \"use\" is prohibited by the policy (prohibition of use, conditions: count lt 10, spatial isAnyOf [FR-2A])."
	d.reasons[0].fr == "L'action « use » est interdite par la politique (interdiction de use, conditions : count lt 10, spatial isAnyOf [FR-2A])."
}

test_prohibition_does_not_apply_when_a_constraint_fails if {
	decide({"permission": {"action": "use"}, "prohibition": {"action": "use", "constraint": [holds, fails]}}).allow
}

# A prohibition that cannot be ruled out forbids: the alternative would let an
# incomplete request through exactly where the author meant to refuse.
test_undecided_prohibition_fails_closed if {
	policy := {"permission": {"action": "use"}, "prohibition": {"action": "use", "constraint": unknown}}
	d := odrl.evaluate(policy, request("negotiation", "use", no_recipient))
	not d.allow
	codes(d) == ["prohibition_not_ruled_out", "missing_context_value"]
	d.reasons[0].en == "The prohibition of use may apply to the action \"use\" and could not be ruled out: a value is missing or has the wrong type."
}

test_catalog_does_not_hide_offers_behind_future_values if {
	policy := {
		"permission": {"action": "use", "constraint": {"leftOperand": "purpose", "operator": "eq", "rightOperand": "research"}},
		"prohibition": {"action": "use", "constraint": {"leftOperand": "purpose", "operator": "eq", "rightOperand": "marketing"}},
	}
	odrl.evaluate(policy, request("catalog", "use", {"territory": ["EU:FR"]})).allow
	d := odrl.evaluate(policy, request("negotiation", "use", {"territory": ["EU:FR"]}))
	not d.allow
	codes(d) == ["missing_context_value", "prohibition_not_ruled_out", "missing_context_value"]
}

test_action_refinements_narrow_the_rule if {
	refined := {"rdf:value": {"@id": "odrl:use"}, "refinement": [{"leftOperand": "purpose", "operator": "eq", "rightOperand": "statistics"}]}
	decide({"permission": {"action": refined}}).allow
	narrower := object.union(refined, {"refinement": fails})
	not decide({"permission": {"action": narrower}}).allow
	decide({"permission": {"action": [narrower, "read"]}, "prohibition": {"action": {"value": "use", "refinement": fails}}}) == {
		"allow": false,
		"reasons": [{"code": "constraint_not_satisfied", "fr": "Contrainte non satisfaite sur purpose : attendu eq research, trouvé statistics.", "en": "Constraint not satisfied on purpose: expected eq research, found statistics."}],
		"obligations": [],
	}
}

test_unknown_operand_anywhere_denies_the_whole_policy if {
	bad := {"leftOperand": "colour", "operator": "eq", "rightOperand": "blue"}
	policies := [
		{"permission": [{"action": "use"}, {"action": "use", "constraint": bad}]},
		{"permission": {"action": "use"}, "prohibition": {"action": "use", "constraint": bad}},
		{"permission": {"action": "use", "duty": {"action": "delete", "constraint": bad}}},
	]
	every policy in policies {
		d := decide(policy)
		not d.allow
		d.reasons[0].code == "unknown_operand"
	}
}

test_unknown_operator_denies if {
	d := decide({"permission": {"action": "use", "constraint": {"leftOperand": "count", "operator": "between", "rightOperand": [1, 3]}}})
	not d.allow
	codes(d) == ["unknown_operator"]
}

test_type_mismatch_denies if {
	d := decide({"permission": {"action": "use", "constraint": {"leftOperand": "count", "operator": "lt", "rightOperand": "10"}}})
	not d.allow
	codes(d) == ["type_mismatch"]
}

test_malformed_rules_deny if {
	policies := {
		"permission": {"permission": [{"action": "use"}, "urn:permission:1"]},
		"prohibition": {"permission": {"action": "use"}, "prohibition": {"constraint": holds}},
		"obligation": {"permission": {"action": "use"}, "obligation": [{"action": 7}]},
		"duty": {"permission": {"action": "use", "duty": {"attributedParty": "x"}}},
	}
	every kind, policy in policies {
		d := decide(policy)
		not d.allow
		d.reasons[0].code == "invalid_rule"
		contains(d.reasons[0].en, sprintf("Unreadable %s rule", [kind]))
	}
}

test_prefixed_policy_terms if {
	policy := {
		"@context": "http://www.w3.org/ns/odrl.jsonld",
		"@type": "odrl:Agreement",
		"odrl:permission": [{
			"odrl:action": {"@id": "odrl:use"},
			"odrl:constraint": [{
				"odrl:leftOperand": {"@id": "odrl:purpose"},
				"odrl:operator": {"@id": "odrl:eq"},
				"odrl:rightOperand": {"@id": "https://socle.fr/purpose/statistics"},
			}],
			"odrl:duty": [{"odrl:action": {"@id": "odrl:attribute"}}],
		}],
	}
	decide(policy) == {"allow": true, "reasons": [], "obligations": [{"odrl:action": {"@id": "odrl:attribute"}}]}
}

test_reasons_are_not_repeated if {
	odrl.unique([1, 2, 1, 3, 2]) == [1, 2, 3]
}

test_full_iri_policy_terms if {
	ns := "http://www.w3.org/ns/odrl/2/"
	policy := {concat("", [ns, "permission"]): {
		concat("", [ns, "action"]): {"@id": concat("", [ns, "use"])},
		concat("", [ns, "constraint"]): {
			concat("", [ns, "leftOperand"]): {"@id": concat("", [ns, "count"])},
			concat("", [ns, "operator"]): {"@id": concat("", [ns, "lt"])},
			concat("", [ns, "rightOperand"]): {"@value": "3", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
		},
	}}
	decide(policy).allow
}

test_prohibition_of_several_actions_lists_them if {
	d := decide({"permission": {"action": "use"}, "prohibition": {"action": ["use", "distribute"]}})
	d.reasons[0].en == "The action \"use\" is prohibited by the policy (prohibition of [distribute, use], conditions: none)."
}

test_a_context_that_is_not_an_object_has_no_values if {
	d := odrl.evaluate({"permission": {"action": "use", "constraint": holds}}, request("access", "use", "count=2"))
	codes(d) == ["missing_context_value"]
}
