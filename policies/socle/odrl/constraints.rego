# ODRL constraints.
#
# A constraint evaluates to one of three statuses:
#   "T" satisfied, "F" not satisfied,
#   "U" undecided: a value is missing or has the wrong type, or the constraint
#       itself cannot be read.
# Keeping "U" apart from "F" lets a permission fail closed (only "T" grants)
# and a prohibition fail closed too (anything but "F" forbids), instead of a
# malformed prohibition quietly letting a request through.
# Each result carries the reasons a person needs when it is not "T".
package socle.odrl

# Constraint keys are looked up for every node of every policy, so their
# spellings are written out: one map access instead of a function call.
logical_keys := {
	"and": "and",
	"odrl:and": "and",
	"http://www.w3.org/ns/odrl/2/and": "and",
	"or": "or",
	"odrl:or": "or",
	"http://www.w3.org/ns/odrl/2/or": "or",
	"xone": "xone",
	"odrl:xone": "xone",
	"http://www.w3.org/ns/odrl/2/xone": "xone",
	"andSequence": "andSequence",
	"odrl:andSequence": "andSequence",
	"http://www.w3.org/ns/odrl/2/andSequence": "andSequence",
}

# Keys whose values are lists of constraints: on rules and on refined actions.
container_keys := {
	"constraint": "constraint",
	"odrl:constraint": "constraint",
	"http://www.w3.org/ns/odrl/2/constraint": "constraint",
	"refinement": "refinement",
	"odrl:refinement": "refinement",
	"http://www.w3.org/ns/odrl/2/refinement": "refinement",
}

# Rego has no recursion, so nested logical constraints are evaluated by a fixed
# ladder of functions, one per level. Four levels are well beyond what the
# templates use; a deeper policy is refused with a reason, never truncated.
max_depth := 4

settled(status) := {"status": status, "reasons": []}

undecided(reason) := {"status": "U", "reasons": [reason]}

# env: {"scope", "action", "context", "deferred"}; "deferred" is the status a
# constraint takes when its value only becomes known after the catalog stage.
constraint_result(c, env) := eval_4(c, env)

eval_4(c, env) := combine_logical(c, [eval_3(x, env) | some x in logical_operands(c)]) if {
	is_logical(c)
} else := atomic(c, env)

eval_3(c, env) := combine_logical(c, [eval_2(x, env) | some x in logical_operands(c)]) if {
	is_logical(c)
} else := atomic(c, env)

eval_2(c, env) := combine_logical(c, [eval_1(x, env) | some x in logical_operands(c)]) if {
	is_logical(c)
} else := atomic(c, env)

eval_1(c, env) := combine_logical(c, [eval_0(x, env) | some x in logical_operands(c)]) if {
	is_logical(c)
} else := atomic(c, env)

eval_0(c, env) := undecided(too_deep_reason(c)) if {
	is_logical(c)
} else := atomic(c, env)

# Logical constraints

logical_entries(c) := [[name, value] |
	is_object(c)
	some key, value in c
	name := logical_keys[key]
]

is_logical(c) if {
	is_object(c)
	some key, _ in c
	logical_keys[key]
}

# Exactly one logical operator over a non-empty list, and nothing that would
# also make it an atomic constraint.
logical_form(c) := {"operator": name, "operands": list} if {
	[[name, value]] := logical_entries(c)
	count([x | x := prop(c, "leftOperand")]) == 0
	list := list_items(value)
	count(list) > 0
}

logical_operands(c) := logical_form(c).operands if {
	logical_form(c)
} else := []

# The count check guards against an operand whose evaluation was undefined
# and silently left out of the list.
combine_logical(c, results) := combine(form.operator, results) if {
	form := logical_form(c)
	count(results) == count(form.operands)
} else := undecided(invalid_constraint_reason(c))

combine(operator, results) := {"status": status, "reasons": reasons} if {
	statuses := [r.status | some r in results]
	status := combined_status(operator, statuses)
	reasons := logical_reasons(operator, status, results)
}

# Kleene three-valued logic: "U" stays "U" unless the other operands settle it.
combined_status("and", statuses) := all_of(statuses)

