package socle.odrl_test

import data.socle.odrl

holds := {"leftOperand": "count", "operator": "lt", "rightOperand": 10}

fails := {"leftOperand": "purpose", "operator": "eq", "rightOperand": "research"}

# A recipient constraint without a recipient in the context: undecided.
unknown := {"leftOperand": "recipient", "operator": "eq", "rightOperand": "NTRFR-1"}

no_recipient := object.remove(context, ["recipient"])

result_of(c) := odrl.constraint_result(c, env("negotiation", no_recipient))

logical_cases := {
	"and all hold": [{"and": [holds, holds]}, "T"],
	"and one fails": [{"and": [holds, fails]}, "F"],
	"and fails over undecided": [{"and": [unknown, fails]}, "F"],
	"and undecided": [{"and": [holds, unknown]}, "U"],
	"or one holds": [{"or": [fails, holds]}, "T"],
	"or none holds": [{"or": [fails, fails]}, "F"],
	"or holds over undecided": [{"or": [unknown, holds]}, "T"],
	"or undecided": [{"or": [fails, unknown]}, "U"],
	"xone exactly one": [{"xone": [fails, holds]}, "T"],
	"xone two hold": [{"xone": [holds, holds, fails]}, "F"],
	"xone none holds": [{"xone": [fails, fails]}, "F"],
	"xone two hold despite undecided": [{"xone": [holds, holds, unknown]}, "F"],
	"xone one holds and one undecided": [{"xone": [holds, unknown]}, "U"],
	"andSequence all hold": [{"andSequence": [holds, holds]}, "T"],
	"andSequence one fails": [{"andSequence": [fails, holds]}, "F"],
	"andSequence as @list": [{"andSequence": {"@list": [holds, holds]}}, "T"],
	"prefixed and typed": [{"@type": "LogicalConstraint", "odrl:or": [fails, holds]}, "T"],
	"full IRI": [{"http://www.w3.org/ns/odrl/2/and": [holds]}, "T"],
	"nested three levels": [{"and": [{"or": [fails, {"xone": [holds, fails]}]}]}, "T"],
	"nested four levels": [{"and": [{"or": [fails, {"xone": [{"andSequence": [holds]}]}]}]}, "T"],
	"nested four levels failing": [{"and": [{"or": [fails, {"xone": [{"andSequence": [fails]}]}]}]}, "F"],
}

test_logical_constraints if {
	failures := {name: got |
		some name, row in logical_cases
		got := result_of(row[0]).status
		got != row[1]
	}
	failures == {}
}

test_failing_and_reports_each_failing_operand if {
	result := result_of({"and": [fails, holds, {"leftOperand": "count", "operator": "gt", "rightOperand": 5}]})
	[r.code | some r in result.reasons] == ["constraint_not_satisfied", "constraint_not_satisfied"]
	result.reasons[0].en == "Constraint not satisfied on purpose: expected eq research, found statistics."
	result.reasons[0].fr == "Contrainte non satisfaite sur purpose : attendu eq research, trouvé statistics."
	result.reasons[1].en == "Constraint not satisfied on count: expected gt 5, found 2."
}

test_failing_or_adds_a_summary if {
	result := result_of({"or": [fails, fails]})
	[r.code | some r in result.reasons] == ["constraint_not_satisfied", "constraint_not_satisfied", "logical_constraint_not_satisfied"]
	result.reasons[2].en == "\"or\" constraint: at least one alternative must be satisfied, 0 of 2 are."
	result.reasons[2].fr == "Contrainte « or » : au moins une alternative doit être satisfaite, 0 sur 2 le sont."
}

test_xone_with_two_satisfied_says_so if {
	result := result_of({"xone": [holds, holds, fails]})
	result.reasons[count(result.reasons) - 1].en == "\"xone\" constraint: exactly one alternative must be satisfied, 2 of 3 are."
	result.reasons[count(result.reasons) - 1].fr == "Contrainte « xone » : exactement une alternative doit être satisfaite, 2 sur 3 le sont."
}

test_satisfied_logical_constraint_has_no_reasons if {
	result_of({"or": [fails, holds]}) == {"status": "T", "reasons": []}
}

too_deep := {"and": [{"or": [{"xone": [{"andSequence": [{"and": [holds]}]}]}]}]}

test_nesting_beyond_the_limit_is_refused if {
	result := result_of(too_deep)
	result.status == "U"
	result.reasons[0].code == "constraint_too_deep"
	result.reasons[0].en == "Logical constraints nested more than 4 levels deep (and(1)) are not evaluated, so the policy is refused."
	[r.code | some r in odrl.constraint_errors({"permission": {"action": "use", "constraint": too_deep}})] == ["constraint_too_deep"]
}

