/**
 * Assembles a node: reads and validates its configuration ({@link fr.socle.node.NodeConfig}, grouped
 * by what each part configures), builds every component with its constructor in one place, and starts
 * the DSP, management and decision-log servers. The top of the house: it may use every package, and
 * only {@code cli} uses it.
 */
package fr.socle.node;
