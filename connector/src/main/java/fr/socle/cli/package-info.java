/** The {@code socle} command: runs a node, manages the federation PKI, verifies audit trails. */
package fr.socle.cli;
