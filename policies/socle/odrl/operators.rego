# ODRL operators.
#
# Operators compare the value found in the context with the value the policy
# expects. Term operands are sets on both sides: a scalar context value is a
# set of one, and a context list such as the consumer's territory codes is
# tested element by element.
package socle.odrl

operators := {"eq", "neq", "lt", "lteq", "gt", "gteq", "isA", "isPartOf", "isAnyOf", "isAllOf", "isNoneOf"}

operator_name(x) := odrl_keyword(x, operators)

# Ordering strings or sets has no meaning a policy author could rely on, and
# set operators on a single number or instant would only restate eq/neq.
applicable_operators := {
	"term": {"eq", "neq", "isA", "isPartOf", "isAnyOf", "isAllOf", "isNoneOf"},
	"number": {"eq", "neq", "lt", "lteq", "gt", "gteq"},
	"duration": {"eq", "neq", "lt", "lteq", "gt", "gteq"},
	"dateTime": {"eq", "neq", "lt", "lteq", "gt", "gteq"},
}

applicable(operand, operator) if operator in applicable_operators[operands[operand].kind]

# "T" or "F": the comparison itself never leaves a doubt once types are checked.
compare(operand, operator, found, expected) := "T" if {
	operands[operand].kind == "term"
	term_holds(operator, found, expected)
} else := "T" if {
	operands[operand].kind != "term"
	ordered_holds(operator, found, expected)
} else := "F"

# eq, isAnyOf and isPartOf are one test: for territory and spatial codes the
# node has already added every enclosing area to the consumer's codes, so
# hierarchical containment reduces to membership.
term_holds(operator, found, expected) if {
	operator in {"eq", "isAnyOf", "isPartOf"}
	intersects(found, expected)
}

term_holds("neq", found, expected) if not intersects(found, expected)

term_holds("isNoneOf", found, expected) if not intersects(found, expected)

term_holds("isAllOf", found, expected) if {
	every value in expected {
		value in found
	}
}

# Socle purposes and classes are path-like IRIs: "research/health" is a kind
# of "research". Without a class hierarchy in the input, the path is the only
# evidence of subclassing.
term_holds("isA", found, expected) if {
	some value in found
	some class in expected
	is_a(value, class)
}

is_a(value, class) if value == class

is_a(value, class) if startswith(value, concat("", [class, "/"]))

intersects(found, expected) if {
	some value in found
	value in expected
}

ordered_holds("eq", found, expected) if found == expected

ordered_holds("neq", found, expected) if found != expected

ordered_holds("lt", found, expected) if found < expected

ordered_holds("lteq", found, expected) if found <= expected

ordered_holds("gt", found, expected) if found > expected

ordered_holds("gteq", found, expected) if found >= expected
