package fr.socle.transfer;

import fr.socle.catalog.CatalogStore;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.policy.Decision;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.Scope;
import io.vertx.core.Future;

/**
 * The provider's {@code transfer} decision on one of its transfers, with the agreement and asset as
 * they stand now: asked when a transfer is requested, when it is resumed, and when its access token
 * is refreshed, so that the three can never drift apart.
 */
public final class TransferDecisions {

  private final NegotiationStore agreements;
  private final CatalogStore catalog;
  private final DecisionPoint policy;
  private final DecisionInputs inputs;

  public TransferDecisions(NegotiationStore agreements, CatalogStore catalog, DecisionPoint policy,
      DecisionInputs inputs) {
    this.agreements = agreements;
    this.catalog = catalog;
    this.policy = policy;
    this.inputs = inputs;
  }

  public Future<Decision> decide(Transfer t) {
    return agreements.findAgreement(t.agreementId())
        .compose(a -> catalog.findAsset(a.assetId()).compose(asset -> policy.decide(Scope.TRANSFER,
            a.decisionInput(inputs, Scope.TRANSFER, t.counterPartyId(), asset, a.accessCount()))));
  }
}
