package socle.decision_test

import data.socle.decision

ajaccio := {"id": "NTRFR-200054781", "siren": "200054781", "member": true, "revoked": false}

# The example request of the node contract, with an offer that uses most of
# what the evaluator knows.
request := {
	"scope": "negotiation",
	"action": "use",
	"consumer": ajaccio,
	"provider": {"id": "NTRFR-242010056"},
	"asset": {"id": "budget-2025", "dataClassification": "public"},
	"policy": {
		"@type": "Offer",
		"@id": "urn:uuid:0b6f4c1e-budget-2025",
		"permission": [{
			"action": "use",
			"constraint": [
				{"leftOperand": "purpose", "operator": "isAnyOf", "rightOperand": [{"@id": "https://socle.fr/purpose/statistics"}, "research"]},
				{"leftOperand": "socle:territory", "operator": "isPartOf", "rightOperand": "INSEE-REG:94"},
				{"leftOperand": "socle:hostingQualification", "operator": "eq", "rightOperand": "SecNumCloud"},
				{"leftOperand": "dateTime", "operator": "lt", "rightOperand": {"@value": "2026-12-31T23:59:59Z", "@type": "xsd:dateTime"}},
				{"leftOperand": "count", "operator": "lt", "rightOperand": 10},
				{"leftOperand": "elapsedTime", "operator": "lteq", "rightOperand": "P30D"},
			],
			"duty": [{"action": "attribute", "attributedParty": "Collectivité de Corse"}],
		}],
		"prohibition": [{"action": "distribute"}],
	},
	"context": {
		"purpose": "https://socle.fr/purpose/statistics",
		"dateTime": 1764115200000000000,
		"elapsedTime": 3600,
		"count": 2,
		"spatial": ["FR", "FR-2A"],
		"recipient": "NTRFR-200054781",
		"assignee": "NTRFR-200054781",
		"territory": ["INSEE-COM:2A004", "INSEE-DEP:2A", "INSEE-REG:94", "EU:FR"],
		"hostingQualification": ["SecNumCloud"],
		"dataClassification": "public",
		"legalBasis": "art6-1-e",
	},
}

at(scope, inp) := object.union(inp, {"scope": scope})

# object.union merges nested objects; a test that swaps a whole part needs this.
replace(obj, key, value) := object.union(object.remove(obj, [key]), {key: value})

# The node relies on this shape for every answer, allowed or not.
well_formed(d) if {
	object.keys(d) == {"allow", "reasons", "obligations"}
	is_boolean(d.allow)
	is_array(d.reasons)
	is_array(d.obligations)
	every r in d.reasons {
		object.keys(r) == {"code", "fr", "en"}
		regex.match(`^[a-z]+(_[a-z]+)*$`, r.code)
		r.fr != ""
		r.en != ""
	}
}

test_example_request_is_allowed_at_every_scope if {
	every scope in ["catalog", "negotiation", "transfer", "access"] {
		d := decision[scope] with input as at(scope, request)
		well_formed(d)
		d == {"allow": true, "reasons": [], "obligations": [{"action": "attribute", "attributedParty": "Collectivité de Corse"}]}
	}
}

test_catalog_shows_the_offer_before_any_purpose_or_agreement if {
	inp := at("catalog", replace(request, "context", {
		"recipient": "NTRFR-200054781",
		"assignee": "NTRFR-200054781",
		"territory": ["INSEE-DEP:2A", "INSEE-REG:94", "EU:FR"],
		"hostingQualification": ["SecNumCloud"],
	}))
	d := decision.catalog with input as inp
	d.allow
	n := decision.negotiation with input as at("negotiation", inp)
	not n.allow
	{r.code | some r in n.reasons} == {"missing_context_value"}
	count(n.reasons) == 4
}

