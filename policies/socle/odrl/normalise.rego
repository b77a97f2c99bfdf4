# ODRL normalisation.
#
# Reads compacted ODRL JSON-LD the way producers actually emit it: terms with
# or without the "odrl:" prefix (or as full IRIs), IRIs as strings or
# {"@id": ...} objects, literals as plain values or {"@value": ...} objects,
# and single values where arrays are allowed.
package socle.odrl

odrl_ns := "http://www.w3.org/ns/odrl/2/"

# Producers pick any of these spellings for the same ODRL term.
odrl_prefixes := ["", "odrl:", odrl_ns]

# The first spelling found wins, so a property written twice in different
# spellings cannot make the lookup conflict at evaluation time.
prop(obj, name) := v if {
	is_object(obj)
	v := obj[name]
	v != null
} else := v if {
	is_object(obj)
	v := obj[concat("", ["odrl:", name])]
	v != null
} else := v if {
	is_object(obj)
	v := obj[concat("", [odrl_ns, name])]
	v != null
}

# Absent properties read as an empty list so callers can iterate without guards.
prop_list(obj, name) := as_array(v) if {
	v := prop(obj, name)
} else := []

as_array(x) := x if {
	is_array(x)
} else := list if {
	list := list_items(x)
} else := [x]

# JSON-LD writes ordered lists either as arrays or as {"@list": [...]} objects.
list_items(x) := x if {
	is_array(x)
} else := list if {
	is_object(x)
	list := x["@list"]
	is_array(list)
}

# The IRI or term named by a JSON-LD node reference or a plain string.
iri(x) := x if {
	is_string(x)
} else := id if {
	is_object(x)
	id := x["@id"]
	is_string(id)
}

# ODRL vocabulary terms compared by local name once a known prefix is removed.
odrl_term(x) := strip_any(iri(x), odrl_prefixes)

# [vocabulary, local name] of a term: "odrl" or "socle" when its prefix says
# so, "" when it is bare and the context alone decides.
vocabulary_term(s) := ["odrl", substring(s, 5, -1)] if {
	startswith(s, "odrl:")
} else := ["odrl", substring(s, count(odrl_ns), -1)] if {
	startswith(s, odrl_ns)
} else := ["socle", substring(s, 6, -1)] if {
	startswith(s, "socle:")
} else := ["", s]

# An ODRL keyword such as an operator, in any of its spellings.
odrl_keyword(x, keywords) := name if {
	[vocabulary, name] := vocabulary_term(iri(x))
	vocabulary in {"", "odrl"}
	name in keywords
}

strip_any(s, prefixes) := local if {
	some prefix in prefixes
	prefix != ""
	startswith(s, prefix)
	local := substring(s, count(prefix), -1)
} else := s

# A literal value: a JSON scalar or the @value of a JSON-LD value object.
literal(x) := x if {
	not is_object(x)
	not is_array(x)
} else := v if {
	is_object(x)
	v := x["@value"]
}

# Datatype of a JSON-LD value object, with the xsd prefix or IRI removed.
literal_type(x) := strip_any(t, ["xsd:", "http://www.w3.org/2001/XMLSchema#"]) if {
	is_object(x)
	t := iri(x["@type"])
} else := ""

first(xs) := xs[0] if {
	count(xs) > 0
} else := null