malformed := {
	"empty list": {"and": []},
	"two logical operators": {"and": [holds], "or": [holds]},
	"logical and atomic at once": {"and": [holds], "leftOperand": "count", "operator": "lt", "rightOperand": 1},
	"logical over a non-list": {"or": "count"},
	"reference instead of a constraint": "urn:constraint:42",
	"no operator": {"leftOperand": "count", "rightOperand": 1},
	"no right operand": {"leftOperand": "count", "operator": "lt"},
	"null right operand": {"leftOperand": "count", "operator": "lt", "rightOperand": null},
	"no left operand": {"operator": "lt", "rightOperand": 1},
}

test_malformed_constraints_are_undecided_and_reported if {
	failures := {name: result |
		some name, c in malformed
		result := result_of(c)
		[result.status, [r.code | some r in result.reasons]] != ["U", ["invalid_constraint"]]
	}
	failures == {}
	every c in malformed {
		reasons := odrl.constraint_errors({"permission": {"action": "use", "constraint": [c]}})
		"invalid_constraint" in {r.code | some r in reasons}
	}
}

test_invalid_constraint_message_shows_the_json if {
	result := result_of("urn:constraint:42")
	result.reasons[0].en == "Unreadable constraint \"urn:constraint:42\": expected leftOperand, operator and rightOperand, or exactly one of and, or, xone, andSequence with a non-empty list."
}

test_unknown_operand_is_named if {
	result := result_of({"leftOperand": "odrl:virtualLocation", "operator": "eq", "rightOperand": "x"})
	result.status == "U"
	result.reasons == [{
		"code": "unknown_operand",
		"fr": "Opérande gauche inconnu « odrl:virtualLocation » : Socle ne sait pas évaluer cette contrainte, la politique est refusée.",
		"en": "Unknown left operand \"odrl:virtualLocation\": Socle cannot evaluate this constraint, so the policy is refused.",
	}]
}

test_operand_prefix_must_match_its_vocabulary if {
	result_of({"leftOperand": "socle:purpose", "operator": "eq", "rightOperand": "statistics"}).reasons[0].code == "unknown_operand"
	result_of({"leftOperand": "odrl:territory", "operator": "eq", "rightOperand": "EU:FR"}).reasons[0].code == "unknown_operand"
	result_of({"leftOperand": {"@id": "odrl:purpose"}, "operator": {"@id": "odrl:eq"}, "rightOperand": "statistics"}).status == "T"
}

test_unknown_operator_is_named if {
	result := result_of({"leftOperand": "purpose", "operator": "odrl:hasPart", "rightOperand": "x"})
	result.reasons == [{
		"code": "unknown_operator",
		"fr": "Opérateur inconnu « odrl:hasPart » sur purpose : Socle ne sait pas évaluer cette contrainte, la politique est refusée.",
		"en": "Unknown operator \"odrl:hasPart\" on purpose: Socle cannot evaluate this constraint, so the policy is refused.",
	}]
}

test_operator_must_apply_to_the_operand if {
	result := result_of({"leftOperand": "purpose", "operator": "lt", "rightOperand": "x"})
	result.reasons[0].code == "operator_not_applicable"
	result.reasons[0].en == "Operator lt does not apply to purpose; allowed operators: eq, isA, isAllOf, isAnyOf, isNoneOf, isPartOf, neq."
	result_of({"leftOperand": "count", "operator": "isAnyOf", "rightOperand": [1, 2]}).reasons[0].code == "operator_not_applicable"
}

test_validation_finds_constraints_everywhere if {
	bad := {"leftOperand": "colour", "operator": "eq", "rightOperand": "blue"}
	places := [
		{"permission": [{"action": "use", "constraint": bad}]},
		{"odrl:prohibition": {"odrl:action": "distribute", "odrl:constraint": [{"or": [holds, bad]}]}},
		{"permission": {"action": "use", "duty": {"action": "delete", "constraint": bad}}},
		{"obligation": [{"action": "attribute", "constraint": bad}]},
		{"permission": {"action": {"rdf:value": {"@id": "odrl:use"}, "refinement": bad}}},
	]
	every policy in places {
		[r.code | some r in odrl.constraint_errors(policy)] == ["unknown_operand"]
	}
}

test_validation_skips_the_json_ld_context if {
	policy := {
		"@context": {"constraint": {"@id": "odrl:constraint", "@container": "@set"}},
		"permission": {"action": "use", "constraint": holds},
	}
	odrl.constraint_errors(policy) == []
}

test_values_are_displayed_as_written if {
	odrl.display({"@id": "odrl:eq"}) == "odrl:eq"
	odrl.display({"@value": 10, "@type": "xsd:integer"}) == "10"
	odrl.display(["a", {"@id": "b"}]) == "[a, b]"
	odrl.display(true) == "true"
	odrl.display_value("elapsedTime", 3600) == "3600 s"
	odrl.display_value("dateTime", 1764115200000000000) == "2025-11-26T00:00:00Z"
	odrl.display_value("territory", {"EU:FR", "INSEE-DEP:2A"}) == "[EU:FR, INSEE-DEP:2A]"
	odrl.display_value("count", 3) == "3"
	odrl.describe_node({"or": [holds, fails]}) == "or(2)"
	odrl.describe_node({"or": []}) == `{"or":[]}`
}
