package fr.socle.edge;

import fr.socle.protocol.Refusal;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Each partner's share of the DSP requests this node works on at once. What a request costs (policy
 * decisions queued for OPA, audit entries, database work) is shared by all members; without a share,
 * one member sending many slow requests (catalog pages of thousands of datasets) would fill OPA's
 * queue and have another member's request refused as undecided. Beyond its share a partner is
 * answered at once with a 429 it can act on, and the others are not touched.
 */
final class RequestShares {

  private final int perPartner;
  private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

  RequestShares(int perPartner) {
    if (perPartner < 1) {
      throw new IllegalArgumentException("a partner's share of requests must be at least 1, got " + perPartner);
    }
    this.perPartner = perPartner;
  }

  /**
   * Counts the request of {@code ctx} against {@code caller}'s share until its response ends (or its
   * connection closes), or refuses it when the share is used up.
   */
  void admit(RoutingContext ctx, String caller) {
    boolean[] admitted = new boolean[1];
    inFlight.compute(caller, (who, held) -> {
      int now = held == null ? 0 : held;
      if (now >= perPartner) {
        return held;
      }
      admitted[0] = true;
      return now + 1;
    });
    if (!admitted[0]) {
      throw new Refusal(Refusal.Kind.TOO_MANY, "too_many_requests", caller + " already has " + perPartner
          + " requests in progress on this node, its share (limits.maxDspRequestsPerParticipant); retry when one"
          + " is answered", caller + " a déjà " + perPartner + " requêtes en cours sur ce nœud, sa part"
          + " (limits.maxDspRequestsPerParticipant) ; réessayez quand l'une d'elles aura reçu sa réponse");
    }
    AtomicBoolean released = new AtomicBoolean();
    ctx.addEndHandler(done -> {
      if (released.compareAndSet(false, true)) {
        inFlight.computeIfPresent(caller, (who, held) -> held == 1 ? null : held - 1);
      }
    });
  }

}
