# Baseline rules of the federation.
#
# They hold whatever the offer says: a provider's policy can narrow access
# further but can never open it to a non-member, a revoked participant, or
# personal data without a purpose and an RGPD legal basis.
package socle.baseline

scopes := {"catalog", "negotiation", "transfer", "access"}

# RGPD article 6(1), points a to f: the only lawful bases for processing.
legal_bases := {"art6-1-a", "art6-1-b", "art6-1-c", "art6-1-d", "art6-1-e", "art6-1-f"}

# inp is the decision input; scope is the one the node queried, which the
# input's own "scope" field, when present, must repeat.
reasons(inp, scope) := [r |
	some check in [
		[x | x := scope_reason(inp, scope)],
		[x | x := membership_reason(inp)],
		[x | x := revocation_reason(inp)],
		[x | x := agreement_revoked_reason(inp, scope)],
		[x | x := purpose_reason(inp, scope)],
		[x | x := legal_basis_reason(inp, scope)],
	]
	some r in check
]

reason(code, fr, en) := {"code": code, "fr": fr, "en": en}

scope_reason(inp, scope) := reason(
	"unknown_scope",
	sprintf("Portée de décision inconnue « %v » ; portées connues : %s.", [s, concat(", ", sort(scopes))]),
	sprintf("Unknown decision scope \"%v\"; known scopes: %s.", [s, concat(", ", sort(scopes))]),
) if {
	some s in {scope, object.get(inp, "scope", scope)}
	not s in scopes
} else := reason(
	"scope_mismatch",
	sprintf("La requête annonce la portée « %s » mais a été posée pour « %s ».", [inp.scope, scope]),
	sprintf("The request states scope \"%s\" but was asked for \"%s\".", [inp.scope, scope]),
) if {
	object.get(inp, "scope", scope) != scope
}

membership_reason(inp) := reason(
	"not_a_member",
	sprintf("Le participant %v n'est pas membre de la fédération.", [consumer_id(inp)]),
	sprintf("Participant %v is not a member of the federation.", [consumer_id(inp)]),
) if {
	object.get(inp, ["consumer", "member"], false) != true
}

revocation_reason(inp) := reason(
	"revoked_participant",
	sprintf("Le participant %v a été révoqué par la fédération.", [consumer_id(inp)]),
	sprintf("Participant %v has been revoked by the federation.", [consumer_id(inp)]),
) if {
	object.get(inp, ["consumer", "revoked"], false) == true
}

# A provider may withdraw an agreement it granted (a partner's breach, a
# court order, a dataset withdrawn). From then on nothing flows under it:
# neither a new transfer nor a single further request on a running one.
agreement_revoked_reason(inp, scope) := reason(
	"agreement_revoked",
	sprintf("L'accord %v a été révoqué par le fournisseur le %v : %v", [
		object.get(inp, ["agreement", "id"], "?"),
		object.get(inp, ["agreement", "revokedAt"], "?"),
		object.get(inp, ["agreement", "reason"], "aucun motif donné"),
	]),
	sprintf("Agreement %v was revoked by the provider on %v: %v", [
		object.get(inp, ["agreement", "id"], "?"),
		object.get(inp, ["agreement", "revokedAt"], "?"),
		object.get(inp, ["agreement", "reason"], "no reason given"),
	]),
) if {
	scope in {"transfer", "access"}
	object.get(inp, ["agreement", "revoked"], false) != false
}

consumer_id(inp) := object.get(inp, ["consumer", "id"], "(sans identifiant / no id)")

# Either the asset or the node's context may mark data as personal; one is
# enough. Before negotiation no purpose exists yet, so the catalog is exempt.
personal(inp, scope) if {
	scope != "catalog"
	"personal" in {object.get(inp, ["asset", "dataClassification"], null), object.get(inp, ["context", "dataClassification"], null)}
}

purpose_reason(inp, scope) := reason(
	"personal_data_requires_purpose",
	sprintf("Données personnelles : une finalité (purpose) est obligatoire, aucune n'est donnée pour %v.", [object.get(inp, ["asset", "id"], "?")]),
	sprintf("Personal data: a purpose is required, none is given for %v.", [object.get(inp, ["asset", "id"], "?")]),
) if {
	personal(inp, scope)
	not present(object.get(inp, ["context", "purpose"], null))
}

legal_basis_reason(inp, scope) := reason(
	"personal_data_requires_legal_basis",
	sprintf("Données personnelles : une base légale RGPD (art6-1-a à art6-1-f) est obligatoire, trouvé %s.", [found]),
	sprintf("Personal data: an RGPD legal basis (art6-1-a to art6-1-f) is required, found %s.", [found]),
) if {
	personal(inp, scope)
	basis := object.get(inp, ["context", "legalBasis"], null)
	not basis in legal_bases
	found := shown(basis)
}

present(x) if {
	is_string(x)
	x != ""
}

present(x) if {
	is_array(x)
	count(x) > 0
}

shown(x) := "rien / nothing" if {
	x == null
} else := json.marshal(x)
