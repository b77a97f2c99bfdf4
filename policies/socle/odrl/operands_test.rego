package socle.odrl_test

import data.socle.odrl

# The context of the contract's example request: a Corse-du-Sud commune.
context := {
	"purpose": "https://socle.fr/purpose/statistics",
	"dateTime": 1764115200000000000, # 2025-11-26T00:00:00Z
	"elapsedTime": 3600,
	"count": 2,
	"spatial": ["FR", "FR-2A"],
	"recipient": "NTRFR-200054781",
	"assignee": "NTRFR-200054781",
	"territory": ["INSEE-COM:2A004", "INSEE-DEP:2A", "INSEE-REG:94", "EU:FR"],
	"hostingQualification": ["SecNumCloud"],
	"dataClassification": "public",
	"legalBasis": "art6-1-e",
}

env(scope, ctx) := {"scope": scope, "action": "use", "context": ctx, "deferred": "T"}

status(c) := odrl.constraint_result(c, env("negotiation", context)).status

# operand -> case -> [leftOperand, operator, rightOperand, expected status];
# each operand and operator with a case that holds and one that does not.
# Grouped by operand so that a test reads only its own rows: `opa test -v`
# traces every value it touches.
atomic_cases := {
	"purpose": {
		"purpose eq short name": ["purpose", "eq", "statistics", "T"],
		"purpose eq IRI": ["purpose", "eq", {"@id": "https://socle.fr/purpose/statistics"}, "T"],
		"purpose eq other": ["purpose", "eq", "research", "F"],
		"purpose eq other namespace": ["purpose", "eq", "https://example.org/purpose/statistics", "F"],
		"purpose neq other": ["purpose", "neq", "research", "T"],
		"purpose neq same": ["purpose", "neq", "statistics", "F"],
		"purpose isAnyOf hit": ["purpose", "isAnyOf", ["research", "statistics"], "T"],
		"purpose isAnyOf miss": ["purpose", "isAnyOf", ["research", "marketing"], "F"],
		"purpose isNoneOf miss": ["purpose", "isNoneOf", ["marketing"], "T"],
		"purpose isNoneOf hit": ["purpose", "isNoneOf", ["marketing", "statistics"], "F"],
		"purpose isA same": ["purpose", "isA", "statistics", "T"],
		"purpose isA other": ["purpose", "isA", "research", "F"],
		"purpose isPartOf hit": ["purpose", "isPartOf", ["statistics", "research"], "T"],
		"purpose isPartOf miss": ["purpose", "isPartOf", ["research"], "F"],
		"purpose isAllOf single": ["purpose", "isAllOf", ["statistics"], "T"],
		"purpose isAllOf more": ["purpose", "isAllOf", ["statistics", "research"], "F"],
		"purpose @value literal": ["purpose", "eq", {"@value": "statistics"}, "T"],
		"purpose @list": ["purpose", "isAnyOf", {"@list": ["research", "statistics"]}, "T"],
	},
	"dateTime": {
		"dateTime lt later": ["dateTime", "lt", "2026-01-01T00:00:00Z", "T"],
		"dateTime lt earlier": ["dateTime", "lt", "2025-01-01T00:00:00Z", "F"],
		"dateTime lteq same": ["dateTime", "lteq", "2025-11-26T00:00:00Z", "T"],
		"dateTime lteq earlier": ["dateTime", "lteq", "2025-11-25T23:59:59Z", "F"],
		"dateTime gt xsd:date": ["dateTime", "gt", "2025-11-25", "T"],
		"dateTime gt later": ["dateTime", "gt", "2026-01-01", "F"],
		"dateTime gteq same with offset": ["dateTime", "gteq", "2025-11-26T01:00:00+01:00", "T"],
		"dateTime gteq later": ["dateTime", "gteq", "2025-11-26T00:00:01Z", "F"],
		"dateTime eq same": ["dateTime", "eq", {"@value": "2025-11-26T00:00:00Z", "@type": "xsd:dateTime"}, "T"],
		"dateTime eq other": ["dateTime", "eq", "2025-11-27T00:00:00Z", "F"],
		"dateTime neq other": ["dateTime", "neq", "2025-11-27T00:00:00Z", "T"],
		"dateTime neq same": ["dateTime", "neq", "2025-11-26T00:00:00Z", "F"],
		"dateTime full xsd IRI type": ["dateTime", "lt", {"@value": "2026-01-01T00:00:00Z", "@type": {"@id": "http://www.w3.org/2001/XMLSchema#dateTime"}}, "T"],
		"dateTime lt nanoseconds later": ["dateTime", "lt", 1764115200000000001, "T"],
		"dateTime lt nanoseconds same": ["dateTime", "lt", 1764115200000000000, "F"],
		"dateTime eq nanoseconds @value": ["dateTime", "eq", {"@value": 1764115200000000000, "@type": "xsd:dateTime"}, "T"],
		"dateTime gteq nanoseconds later": ["dateTime", "gteq", 1767225600000000000, "F"],
	},
	"elapsedTime": {
		"elapsedTime lteq P30D": ["elapsedTime", "lteq", "P30D", "T"],
		"elapsedTime lteq equal": ["elapsedTime", "lteq", {"@value": "PT1H", "@type": "xsd:duration"}, "T"],
		"elapsedTime lteq shorter": ["elapsedTime", "lteq", "PT59M59S", "F"],
		"elapsedTime lt equal": ["elapsedTime", "lt", "PT3600S", "F"],
		"elapsedTime lt longer": ["elapsedTime", "lt", "P1W", "T"],
		"elapsedTime gt shorter": ["elapsedTime", "gt", "PT30M", "T"],
		"elapsedTime gt longer": ["elapsedTime", "gt", "P1Y", "F"],
		"elapsedTime gteq seconds": ["elapsedTime", "gteq", 3600, "T"],
		"elapsedTime gteq more seconds": ["elapsedTime", "gteq", 7200, "F"],
		"elapsedTime eq": ["elapsedTime", "eq", "PT0.5H", "U"],
		"elapsedTime eq composite": ["elapsedTime", "eq", "PT59M60S", "T"],
		"elapsedTime neq": ["elapsedTime", "neq", "P1M", "T"],
		"elapsedTime neq same": ["elapsedTime", "neq", "PT1H", "F"],
	},
	"count": {
		"count lt allows the 3rd access": ["count", "lt", 3, "T"],
		"count lt refuses beyond": ["count", "lt", 2, "F"],
		"count lteq": ["count", "lteq", 2, "T"],
		"count lteq below": ["count", "lteq", 1, "F"],
		"count gt": ["count", "gt", 1, "T"],
		"count gt same": ["count", "gt", 2, "F"],
		"count gteq": ["count", "gteq", 2, "T"],
		"count gteq above": ["count", "gteq", 3, "F"],
		"count eq": ["count", "eq", 2, "T"],
		"count eq other": ["count", "eq", 5, "F"],
		"count neq": ["count", "neq", 5, "T"],
		"count neq same": ["count", "neq", 2, "F"],
		"count typed integer": ["count", "lt", {"@value": "10", "@type": "xsd:integer"}, "T"],
		"count typed decimal": ["count", "lt", {"@value": "2.5", "@type": "http://www.w3.org/2001/XMLSchema#decimal"}, "T"],
		"count @value number": ["count", "eq", {"@value": 2}, "T"],
	},
	"spatial": {
		"spatial isAnyOf": ["spatial", "isAnyOf", ["FR", "DE"], "T"],
		"spatial isAnyOf miss": ["spatial", "isAnyOf", ["DE", "IT"], "F"],
		"spatial isPartOf": ["spatial", "isPartOf", "FR", "T"],
		"spatial isPartOf miss": ["spatial", "isPartOf", "DE", "F"],
		"spatial isAllOf": ["spatial", "isAllOf", ["FR", "FR-2A"], "T"],
		"spatial isAllOf miss": ["spatial", "isAllOf", ["FR", "DE"], "F"],
		"spatial isNoneOf": ["spatial", "isNoneOf", ["US"], "T"],
		"spatial isNoneOf hit": ["spatial", "isNoneOf", ["US", "FR-2A"], "F"],
		"spatial eq": ["spatial", "eq", "FR-2A", "T"],
		"spatial neq": ["spatial", "neq", "FR", "F"],
	},
	"recipient": {
		"recipient eq": ["recipient", "eq", "NTRFR-200054781", "T"],
		"recipient eq other": ["recipient", "eq", {"@id": "NTRFR-213300063"}, "F"],
		"recipient isAnyOf": ["recipient", "isAnyOf", ["NTRFR-213300063", "NTRFR-200054781"], "T"],
		"recipient neq": ["recipient", "neq", "NTRFR-200054781", "F"],
	},
	"assignee": {
		"assignee eq": ["odrl:assignee", "eq", "NTRFR-200054781", "T"],
		"assignee isNoneOf": ["assignee", "isNoneOf", ["NTRFR-200054781"], "F"],
	},
	"territory": {
		"territory isPartOf department": ["socle:territory", "isPartOf", "INSEE-DEP:2A", "T"],
		"territory isPartOf region": ["territory", "isPartOf", {"@id": "INSEE-REG:94"}, "T"],
		"territory isPartOf other": ["territory", "isPartOf", "INSEE-DEP:75", "F"],
		"territory isAnyOf": ["territory", "isAnyOf", ["INSEE-DEP:75", "EU:FR"], "T"],
		"territory isAllOf": ["territory", "isAllOf", ["INSEE-DEP:2A", "EU:FR"], "T"],
		"territory isAllOf miss": ["territory", "isAllOf", ["INSEE-DEP:2A", "INSEE-DEP:2B"], "F"],
		"territory isNoneOf": ["territory", "isNoneOf", ["INSEE-DEP:75"], "T"],
		"territory isNoneOf hit": ["territory", "isNoneOf", ["INSEE-DEP:2A"], "F"],
	},
	"hostingQualification": {
		"hostingQualification eq": ["socle:hostingQualification", "eq", "SecNumCloud", "T"],
		"hostingQualification isAllOf": ["hostingQualification", "isAllOf", ["SecNumCloud", "HDS"], "F"],
		"hostingQualification neq": ["hostingQualification", "neq", "SecNumCloud", "F"],
	},
	"dataClassification": {
		"dataClassification eq": ["socle:dataClassification", "eq", "public", "T"],
		"dataClassification eq other": ["dataClassification", "eq", "personal", "F"],
		"dataClassification isNoneOf": ["dataClassification", "isNoneOf", ["personal", "secret"], "T"],
	},
	"legalBasis": {
		"legalBasis isAnyOf": ["socle:legalBasis", "isAnyOf", ["art6-1-c", "art6-1-e"], "T"],
		"legalBasis eq other": ["legalBasis", "eq", "art6-1-a", "F"],
	},
}

