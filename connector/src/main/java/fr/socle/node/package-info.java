/**
 * Assembles a node: reads and validates its configuration, builds every component with its
 * constructor in one place, and starts the protocol and management servers.
 */
package fr.socle.node;
