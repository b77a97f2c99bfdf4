package socle.baseline_test

import data.socle.baseline

member := {"id": "NTRFR-200054781", "siren": "200054781", "member": true, "revoked": false}

base := {"scope": "negotiation", "consumer": member, "asset": {"id": "budget-2025", "dataClassification": "public"}, "context": {}}

personal := object.union(base, {"asset": {"id": "etat-civil", "dataClassification": "personal"}})

# object.union merges nested objects; swapping the whole consumer needs this.
with_consumer(inp, consumer) := object.union(object.remove(inp, ["consumer"]), {"consumer": consumer})

codes(inp, scope) := [r.code | some r in baseline.reasons(inp, scope)]

test_member_in_good_standing_passes_everywhere if {
	every scope in baseline.scopes {
		baseline.reasons(object.union(base, {"scope": scope}), scope) == []
	}
}

test_non_member_is_refused if {
	every consumer in [object.union(member, {"member": false}), object.remove(member, ["member"]), object.union(member, {"member": "true"})] {
		codes(with_consumer(base, consumer), "negotiation") == ["not_a_member"]
	}
	baseline.reasons(object.union(base, {"consumer": object.union(member, {"member": false})}), "negotiation")[0] == {
		"code": "not_a_member",
		"fr": "Le participant NTRFR-200054781 n'est pas membre de la fédération.",
		"en": "Participant NTRFR-200054781 is not a member of the federation.",
	}
	codes(object.remove(base, ["consumer"]), "negotiation") == ["not_a_member"]
	baseline.reasons(object.remove(base, ["consumer"]), "negotiation")[0].en == "Participant (sans identifiant / no id) is not a member of the federation."
}

test_revoked_participant_is_refused_even_at_catalog if {
	revoked := object.union(base, {"scope": "catalog", "consumer": object.union(member, {"revoked": true})})
	baseline.reasons(revoked, "catalog") == [{
		"code": "revoked_participant",
		"fr": "Le participant NTRFR-200054781 a été révoqué par la fédération.",
		"en": "Participant NTRFR-200054781 has been revoked by the federation.",
	}]
}

test_personal_data_needs_purpose_and_legal_basis if {
	reasons := baseline.reasons(personal, "negotiation")
	[r.code | some r in reasons] == ["personal_data_requires_purpose", "personal_data_requires_legal_basis"]
	reasons[0].en == "Personal data: a purpose is required, none is given for etat-civil."
	reasons[1].en == "Personal data: an RGPD legal basis (art6-1-a to art6-1-f) is required, found rien / nothing."
	reasons[1].fr == "Données personnelles : une base légale RGPD (art6-1-a à art6-1-f) est obligatoire, trouvé rien / nothing."
}

test_personal_data_with_purpose_and_each_legal_basis_passes if {
	every basis in ["art6-1-a", "art6-1-b", "art6-1-c", "art6-1-d", "art6-1-e", "art6-1-f"] {
		inp := object.union(personal, {"context": {"purpose": "statistics", "legalBasis": basis}})
		baseline.reasons(object.remove(inp, ["scope"]), "access") == []
	}
}

test_personal_data_rejects_other_legal_bases if {
	inp := object.union(personal, {"context": {"purpose": ["statistics"], "legalBasis": "art9-2-a"}})
	reasons := baseline.reasons(inp, "negotiation")
	[r.code | some r in reasons] == ["personal_data_requires_legal_basis"]
	reasons[0].en == "Personal data: an RGPD legal basis (art6-1-a to art6-1-f) is required, found \"art9-2-a\"."
	codes(object.union(personal, {"context": {"purpose": "", "legalBasis": "art6-1-e"}}), "negotiation") == ["personal_data_requires_purpose"]
}

test_personal_data_marked_by_the_context_counts_too if {
	inp := object.union(base, {"context": {"dataClassification": "personal"}})
	codes(inp, "negotiation") == ["personal_data_requires_purpose", "personal_data_requires_legal_basis"]
}

test_catalog_shows_personal_data_offers if {
	baseline.reasons(object.union(personal, {"scope": "catalog"}), "catalog") == []
}

test_unknown_scope_is_refused if {
	reasons := baseline.reasons(object.remove(base, ["scope"]), "billing")
	reasons == [{
		"code": "unknown_scope",
		"fr": "Portée de décision inconnue « billing » ; portées connues : access, catalog, negotiation, transfer.",
		"en": "Unknown decision scope \"billing\"; known scopes: access, catalog, negotiation, transfer.",
	}]
	codes(object.union(base, {"scope": "billing"}), "negotiation") == ["unknown_scope"]
}

test_scope_must_match_the_query if {
	reasons := baseline.reasons(base, "access")
	reasons == [{
		"code": "scope_mismatch",
		"fr": "La requête annonce la portée « negotiation » mais a été posée pour « access ».",
		"en": "The request states scope \"negotiation\" but was asked for \"access\".",
	}]
	baseline.reasons(object.remove(base, ["scope"]), "access") == []
}

test_every_violation_is_reported_at_once if {
	inp := object.union(personal, {"scope": "catalog", "consumer": {"id": "NTRFR-1", "member": false, "revoked": true}})
	codes(inp, "access") == ["scope_mismatch", "not_a_member", "revoked_participant", "personal_data_requires_purpose", "personal_data_requires_legal_basis"]
}

revoked_agreement := {"id": "urn:uuid:a-1", "revoked": true, "revokedAt": "2026-11-26T06:00:00Z", "reason": "breach of clause 4"}

test_revoked_agreement_stops_transfers_and_access if {
	every scope in ["transfer", "access"] {
		baseline.reasons(object.union(base, {"scope": scope, "agreement": revoked_agreement}), scope) == [{
			"code": "agreement_revoked",
			"fr": "L'accord urn:uuid:a-1 a été révoqué par le fournisseur le 2026-11-26T06:00:00Z : breach of clause 4",
			"en": "Agreement urn:uuid:a-1 was revoked by the provider on 2026-11-26T06:00:00Z: breach of clause 4",
		}]
	}
}

test_revocation_without_details_still_refuses if {
	inp := object.union(base, {"scope": "access", "agreement": {"revoked": "yes"}})
	baseline.reasons(inp, "access")[0].en == "Agreement ? was revoked by the provider on ?: no reason given"
	baseline.reasons(inp, "access")[0].fr == "L'accord ? a été révoqué par le fournisseur le ? : aucun motif donné"
}

test_agreement_in_force_passes if {
	every scope in ["transfer", "access"] {
		baseline.reasons(object.union(base, {"scope": scope, "agreement": {"id": "urn:uuid:a-1", "revoked": false}}), scope) == []
	}
}

test_revocation_does_not_concern_catalog_or_negotiation if {
	every scope in ["catalog", "negotiation"] {
		baseline.reasons(object.union(base, {"scope": scope, "agreement": revoked_agreement}), scope) == []
	}
}