# andSequence only fixes the order of evaluation, which matters to engines with
# side effects; for a decision its outcome is that of and.
combined_status("andSequence", statuses) := all_of(statuses)

combined_status("or", statuses) := "T" if {
	"T" in statuses
} else := "U" if {
	"U" in statuses
} else := "F"

combined_status("xone", statuses) := "F" if {
	count_of("T", statuses) > 1
} else := "U" if {
	"U" in statuses
} else := "T" if {
	count_of("T", statuses) == 1
} else := "F"

all_of(statuses) := "F" if {
	"F" in statuses
} else := "U" if {
	"U" in statuses
} else := "T"

count_of(status, statuses) := count([s | some s in statuses; s == status])

logical_reasons(operator, status, results) := array.concat(failing, summary) if {
	status != "T"
	failing := [reason | some r in results; r.status != "T"; some reason in r.reasons]
	summary := [reason | operator in {"or", "xone"}; reason := alternatives_reason(operator, results)]
} else := []

# Atomic constraints

# Every part read once, with null where it is absent or unreadable, so that
# validation and evaluation report the same reason for the same fault.
parse_atomic(c) := {
	"constraint": c,
	"left": first([x | x := prop(c, "leftOperand")]),
	"operator_term": first([x | x := prop(c, "operator")]),
	"right": first([x | x := prop(c, "rightOperand")]),
	"operand": first([n | n := operand_name(prop(c, "leftOperand"))]),
	"operator": first([o | o := operator_name(prop(c, "operator"))]),
}

# Faults visible in the policy alone, whatever the request.
static_error(p) := invalid_constraint_reason(p.constraint) if {
	not is_object(p.constraint)
} else := invalid_constraint_reason(p.constraint) if {
	null in [p.left, p.operator_term, p.right]
} else := unknown_operand_reason(p) if {
	p.operand == null
} else := unknown_operator_reason(p) if {
	p.operator == null
} else := not_applicable_reason(p) if {
	not applicable(p.operand, p.operator)
}

atomic(c, env) := result if {
	p := parse_atomic(c)
	result := atomic_parsed(p, env)
}

atomic_parsed(p, env) := undecided(reason) if {
	reason := static_error(p)
} else := check_values(p, env, value_slots(p, env))

# Each value read once; an empty list stands for "absent or unreadable".
value_slots(p, env) := {
	"expected": [v | v := expected_value(p.operand, p.right)],
	"raw": object.get(env.context, p.operand, null),
	"found": [v | raw := env.context[p.operand]; raw != null; v := found_value(p.operand, raw)],
}

check_values(p, env, slots) := undecided(policy_type_reason(p)) if {
	slots.expected == []
} else := settled(env.deferred) if {
	slots.raw == null
	env.scope == "catalog"
	operands[p.operand].deferrable
} else := undecided(missing_context_reason(p)) if {
	slots.raw == null
} else := undecided(context_type_reason(p, slots.raw)) if {
	slots.found == []
} else := outcome(p, slots.found[0], slots.expected[0])

outcome(p, found, expected) := settled("T") if {
	compare(p.operand, p.operator, found, expected) == "T"
} else := {"status": "F", "reasons": [not_satisfied_reason(p, found, expected)]}

# Validation

# Every constraint anywhere in the policy (rules, duties, obligations, action
# refinements, nested logical operands), with its logical nesting level.
constraint_items(policy) := [{"node": node, "level": level} |
	walk(policy, [path, value])
	items := contained(path[count(path) - 1], value)
	path[0] != "@context"
	count([key | some key in path; container_keys[key]]) > 0
	level := count([key | some key in path; logical_keys[key]])
	some node in items
]

contained(key, value) := as_array(value) if {
	container_keys[key]
} else := list_items(value) if {
	logical_keys[key]
}

item_error(node, level) := too_deep_reason(node) if {
	is_logical(node)
	level >= max_depth
} else := invalid_constraint_reason(node) if {
	is_logical(node)
	not logical_form(node)
} else := static_error(parse_atomic(node)) if {
	not is_logical(node)
}

constraint_errors(policy) := [reason |
	some item in constraint_items(policy)
	reason := item_error(item.node, item.level)
]