atomic(row) := {"leftOperand": row[0], "operator": row[1], "rightOperand": row[2]}

# One test per operand keeps each test short enough for `opa test -v`, which
# traces every step, to finish well within its timeout on a busy machine.
failures_for(operand) := {name: got |
	some name, row in atomic_cases[operand]
	got := status(atomic(row))
	got != row[3]
}

test_purpose if failures_for("purpose") == {}

test_date_time if failures_for("dateTime") == {}

test_elapsed_time if failures_for("elapsedTime") == {}

test_count if failures_for("count") == {}

test_spatial if failures_for("spatial") == {}

test_recipient if failures_for("recipient") == {}

test_assignee if failures_for("assignee") == {}

test_territory if failures_for("territory") == {}

test_hosting_qualification if failures_for("hostingQualification") == {}

test_data_classification if failures_for("dataClassification") == {}

test_legal_basis if failures_for("legalBasis") == {}

test_cases_hold_and_fail_for_every_operand_and_operator if {
	every operand, rows in atomic_cases {
		every row in rows {
			odrl.operand_name(row[0]) == operand
		}
	}
	object.keys(atomic_cases) == object.keys(odrl.operands)
	every rows in atomic_cases {
		{row[3] | some row in rows} & {"T", "F"} == {"T", "F"}
	}
	every operator in odrl.operators {
		{row[3] | some rows in atomic_cases; some row in rows; row[1] == operator} & {"T", "F"} == {"T", "F"}
	}
}

