package fr.socle.transfer;

import fr.socle.audit.AuditLog;
import fr.socle.audit.AuditType;
import fr.socle.catalog.Asset;
import fr.socle.catalog.CatalogStore;
import fr.socle.dataplane.DataSink;
import fr.socle.dataplane.Sources;
import fr.socle.dataplane.SqlDatabase;
import fr.socle.negotiation.Agreement;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.policy.Decision;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.LocalizedText;
import fr.socle.policy.Scope;
import fr.socle.protocol.Refusal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the provider's two ways of handing data over, pull (its public endpoint, at
 * {@link DataAddresses#pull}) and push ({@link Pusher}), have in common, so that they cannot drift
 * apart: the policy engine's {@code access} decision with the agreement's current usage count, the
 * asset's source, the per-participant limit on streams in progress, the {@code DATA_ACCESS} audit
 * entry of each attempt, and what a partner is told when the source fails ({@link #sourceFailed}).
 */
public final class DataAccess {

  private static final Logger LOG = LoggerFactory.getLogger(DataAccess.class);

  /** The stable code a partner gets when the source of the data failed, whatever failed. */
  public static final String SOURCE_UNAVAILABLE = "source_unavailable";
  /** How many decisions an access may take when other accesses under its agreement keep being counted first. */
  static final int MAX_DECISIONS = 32;

  private final NegotiationStore agreements;
  private final CatalogStore catalog;
  private final DecisionPoint policy;
  private final DecisionInputs inputs;
  private final Sources sources;
  private final int maxStreamsPerParticipant;
  private final AuditLog audit;
  // Pulls and pushes may run on different event loops: counted atomically.
  private final Map<String, Integer> streams = new ConcurrentHashMap<>();

  public DataAccess(Vertx vertx, NegotiationStore agreements, CatalogStore catalog, DecisionPoint policy,
      DecisionInputs inputs, Path dataDir, Map<String, SqlDatabase> databases, int maxStreamsPerParticipant,
      long sourceTimeoutMillis, AuditLog audit) {
    this.agreements = agreements;
    this.catalog = catalog;
    this.policy = policy;
    this.inputs = inputs;
    this.sources = new Sources(vertx, dataDir, databases, sourceTimeoutMillis);
    this.maxStreamsPerParticipant = maxStreamsPerParticipant;
    this.audit = audit;
  }

  /**
   * The asset of transfer {@code t} (a provider's row) when one of its consumer's stream slots is
   * free ({@link #acquire}; the caller gives it back by {@link #release}) and the policy engine's
   * {@code access} decision allows one more access now; a 429 {@code too_many_transfers} when the
   * consumer uses all its slots, a 403 {@code access_denied} with the decision's reasons (in English
   * and French) when refused. The slot comes first: an access that could not run uses up no count.
   *
   * <p>The decision is made with the agreement's current count, and the access counted only once
   * allowed, if the count is still the one decided with ({@link NegotiationStore#countAccess}): a
   * refused access uses up nothing, and of simultaneous accesses, one that another overtook decides
   * again with the new count, so that two of them never both pass the last allowed use. Should that
   * happen {@value #MAX_DECISIONS} times in a row, the caller is told to retry (429).
   */
  public Future<Asset> authorize(Transfer t) {
    String participant = t.counterPartyId();
    Future<Void> slot = acquire(participant);
    if (slot.failed()) {
      return Future.failedFuture(slot.cause());
    }
    return agreements.findAgreement(t.agreementId()).compose(a -> catalog.findAsset(a.assetId())
            .compose(asset -> decideAndCount(t, a, asset, 1)))
        .onFailure(e -> release(participant));
  }

  private Future<Asset> decideAndCount(Transfer t, Agreement a, Asset asset, int decisions) {
    long seen = a.accessCount();
    return policy.decide(Scope.ACCESS, a.decisionInput(inputs, Scope.ACCESS, t.counterPartyId(), asset, seen))
        .compose(decision -> {
          if (!decision.allow()) {
            return Future.failedFuture(refused(a, decision));
          }
          return agreements.countAccess(a.id(), seen).compose(counted -> {
            if (counted) {
              return Future.succeededFuture(asset);
            }
            if (decisions >= MAX_DECISIONS) {
              return Future.failedFuture(new Refusal(Refusal.Kind.TOO_MANY, "too_many_accesses", "agreement "
                  + a.id() + " is being used by too many simultaneous accesses; retry in a moment",
                  "l'accord " + a.id() + " fait l'objet de trop d'accès simultanés ; réessayez dans un instant"));
            }
            // Another access was counted since: the agreement as it is now (count, revocation) decides again.
            return agreements.findAgreement(a.id()).compose(now -> decideAndCount(t, now, asset, decisions + 1));
          });
        });
  }

  /**
   * Takes one of {@code participant}'s stream slots; a 429 {@code too_many_transfers} when it
   * already has {@link #maxStreamsPerParticipant} in progress. Each slot taken is given back once by
   * {@link #release}.
   */
  private Future<Void> acquire(String participant) {
    int active = streams.merge(participant, 1, Integer::sum);
    if (active > maxStreamsPerParticipant) {
      release(participant);
      return Future.failedFuture(new Refusal(Refusal.Kind.TOO_MANY, "too_many_transfers", participant + " already has "
          + maxStreamsPerParticipant + " transfers of data in progress on this node; retry when one ends"));
    }
    return Future.succeededFuture();
  }

  public void release(String participant) {
    streams.computeIfPresent(participant, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Streams {@code asset} from its source to {@code sink}, as {@link Sources#stream} says. */
  public Future<Void> stream(Asset asset, String range, DataSink sink) {
    return sources.stream(asset, range, sink);
  }

  /**
   * Records one access in the audit log: who received what, how (pull or push), how many bytes, and
   * whether the body went out whole. Never fails: the data has moved already, and the log says why
   * an entry is missing.
   */
  public Future<Void> record(Transfer t, String participant, Asset asset, String mode, JsonObject details) {
    JsonObject payload = new JsonObject().put("transfer", t.id()).put("agreement", t.agreementId())
        .put("participant", participant).put("asset", asset.id()).put("mode", mode).mergeIn(details);
    return audit.append(AuditType.DATA_ACCESS, t.id(), payload)
        .onFailure(e -> LOG.error("cannot record a data access in the audit log: {}", e.getMessage()))
        .<Void>mapEmpty().otherwiseEmpty();
  }

  /**
   * What a partner is told when the source of transfer {@code t}'s data could not be read: the stable
   * code {@value #SOURCE_UNAVAILABLE} and a reason naming the transfer, in English and French, never
   * the source's own words. Those name the provider's backends (host and port, SQL error, file path):
   * they would map its internal network for a partner, who can do nothing with them. They go to this
   * node's log here, and to the attempt's audit entry (the caller adds {@link #detail} to {@link #record}),
   * where the operator finds them under the transfer's id.
   */
  public LocalizedText sourceFailed(Transfer t, Asset asset, Throwable cause) {
    LOG.warn("the source of asset {} failed for transfer {}: {}", asset.id(), t.id(), detail(cause));
    return new LocalizedText(SOURCE_UNAVAILABLE + ": the provider could not read the source of the data of transfer "
        + t.id() + "; its operator finds why in its log and audit trail under this transfer",
        SOURCE_UNAVAILABLE + " : le fournisseur n'a pas pu lire la source des données du transfert " + t.id()
        + " ; son opérateur en trouve la cause dans le journal du nœud et dans son journal d'audit, sous ce"
        + " transfert");
  }

  /** A failure's own words, for this node's log and audit trail only (see {@link #sourceFailed}). */
  public static String detail(Throwable cause) {
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }

  private static Refusal refused(Agreement a, Decision decision) {
    return new Refusal(Refusal.Kind.FORBIDDEN, "access_denied", "access under agreement " + a.id() + " refused: "
        + decision.summary(), "accès refusé au titre de l'accord " + a.id() + " : " + decision.summary("fr"));
  }
}
