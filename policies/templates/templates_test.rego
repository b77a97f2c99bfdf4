package socle.templates_test

import data.socle.decision
import data.socle.odrl
import data.templates

# Fills a template's placeholders with the examples it documents, as the
# management API does with a collectivité's answers.
filled(id) := json.unmarshal(strings.replace_n(
	{concat("", ["{{", name, "}}"]): p.example | some name, p in templates[id].placeholders},
	json.marshal(templates[id].policy),
))

placeholders_in(policy) := {m[1] | some m in regex.find_all_string_submatch_n(`\{\{([A-Za-z]+)\}\}`, json.marshal(policy), -1)}

consumer := {"id": "NTRFR-213300063", "siren": "213300063", "member": true, "revoked": false}

# A consumer in Corse-du-Sud, after signing an agreement an hour ago.
context := {
	"dateTime": 1764115200000000000,
	"elapsedTime": 3600,
	"count": 0,
	"spatial": ["FR", "FR-2A"],
	"recipient": "NTRFR-213300063",
	"assignee": "NTRFR-213300063",
	"territory": ["INSEE-COM:2A004", "INSEE-DEP:2A", "INSEE-REG:94", "EU:FR"],
	"hostingQualification": ["SecNumCloud"],
	"dataClassification": "public",
}

# Each case: scope, requested action, context values to set, asset
# classification, expected allow and expected reason codes.
cases := {
	"open-licence-2": [
		{"scope": "catalog", "set": {}, "allow": true, "codes": []},
		{"scope": "negotiation", "set": {"purpose": "commerce"}, "allow": true, "codes": []},
		{"scope": "access", "action": "distribute", "set": {}, "allow": true, "codes": []},
		{"scope": "negotiation", "set": {}, "consumer": {"member": false}, "allow": false, "codes": ["not_a_member"]},
	],
	"odbl": [
		{"scope": "transfer", "action": "reproduce", "set": {}, "allow": true, "codes": []},
		{"scope": "access", "set": {}, "consumer": {"revoked": true}, "allow": false, "codes": ["revoked_participant"]},
	],
	"territory-public-bodies": [
		{"scope": "catalog", "set": {}, "allow": true, "codes": []},
		{"scope": "negotiation", "set": {}, "allow": true, "codes": []},
		{"scope": "catalog", "set": {"territory": ["INSEE-COM:75056", "INSEE-DEP:75", "INSEE-REG:11", "EU:FR"]}, "allow": false, "codes": ["constraint_not_satisfied"]},
		{"scope": "catalog", "set": {"territory": null}, "allow": false, "codes": ["missing_context_value"]},
	],
	"research-limited-duration": [
		{"scope": "catalog", "set": {}, "allow": true, "codes": []},
		{"scope": "negotiation", "set": {"purpose": "research", "elapsedTime": 0}, "allow": true, "codes": []},
		{"scope": "access", "set": {"purpose": "https://socle.fr/purpose/research", "elapsedTime": 7776000}, "allow": true, "codes": []},
		{"scope": "access", "set": {"purpose": "research", "elapsedTime": 7776001}, "allow": false, "codes": ["constraint_not_satisfied"]},
		{"scope": "negotiation", "set": {"purpose": "statistics"}, "allow": false, "codes": ["constraint_not_satisfied"]},
		{"scope": "negotiation", "set": {}, "allow": false, "codes": ["missing_context_value"]},
	],
	"personal-data-rgpd": [
		{"scope": "catalog", "set": {}, "personal": true, "allow": true, "codes": []},
		{"scope": "negotiation", "set": {"purpose": "public-service", "legalBasis": "art6-1-e"}, "personal": true, "allow": true, "codes": []},
		{"scope": "negotiation", "set": {"purpose": "public-service", "legalBasis": "art6-1-a"}, "personal": true, "allow": false, "codes": ["constraint_not_satisfied"]},
		{"scope": "transfer", "set": {"purpose": "marketing", "legalBasis": "art6-1-e"}, "personal": true, "allow": false, "codes": ["constraint_not_satisfied"]},
		{"scope": "negotiation", "set": {"purpose": "public-service"}, "personal": true, "allow": false, "codes": ["personal_data_requires_legal_basis", "missing_context_value"]},
		{"scope": "access", "action": "distribute", "set": {"purpose": "public-service", "legalBasis": "art6-1-e"}, "personal": true, "allow": false, "codes": ["prohibited_action"]},
	],
	"download-limit": [
		{"scope": "negotiation", "set": {}, "allow": true, "codes": []},
		{"scope": "access", "set": {"count": 9}, "allow": true, "codes": []},
		{"scope": "access", "set": {"count": 10}, "allow": false, "codes": ["constraint_not_satisfied"]},
	],
}

input_for(id, c) := {
	"scope": c.scope,
	"action": object.get(c, "action", "use"),
	"consumer": object.union(consumer, object.get(c, "consumer", {})),
	"provider": {"id": "NTRFR-200054781"},
	"asset": {"id": "budget-2025", "dataClassification": classification(c)},
	"policy": filled(id),
	"context": object.filter(object.union(object.union(context, {"dataClassification": classification(c)}), c.set), present_keys(c)),
}

classification(c) := "personal" if {
	c.personal
} else := "public"

# A case sets a key to null to take it out of the context.
present_keys(c) := {k | some k, v in object.union(context, c.set); v != null} | {"dataClassification"}

outcome(c) := decision.catalog if {
	c.scope == "catalog"
} else := decision.negotiation if {
	c.scope == "negotiation"
} else := decision.transfer if {
	c.scope == "transfer"
} else := decision.access

test_every_template_has_cases if {
	object.keys(cases) == object.keys(templates)
}

test_every_placeholder_is_documented_and_filled if {
	every id, t in templates {
		placeholders_in(t.policy) == object.keys(t.placeholders)
		placeholders_in(filled(id)) == set()
	}
}

test_filled_templates_are_valid_policies if {
	every id, _ in templates {
		odrl.constraint_errors(filled(id)) == []
		odrl.rule_errors(filled(id)) == []
	}
}

# Case index -> decision, for the cases of one template that went wrong.
failures(id) := {i: d |
	some i, c in cases[id]
	d := outcome(c) with input as input_for(id, c)
	[d.allow, [r.code | some r in d.reasons]] != [c.allow, c.codes]
}

# One test per template keeps each test well within the timeout of `opa test -v`.
test_open_licence_2 if failures("open-licence-2") == {}

test_odbl if failures("odbl") == {}

test_territory_public_bodies if failures("territory-public-bodies") == {}

test_research_limited_duration if failures("research-limited-duration") == {}

test_personal_data_rgpd if failures("personal-data-rgpd") == {}

test_download_limit if failures("download-limit") == {}

test_licences_carry_their_duties if {
	open := decision.negotiation with input as input_for("open-licence-2", {"scope": "negotiation", "set": {}})
	open.obligations == [{"action": "attribute", "attributedParty": "NTRFR-200054781"}]
	odbl := decision.negotiation with input as input_for("odbl", {"scope": "negotiation", "set": {}})
	odbl.obligations == [{"action": "attribute", "attributedParty": "NTRFR-200054781"}, {"action": "shareAlike"}]
}

test_download_limit_names_the_limit if {
	d := decision.access with input as input_for("download-limit", {"scope": "access", "set": {"count": 10}})
	d.reasons[0].en == "Constraint not satisfied on count: expected lt 10, found 10."
}
