/**
 * The {@code socle} command: runs a node, manages the federation PKI, verifies audit trails and
 * agreement signatures offline. Beside {@code node} at the top of the house.
 */
package fr.socle.cli;
