/**
 * Holds what a node publishes: assets (datasets and where their bytes live), ODRL policies, and
 * contract offers that bind a policy to an asset; builds the DSP catalog a partner may see, one policy
 * decision per offer. Depends on {@code policy}, {@code store} and the DSP vocabulary of
 * {@code protocol}.
 */
package fr.socle.catalog;
