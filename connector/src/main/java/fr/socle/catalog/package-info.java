/**
 * Holds what a node publishes: assets (datasets and where their bytes live), ODRL policies, and
 * contract offers that bind a policy to an asset; builds the DSP catalog a partner may see.
 */
package fr.socle.catalog;