test_catalog_still_filters_on_territory if {
	inp := at("catalog", replace(request, "context", {"territory": ["INSEE-DEP:75", "INSEE-REG:11", "EU:FR"], "hostingQualification": ["SecNumCloud"]}))
	d := decision.catalog with input as inp
	not d.allow
	d.reasons == [{
		"code": "constraint_not_satisfied",
		"fr": "Contrainte non satisfaite sur territory : attendu isPartOf INSEE-REG:94, trouvé [EU:FR, INSEE-DEP:75, INSEE-REG:11].",
		"en": "Constraint not satisfied on territory: expected isPartOf INSEE-REG:94, found [EU:FR, INSEE-DEP:75, INSEE-REG:11].",
	}]
}

test_access_counts_accesses_already_made if {
	ninth := at("access", object.union(request, {"context": object.union(request.context, {"count": 9})}))
	d9 := decision.access with input as ninth
	d9.allow
	tenth := at("access", object.union(request, {"context": object.union(request.context, {"count": 10})}))
	d10 := decision.access with input as tenth
	not d10.allow
	d10.reasons[0].en == "Constraint not satisfied on count: expected lt 10, found 10."
	d10.obligations == []
}

test_access_stops_when_the_agreement_window_closes if {
	late := at("access", object.union(request, {"context": object.union(request.context, {"elapsedTime": 2592001})}))
	d := decision.access with input as late
	not d.allow
	d.reasons[0].en == "Constraint not satisfied on elapsedTime: expected lteq 2592000 s, found 2592001 s."
	expired := at("access", object.union(request, {"context": object.union(request.context, {"dateTime": 1798761600000000000})}))
	e := decision.access with input as expired
	e.reasons[0].en == "Constraint not satisfied on dateTime: expected lt 2026-12-31T23:59:59Z, found 2027-01-01T00:00:00Z."
}

test_transfer_of_a_prohibited_action_is_refused if {
	d := decision.transfer with input as object.union(at("transfer", request), {"action": "distribute"})
	not d.allow
	[r.code | some r in d.reasons] == ["prohibited_action"]
	well_formed(d)
}

test_baseline_overrides_a_permissive_policy if {
	revoked := object.union(at("negotiation", request), {"consumer": object.union(ajaccio, {"revoked": true})})
	d := decision.negotiation with input as revoked
	d == {
		"allow": false, "reasons": [{
			"code": "revoked_participant",
			"fr": "Le participant NTRFR-200054781 a été révoqué par la fédération.",
			"en": "Participant NTRFR-200054781 has been revoked by the federation.",
		}],
		"obligations": [],
	}
}

test_baseline_and_policy_reasons_are_both_given if {
	inp := replace(
		object.union(at("transfer", request), {"consumer": {"member": false}}),
		"policy", {"permission": {"action": "read"}},
	)
	d := decision.transfer with input as inp
	[r.code | some r in d.reasons] == ["not_a_member", "no_matching_permission"]
}

test_personal_data_rules_apply_to_the_decision if {
	inp := replace(
		object.union(at("negotiation", request), {"asset": {"id": "etat-civil", "dataClassification": "personal"}}),
		"context", object.remove(request.context, ["legalBasis"]),
	)
	d := decision.negotiation with input as inp
	not d.allow
	[r.code | some r in d.reasons] == ["personal_data_requires_legal_basis"]
	c := decision.catalog with input as at("catalog", inp)
	c.allow
}

test_scope_in_the_input_must_match_the_rule if {
	d := decision.access with input as request
	not d.allow
	[r.code | some r in d.reasons] == ["scope_mismatch"]
	u := decision.access with input as at("billing", request)
	[r.code | some r in u.reasons] == ["unknown_scope"]
}

test_a_decision_is_always_defined if {
	every scope in ["catalog", "negotiation", "transfer", "access"] {
		d := decision[scope]
		well_formed(d)
		not d.allow
		d.reasons[0].code == "evaluation_incomplete"
	}
}

test_missing_policy_is_a_refusal if {
	d := decision.negotiation with input as object.remove(request, ["policy"])
	well_formed(d)
	[r.code | some r in d.reasons] == ["no_permission"]
}
