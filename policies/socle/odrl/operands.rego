# ODRL left operands.
#
# The left operands Socle understands, and how their values are read on both
# sides of a constraint: the right operand written in the policy and the
# context value supplied by the node.
package socle.odrl

# kind decides how values are read and which operators apply:
#   term     - strings or IRIs, compared as sets (a single value is a set of one)
#   number   - JSON numbers
#   duration - seconds; the policy may write an xsd:duration
#   dateTime - epoch nanoseconds; the policy writes an xsd:dateTime, which the
#              node converts to nanoseconds before the query
# deferrable: at the catalog scope the node cannot know the value yet (no
# purpose or agreement exists before negotiation), so the constraint waits.
# The node always knows who is asking and where it is hosted, so those operands
# are never deferred.
operands := {
	"purpose": {"vocabulary": "odrl", "kind": "term", "deferrable": true, "namespace": "https://socle.fr/purpose/"},
	"dateTime": {"vocabulary": "odrl", "kind": "dateTime", "deferrable": true},
	"elapsedTime": {"vocabulary": "odrl", "kind": "duration", "deferrable": true},
	"count": {"vocabulary": "odrl", "kind": "number", "deferrable": true},
	"spatial": {"vocabulary": "odrl", "kind": "term", "deferrable": true},
	"recipient": {"vocabulary": "odrl", "kind": "term", "deferrable": false},
	"assignee": {"vocabulary": "odrl", "kind": "term", "deferrable": false},
	"territory": {"vocabulary": "socle", "kind": "term", "deferrable": false},
	"hostingQualification": {"vocabulary": "socle", "kind": "term", "deferrable": false},
	"dataClassification": {"vocabulary": "socle", "kind": "term", "deferrable": true},
	"legalBasis": {"vocabulary": "socle", "kind": "term", "deferrable": true},
}

# An ODRL operand written with the socle: prefix names another IRI, so each
# operand accepts only the spellings of its own vocabulary.
operand_name(x) := name if {
	[vocabulary, name] := vocabulary_term(iri(x))
	vocabulary in {"", operands[name].vocabulary}
}

# xsd datatypes whose lexical form is a number written as a string, as JSON-LD
# compaction emits typed literals.
numeric_types := {
	"integer", "int", "long", "short", "decimal", "double", "float",
	"nonNegativeInteger", "positiveInteger", "unsignedInt", "unsignedLong",
}

duration_types := {"", "duration", "dayTimeDuration", "yearMonthDuration"}

datetime_types := {"", "dateTime", "dateTimeStamp", "date"}

# Right operand, read according to the operand's kind. Undefined when the
# policy wrote a value of the wrong type: the caller reports a type mismatch.
expected_value(name, raw) := terms if {
	operands[name].kind == "term"
	items := as_array(raw)
	count(items) > 0
	read := [t | some item in items; t := term_value(name, item)]
	count(read) == count(items)
	terms := {t | some t in read}
} else := n if {
	operands[name].kind == "number"
	n := number_value(raw)
} else := s if {
	operands[name].kind == "duration"
	s := duration_value(raw)
} else := ns if {
	operands[name].kind == "dateTime"
	ns := datetime_value(raw)
}

# Context value supplied by the node, read the same way. Undefined on a type
# the kind cannot hold.
found_value(name, raw) := terms if {
	operands[name].kind == "term"
	items := as_array(raw)
	read := [t | some item in items; t := term_value(name, item)]
	count(read) == count(items)
	terms := {t | some t in read}
} else := raw if {
	operands[name].kind in {"number", "duration", "dateTime"}
	is_number(raw)
}

# Purposes arrive either as Socle purpose IRIs or as their short names; both
# compare equal once the Socle namespace is removed.
term_value(name, x) := strip_any(t, [operands[name].namespace]) if {
	t := term_string(x)
} else := term_string(x)

term_string(x) := s if {
	s := iri(x)
} else := s if {
	s := literal(x)
	is_string(s)
}

number_value(x) := n if {
	n := literal(x)
	is_number(n)
} else := to_number(s) if {
	s := literal(x)
	is_string(s)
	literal_type(x) in numeric_types
	regex.match(`^[+-]?[0-9]+(\.[0-9]+)?$`, s)
}

# A bare number is already seconds; otherwise an xsd:duration.
duration_value(x) := n if {
	n := number_value(x)
} else := seconds if {
	s := literal(x)
	is_string(s)
	literal_type(x) in duration_types
	seconds := duration_seconds(s)
}

# Years and months have no fixed length; Socle counts 365 and 30 days, which
# the templates README states so that authors prefer days for exact limits.
duration_seconds(s) := seconds if {
	s != "P"
	not endswith(s, "T")
	[match] := regex.find_all_string_submatch_n(
		`^P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?$`,
		s, 1,
	)
	units := [31536000, 2592000, 604800, 86400, 3600, 60, 1]
	parts := array.slice(match, 1, 8)
	seconds := sum([n | some i, part in parts; part != ""; n := to_number(part) * units[i]])
}

# The node hands instants over as epoch nanoseconds (it converts the policy's
# xsd:dateTime values before the query), so a number is read as nanoseconds.
# Seconds or milliseconds written by mistake would read as instants in January
# 1970 and quietly satisfy every "lt"; anything below 10^17 ns (March 1973) is
# therefore refused as a type mismatch. A number with a fraction is no count of
# nanoseconds either.
min_datetime_ns := 100000000000000000

datetime_value(x) := n if {
	n := literal(x)
	is_number(n)
	n == round(n)
	n >= min_datetime_ns
	literal_type(x) in datetime_types
} else := ns if {
	# xsd:date has no time part: it stands for midnight UTC of that day. A
	# dateTime without a time zone is refused rather than guessed.
	s := literal(x)
	is_string(s)
	literal_type(x) in datetime_types
	ns := time.parse_rfc3339_ns(rfc3339(s))
}

rfc3339(s) := concat("", [s, "T00:00:00Z"]) if {
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, s)
} else := s