test_isa_follows_path_like_purposes if {
	ctx := object.union(context, {"purpose": "https://socle.fr/purpose/research/health"})
	c := {"leftOperand": "purpose", "operator": "isA", "rightOperand": "research"}
	odrl.constraint_result(c, env("negotiation", ctx)).status == "T"
	not_a_prefix := {"leftOperand": "purpose", "operator": "isA", "rightOperand": "research/he"}
	odrl.constraint_result(not_a_prefix, env("negotiation", ctx)).status == "F"
}

# Rego orders numbers before strings, so these would silently compare.
type_cases := {
	"policy": {
		"count against a string": ["count", "lt", "10", context],
		"count against an untyped @value string": ["count", "lt", {"@value": "10"}, context],
		"count against a non-numeric integer": ["count", "lt", {"@value": "ten", "@type": "xsd:integer"}, context],
		"count against a boolean": ["count", "eq", true, context],
		"dateTime against seconds since the epoch": ["dateTime", "lt", 1767225600, context],
		"dateTime against milliseconds since the epoch": ["dateTime", "lt", 1767225600000, context],
		"dateTime against a fractional number": ["dateTime", "lt", 1767225600000000000.5, context],
		"dateTime number with a duration type": ["dateTime", "lt", {"@value": 1767225600000000000, "@type": "xsd:duration"}, context],
		"dateTime against a numeric string": ["dateTime", "lt", "1767225600000000000", context],
		"dateTime without time zone": ["dateTime", "lt", "2025-12-31T00:00:00", context],
		"dateTime against a word": ["dateTime", "lt", "tomorrow", context],
		"dateTime with a duration type": ["dateTime", "lt", {"@value": "2025-12-31", "@type": "xsd:duration"}, context],
		"elapsedTime against a bare P": ["elapsedTime", "lt", "P", context],
		"elapsedTime against a trailing T": ["elapsedTime", "lt", "P1DT", context],
		"elapsedTime against words": ["elapsedTime", "lt", "30 days", context],
		"elapsedTime negative duration": ["elapsedTime", "lt", "-P1D", context],
		"purpose against a number": ["purpose", "eq", 5, context],
		"purpose against an empty list": ["purpose", "isAnyOf", [], context],
		"territory list with a number": ["territory", "isAnyOf", ["INSEE-DEP:2A", 75], context],
	},
	"context": {
		"context count as a string": ["count", "lt", 10, object.union(context, {"count": "3"})],
		"context dateTime as a string": ["dateTime", "lt", "2026-01-01T00:00:00Z", object.union(context, {"dateTime": "2025-11-26T00:00:00Z"})],
		"context elapsedTime as a string": ["elapsedTime", "lt", "P1D", object.union(context, {"elapsedTime": "PT1H"})],
		"context purpose as a number": ["purpose", "eq", "statistics", object.union(context, {"purpose": 42})],
		"context territory with a number": ["territory", "isPartOf", "EU:FR", object.union(context, {"territory": ["EU:FR", 1]})],
	},
}

