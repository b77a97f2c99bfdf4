/**
 * Speaks the Dataspace Protocol 2025-1 with partner nodes: the HTTPS endpoints a partner calls, the
 * client that calls a partner, and the JSON-LD messages both exchange.
 *
 * <p>Spec: https://eclipse-dataspace-protocol-base.github.io/DataspaceProtocol/2025-1/
 */
package fr.socle.protocol;
