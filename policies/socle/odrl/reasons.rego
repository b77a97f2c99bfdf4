# Reasons given to people.
#
# Every reason names what was expected and what was found, in French and in
# English, so that an agent of a collectivité can act on a refusal without
# reading the policy's JSON.
package socle.odrl

reason(code, fr, en) := {"code": code, "fr": fr, "en": en}

# Values as written in the policy or the request: IRIs by their @id, literals
# by their @value, anything else as compact JSON.
display(x) := concat("", ["[", concat(", ", [display_item(item) | some item in x]), "]"]) if {
	is_array(x)
} else := display_item(x)

display_item(x) := x if {
	is_string(x)
} else := s if {
	s := iri(x)
} else := sprintf("%v", [v]) if {
	v := x["@value"]
} else := json.marshal(x)

# Normalised values, in the unit the comparison used.
display_value(operand, value) := display_item(single) if {
	operands[operand].kind == "term"
	[single] := [v | some v in value]
} else := display([v | some v in value]) if {
	operands[operand].kind == "term"
} else := sprintf("%v s", [value]) if {
	operands[operand].kind == "duration"
} else := time.format(value) if {
	operands[operand].kind == "dateTime"
} else := sprintf("%v", [value])

# A single name reads better bare than as a one-element list.
display_names(names) := names[0] if {
	count(names) == 1
} else := display(names)

describe(p) := sprintf("%s %s %s", [display(p.left), display(p.operator_term), display(p.right)])

describe_node(c) := describe(parse_atomic(c)) if {
	not is_logical(c)
} else := sprintf("%s(%d)", [form.operator, count(form.operands)]) if {
	form := logical_form(c)
} else := display(c)

type_names := {
	"term": {"fr": "une chaîne ou une IRI, ou une liste de celles-ci", "en": "a string or an IRI, or a list of them"},
	"number": {"fr": "un nombre", "en": "a number"},
	"duration": {"fr": "une durée xsd:duration (ex. P30D) ou un nombre de secondes", "en": "an xsd:duration (e.g. P30D) or a number of seconds"},
	"dateTime": {"fr": "une date xsd:dateTime avec fuseau horaire ou un nombre entier de nanosecondes depuis l'époque Unix", "en": "an xsd:dateTime with a time zone or a whole number of nanoseconds since the Unix epoch"},
}

# The node supplies instants and durations already converted to numbers.
context_type_names := {
	"term": type_names.term,
	"number": type_names.number,
	"duration": {"fr": "un nombre de secondes", "en": "a number of seconds"},
	"dateTime": {"fr": "un nombre de nanosecondes depuis l'époque Unix", "en": "a number of nanoseconds since the Unix epoch"},
}

not_satisfied_reason(p, found, expected) := reason(
	"constraint_not_satisfied",
	sprintf("Contrainte non satisfaite sur %s : attendu %s %s, trouvé %s.", [p.operand, p.operator, display_value(p.operand, expected), display_value(p.operand, found)]),
	sprintf("Constraint not satisfied on %s: expected %s %s, found %s.", [p.operand, p.operator, display_value(p.operand, expected), display_value(p.operand, found)]),
)

missing_context_reason(p) := reason(
	"missing_context_value",
	sprintf("Aucune valeur de %s dans la requête : la contrainte « %s » ne peut pas être vérifiée.", [p.operand, describe(p)]),
	sprintf("No value for %s in the request: the constraint \"%s\" cannot be checked.", [p.operand, describe(p)]),
)

policy_type_reason(p) := reason(
	"type_mismatch",
	sprintf("Type incompatible pour %s : la politique donne %s, il faut %s.", [p.operand, display(p.right), type_names[operands[p.operand].kind].fr]),
	sprintf("Type mismatch on %s: the policy gives %s, expected %s.", [p.operand, display(p.right), type_names[operands[p.operand].kind].en]),
)

context_type_reason(p, value) := reason(
	"type_mismatch",
	sprintf("Type incompatible pour %s : la requête donne %s, il faut %s.", [p.operand, json.marshal(value), context_type_names[operands[p.operand].kind].fr]),
	sprintf("Type mismatch on %s: the request gives %s, expected %s.", [p.operand, json.marshal(value), context_type_names[operands[p.operand].kind].en]),
)

unknown_operand_reason(p) := reason(
	"unknown_operand",
	sprintf("Opérande gauche inconnu « %s » : Socle ne sait pas évaluer cette contrainte, la politique est refusée.", [display(p.left)]),
	sprintf("Unknown left operand \"%s\": Socle cannot evaluate this constraint, so the policy is refused.", [display(p.left)]),
)