type_failures(side) := {name: result |
	some name, row in type_cases[side]
	result := odrl.constraint_result(atomic(row), env("negotiation", row[3]))
	[result.status, [r.code | some r in result.reasons]] != ["U", ["type_mismatch"]]
}

test_type_mismatch_in_the_policy_is_undecided_with_reason if type_failures("policy") == {}

test_type_mismatch_in_the_context_is_undecided_with_reason if type_failures("context") == {}

test_type_mismatch_messages_name_both_values if {
	policy_side := odrl.constraint_result(atomic(["count", "lt", "10"]), env("negotiation", context))
	policy_side.reasons[0].en == "Type mismatch on count: the policy gives 10, expected a number."
	policy_side.reasons[0].fr == "Type incompatible pour count : la politique donne 10, il faut un nombre."
	ctx := object.union(context, {"dateTime": "2025-11-26"})
	context_side := odrl.constraint_result(atomic(["dateTime", "lt", "2026-01-01"]), env("negotiation", ctx))
	context_side.reasons[0].en == `Type mismatch on dateTime: the request gives "2025-11-26", expected a number of nanoseconds since the Unix epoch.`
}

test_missing_deferrable_values_at_catalog if {
	cases := [
		["purpose", "eq", "statistics"],
		["dateTime", "lt", "2026-01-01"],
		["elapsedTime", "lt", "P1D"],
		["count", "lt", 10],
		["spatial", "isAnyOf", ["FR"]],
		["dataClassification", "eq", "public"],
		["legalBasis", "eq", "art6-1-e"],
	]
	every row in cases {
		odrl.constraint_result(atomic(row), env("catalog", {})) == {"status": "T", "reasons": []}
		prohibition_env := object.union(env("catalog", {}), {"deferred": "F"})
		odrl.constraint_result(atomic(row), prohibition_env) == {"status": "F", "reasons": []}
	}
}

test_missing_value_never_waits_for_identity_and_hosting if {
	every name in ["recipient", "assignee", "territory", "hostingQualification"] {
		result := odrl.constraint_result(atomic([name, "eq", "x"]), env("catalog", {}))
		result.status == "U"
		result.reasons[0].code == "missing_context_value"
	}
}

test_missing_value_is_undecided_after_catalog if {
	every scope in ["negotiation", "transfer", "access"] {
		result := odrl.constraint_result(atomic(["purpose", "eq", "research"]), env(scope, {"purpose": null}))
		result.status == "U"
		result.reasons == [{
			"code": "missing_context_value",
			"fr": "Aucune valeur de purpose dans la requête : la contrainte « purpose eq research » ne peut pas être vérifiée.",
			"en": "No value for purpose in the request: the constraint \"purpose eq research\" cannot be checked.",
		}]
	}
}

test_duration_arithmetic if {
	odrl.duration_seconds("P1Y2M3W4DT5H6M7S") == ((((((365 + 60) + 21) + 4) * 86400) + (5 * 3600)) + (6 * 60)) + 7
	odrl.duration_seconds("PT1.5S") == 1.5
	not odrl.duration_seconds("PT")
	not odrl.duration_seconds("1D")
}
