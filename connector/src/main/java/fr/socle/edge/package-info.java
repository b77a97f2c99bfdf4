/**
 * Every incoming HTTP surface of the node except the management API: DSP routes, the data-plane
 * public endpoint, the push receiver, the OPA decision-log receiver, and the one failure mapper that
 * turns the core's typed reasons into HTTP answers. It only checks callers, reads requests and writes
 * answers, and asks the process and domain packages (transfer, negotiation, dataplane, protocol, ...)
 * for everything else; nothing below imports it, only {@code node} wires it.
 */
package fr.socle.edge;
