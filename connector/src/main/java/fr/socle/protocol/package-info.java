/**
 * The Dataspace Protocol 2025-1 on the wire, and nothing that decides: the JSON-LD messages nodes
 * exchange ({@link fr.socle.protocol.DspMessage}, {@link fr.socle.protocol.JsonLd}), the client that
 * calls a partner with a node token over mutual TLS ({@link fr.socle.protocol.DspClient}), the
 * authentication of a partner's call ({@link fr.socle.protocol.TokenAuthenticator}), a partner's own
 * record of a process ({@link fr.socle.protocol.PartnerState}) and the {@link
 * fr.socle.protocol.Refusal} a request is answered with. The routes live in {@code edge}. Depends on
 * {@code trust} and {@code policy} only.
 *
 * <p>Spec: https://eclipse-dataspace-protocol-base.github.io/DataspaceProtocol/2025-1/
 */
package fr.socle.protocol;