unknown_operator_reason(p) := reason(
	"unknown_operator",
	sprintf("Opérateur inconnu « %s » sur %s : Socle ne sait pas évaluer cette contrainte, la politique est refusée.", [display(p.operator_term), p.operand]),
	sprintf("Unknown operator \"%s\" on %s: Socle cannot evaluate this constraint, so the policy is refused.", [display(p.operator_term), p.operand]),
)

not_applicable_reason(p) := reason(
	"operator_not_applicable",
	sprintf("L'opérateur %s ne s'applique pas à %s ; opérateurs possibles : %s.", [p.operator, p.operand, concat(", ", sort(applicable_operators[operands[p.operand].kind]))]),
	sprintf("Operator %s does not apply to %s; allowed operators: %s.", [p.operator, p.operand, concat(", ", sort(applicable_operators[operands[p.operand].kind]))]),
)

invalid_constraint_reason(c) := reason(
	"invalid_constraint",
	sprintf("Contrainte illisible %s : il faut leftOperand, operator et rightOperand, ou un seul de and, or, xone, andSequence avec une liste non vide.", [json.marshal(c)]),
	sprintf("Unreadable constraint %s: expected leftOperand, operator and rightOperand, or exactly one of and, or, xone, andSequence with a non-empty list.", [json.marshal(c)]),
)

too_deep_reason(c) := reason(
	"constraint_too_deep",
	sprintf("Contraintes logiques imbriquées sur plus de %d niveaux (%s) : non évaluées, la politique est refusée.", [max_depth, describe_node(c)]),
	sprintf("Logical constraints nested more than %d levels deep (%s) are not evaluated, so the policy is refused.", [max_depth, describe_node(c)]),
)

alternatives_reason("or", results) := reason(
	"logical_constraint_not_satisfied",
	sprintf("Contrainte « or » : au moins une alternative doit être satisfaite, %d sur %d le sont.", [count_of("T", [r.status | some r in results]), count(results)]),
	sprintf("\"or\" constraint: at least one alternative must be satisfied, %d of %d are.", [count_of("T", [r.status | some r in results]), count(results)]),
)

alternatives_reason("xone", results) := reason(
	"logical_constraint_not_satisfied",
	sprintf("Contrainte « xone » : exactement une alternative doit être satisfaite, %d sur %d le sont.", [count_of("T", [r.status | some r in results]), count(results)]),
	sprintf("\"xone\" constraint: exactly one alternative must be satisfied, %d of %d are.", [count_of("T", [r.status | some r in results]), count(results)]),
)

no_permission_reason := reason(
	"no_permission",
	"La politique n'accorde aucune permission.",
	"The policy grants no permission.",
)

no_matching_permission_reason(action, policy) := reason(
	"no_matching_permission",
	sprintf("Aucune permission ne couvre l'action « %s » ; actions permises : %s.", [action, display(permitted_actions(policy))]),
	sprintf("No permission covers the action \"%s\"; permitted actions: %s.", [action, display(permitted_actions(policy))]),
)

prohibited_reason(action, rule) := reason(
	"prohibited_action",
	sprintf("L'action « %s » est interdite par la politique (interdiction de %s, conditions : %s).", [action, display_names(sort(action_names(rule))), conditions_fr(rule)]),
	sprintf("The action \"%s\" is prohibited by the policy (prohibition of %s, conditions: %s).", [action, display_names(sort(action_names(rule))), conditions_en(rule)]),
)

conditions_fr(rule) := concat(", ", [describe_node(c) | some c in prop_list(rule, "constraint")]) if {
	count(prop_list(rule, "constraint")) > 0
} else := "aucune"

conditions_en(rule) := concat(", ", [describe_node(c) | some c in prop_list(rule, "constraint")]) if {
	count(prop_list(rule, "constraint")) > 0
} else := "none"

prohibition_undecided_reason(action, rule) := reason(
	"prohibition_not_ruled_out",
	sprintf("L'interdiction de %s pourrait s'appliquer à l'action « %s » et n'a pas pu être écartée : une valeur manque ou a un type incompatible.", [display_names(sort(action_names(rule))), action]),
	sprintf("The prohibition of %s may apply to the action \"%s\" and could not be ruled out: a value is missing or has the wrong type.", [display_names(sort(action_names(rule))), action]),
)

invalid_rule_reason(kind, rule) := reason(
	"invalid_rule",
	sprintf("Règle %s illisible %s : il faut un objet avec au moins une action lisible.", [kind, json.marshal(rule)]),
	sprintf("Unreadable %s rule %s: expected an object with at least one readable action.", [kind, json.marshal(rule)]),
)

invalid_action_reason(action) := reason(
	"invalid_action",
	sprintf("Action demandée illisible %s : il faut un nom d'action ODRL, par exemple use.", [json.marshal(action)]),
	sprintf("Unreadable requested action %s: expected an ODRL action name such as use.", [json.marshal(action)]),
)
