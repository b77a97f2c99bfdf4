/**
 * The operator's REST API under {@code /api} (API key, RFC 9457 problem+json errors), {@code /health}
 * and {@code /ready} for supervisors, and the auditor's API under {@code /audit}:
 * <ul>
 *   <li>{@code ManagementApi}: the key, body limit and failure handler the resources share; mounts them</li>
 *   <li>{@code AssetsApi}, {@code PoliciesApi}, {@code OffersApi}: what this node offers</li>
 *   <li>{@code PartnerCatalogApi}: a partner's catalog, asked over DSP</li>
 *   <li>{@code NegotiationsApi}, {@code AgreementsApi}, {@code TransfersApi}: the processes and agreements</li>
 *   <li>{@code TransferDataApi}: a consumer transfer's data, pushed or pulled, with its receipt</li>
 *   <li>{@code HttpJson}: reading a request, writing an answer; {@code Writes}: a creation once per
 *       {@code IdempotencyKeys} key, a change answered once audited</li>
 *   <li>{@code AuditorApi}: the auditor's read-only API; {@code Problem}, {@code Languages}: the error
 *       document and its language</li>
 * </ul>
 * Depends on the process managers ({@code negotiation}, {@code transfer}), never their stores; on
 * {@code catalog}, {@code audit}, {@code dataplane}, {@code protocol}'s client; on {@code store},
 * {@code policy}, {@code trust}.
 */
package fr.socle.management;
