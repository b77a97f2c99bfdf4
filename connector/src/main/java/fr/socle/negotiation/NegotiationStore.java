package fr.socle.negotiation;

import fr.socle.process.Role;
import fr.socle.policy.LocalizedText;
import fr.socle.store.Conflict;
import fr.socle.store.Database;
import fr.socle.store.NotFound;
import fr.socle.store.OnCreate;
import fr.socle.store.StateRecorder;
import fr.socle.store.TooManyOpen;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Negotiations and agreements in the node's database; every state change is a compare-and-set. */
public final class NegotiationStore {


  private static final String COLUMNS = "id, role, state, counter_party_id, counter_party_pid, "
      + "counter_party_address, offer_id, asset_id, offer, agreement_id, detail, created_at, updated_at, "
      + "detail_fr";
  private static final String UNFINISHED = "state NOT IN ('" + NegotiationState.FINALIZED + "', '"
      + NegotiationState.TERMINATED + "')";
  private static final String AGREEMENT_COLUMNS =
      "id, negotiation_id, asset_id, provider_id, consumer_id, body, signed_at, access_count, "
      + "provider_signature_state, provider_signature, consumer_signature_state, consumer_signature";
  /** What is read of an agreement: what is inserted, and its revocation, set later. */
  private static final String AGREEMENT_READ = AGREEMENT_COLUMNS + ", revoked_at, revoked_reason";

  /**
   * A state change: {@code counterPartyPid}, {@code agreementId}, {@code detail}, {@code offerId} and
   * {@code offer} replace the stored values when not null; {@code agreement} is inserted in the same
   * transaction when not null. {@code note}, when not null, goes into the change's audit record only:
   * why the node moved when no message asked it to (e.g. the counter-party's state, read back).
   */
  public record Change(NegotiationState from, NegotiationState to, String counterPartyPid, String agreementId,
      String detail, Agreement agreement, String offerId, JsonObject offer, String detailFr, String note) {

    public static Change to(NegotiationState from, NegotiationState to) {
      return new Change(from, to, null, null, null, null, null, null, null, null);
    }

    /** An English-only detail; it replaces any French one, which would no longer say the same. */
    public Change withDetail(String text) {
      return new Change(from, to, counterPartyPid, agreementId, text, agreement, offerId, offer, null, note);
    }

    /** A detail in English and (when known) French, shown in the operator's language. */
    public Change withDetail(LocalizedText text) {
      return new Change(from, to, counterPartyPid, agreementId, text.en(), agreement, offerId, offer, text.fr(),
          note);
    }

    public Change withCounterPartyPid(String pid) {
      return new Change(from, to, pid, agreementId, detail, agreement, offerId, offer, detailFr, note);
    }

    public Change withAgreement(Agreement value) {
      return new Change(from, to, counterPartyPid, value.id(), detail, value, offerId, offer, detailFr, note);
    }

    /** The offer now on the table: a provider's new offer, or a consumer's counter-request. */
    public Change withOffer(String id, JsonObject body) {
      return new Change(from, to, counterPartyPid, agreementId, detail, agreement, id, body, detailFr, note);
    }

    public Change withNote(String text) {
      return new Change(from, to, counterPartyPid, agreementId, detail, agreement, offerId, offer, detailFr, text);
    }
  }

  /**
   * What a contract request to {@code /negotiations/request} found or opened: the negotiation, whether
   * this request opened it, and the offer the first request named (a counter-offer may have replaced
   * the negotiation's own since).
   */
  public record Requested(Negotiation negotiation, boolean created, String requestedOfferId) {
  }

  private final Database db;
  private final Clock clock;

  private final StateRecorder recorder;

  public NegotiationStore(Database db, Clock clock) {
    this(db, clock, StateRecorder.NONE);
  }

  public NegotiationStore(Database db, Clock clock, StateRecorder recorder) {
    this.db = db;
    this.clock = clock;
    this.recorder = recorder;
  }

  /**
   * After the commit, logs what the transaction staged. The change and its record are both committed
   * already, so a failure here is logged rather than reported as a failed transition (which a retry
   * would repeat): the record stays staged and is logged by the next publish or at start-up.
   */
  private Future<Negotiation> published(Negotiation n) {
    return recorder.published(n, "negotiation " + n.id());
  }

  public Future<Negotiation> create(Negotiation n) {
    return create(n, Integer.MAX_VALUE);
  }

  /**
   * Creates {@code n} unless its counter-party already has {@code maxOpen} unfinished negotiations in
   * the same role on this node ({@link TooManyOpen}).
   */
  public Future<Negotiation> create(Negotiation n, int maxOpen) {
    return create(n, maxOpen, OnCreate.none());
  }

  /** As {@link #create(Negotiation, int)}; {@code onCreate} runs in the creation's transaction. */
  public Future<Negotiation> create(Negotiation n, int maxOpen, OnCreate<? super Negotiation> onCreate) {
    return db.<Negotiation>transaction(c -> {
      if (maxOpen != Integer.MAX_VALUE) {
        TooManyOpen.check(c, "negotiation", n.counterPartyId(), n.role().name(), UNFINISHED, maxOpen,
            "negotiations", "limits.maxOpenNegotiationsPerParticipant");
      }
      insert(c, n);
      onCreate.run(c, n);
      return n;
    }).compose(this::published);
  }

  /**
   * Opens provider negotiation {@code n}, requested by {@code n.counterPartyId()} under consumerPid
   * {@code n.counterPartyPid()}, unless that consumerPid already names one of this partner's
   * negotiations here: then that one is found, and nothing is written. The key is the
   * {@code negotiation_request} primary key, so of two concurrent requests one opens the negotiation
   * and the other, failing on the key after the first commits, finds it ({@link Database#insertOrFind}).
   * The partner's bound on open negotiations ({@link TooManyOpen}) applies to new negotiations only.
   */
  public Future<Requested> createRequested(Negotiation n, int maxOpen) {
    if (n.role() != Role.PROVIDER || n.counterPartyId() == null || n.counterPartyPid() == null) {
      return Future.failedFuture(new IllegalArgumentException("only a provider negotiation is requested by a"
          + " partner's consumerPid, got " + n.role() + " " + n.counterPartyId() + " " + n.counterPartyPid()));
    }
    return db.<Requested>insertOrFind(c -> {
      Requested found = findRequested(c, n.counterPartyId(), n.counterPartyPid());
      if (found != null) {
        return found;
      }
      if (maxOpen != Integer.MAX_VALUE) {
        TooManyOpen.check(c, "negotiation", n.counterPartyId(), n.role().name(), UNFINISHED, maxOpen,
            "negotiations", "limits.maxOpenNegotiationsPerParticipant");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO negotiation_request (role, counter_party_id, "
          + "counter_party_pid, negotiation_id, offer_id) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, n.role().name());
        ps.setString(2, n.counterPartyId());
        ps.setString(3, n.counterPartyPid());
        ps.setString(4, n.id());
        ps.setString(5, n.offerId());
        ps.executeUpdate();
      }
      insert(c, n);
      return new Requested(n, true, n.offerId());
    }, c -> findRequested(c, n.counterPartyId(), n.counterPartyPid()))
        .compose(r -> r.created() ? recorder.published(r, "negotiation " + n.id()) : Future.succeededFuture(r));
  }

  /** The negotiation {@code counterPartyId} requested under {@code consumerPid}, or null. */
  private static Requested findRequested(Connection c, String counterPartyId, String consumerPid)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT negotiation_id, offer_id FROM negotiation_request "
        + "WHERE role = ? AND counter_party_id = ? AND counter_party_pid = ?")) {
      ps.setString(1, Role.PROVIDER.name());
      ps.setString(2, counterPartyId);
      ps.setString(3, consumerPid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Requested(find(c, rs.getString(1)), false, rs.getString(2)) : null;
      }
    }
  }

  /** Inserts {@code n} and stages its audit record, in the caller's transaction. */
  private void insert(Connection c, Negotiation n) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO negotiation (" + COLUMNS
        + ", attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")) {
      ps.setString(1, n.id());
      ps.setString(2, n.role().name());
      ps.setString(3, n.state().name());
      ps.setString(4, n.counterPartyId());
      ps.setString(5, n.counterPartyPid());
      ps.setString(6, n.counterPartyAddress());
      ps.setString(7, n.offerId());
      ps.setString(8, n.assetId());
      ps.setString(9, n.offer().encode());
      ps.setString(10, n.agreementId());
      ps.setString(11, n.detail());
      ps.setTimestamp(12, Timestamp.from(n.createdAt()));
      ps.setTimestamp(13, Timestamp.from(n.updatedAt()));
      ps.setString(14, n.detailFr());
      ps.executeUpdate();
    }
    recorder.stage(c, "negotiation", n.id(), n.toJson().put("change", "created in " + n.state()));
  }

  public Future<Negotiation> find(String id) {
    return db.transaction(c -> find(c, id));
  }

  public Future<List<Negotiation>> list() {
    return db.transaction(c -> query(c, "SELECT " + COLUMNS + " FROM negotiation ORDER BY created_at", null));
  }

  /** Negotiations that still have a step to run, for resumption at start-up. */
  public Future<List<Negotiation>> listUnfinished() {
    return db.transaction(c -> query(c, "SELECT " + COLUMNS + " FROM negotiation WHERE " + UNFINISHED
        + " ORDER BY created_at", null));
  }

  /**
   * Moves a negotiation from {@code change.from()} to {@code change.to()}; fails with {@link Conflict}
   * when it is no longer in {@code from}, and with {@link IllegalStateException} when the transition is
   * not in the state machine (a bug, never a partner's doing).
   */
  public Future<Negotiation> move(String id, Change change) {
    return move(id, change, null, null);
  }

  /**
   * {@link #move}, and in the same transaction the consumer's side of {@code agreementId}'s signatures
   * ({@code jws}, or null when the consumer did not sign): the provider records the countersignature
   * together with the verification it came with, so one is never stored without the other.
   */
  public Future<Negotiation> moveCountersigned(String id, Change change, String agreementId, String jws) {
    return move(id, change, agreementId, jws == null ? "" : jws);
  }

  private Future<Negotiation> move(String id, Change change, String countersigned, String countersignature) {
    if (!change.from().canMoveTo(change.to())) {
      return Future.failedFuture(new IllegalStateException(
          "negotiation transition " + change.from() + " -> " + change.to() + " is not allowed"));
    }
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE negotiation SET state = ?, "
          + "counter_party_pid = COALESCE(?, counter_party_pid), agreement_id = COALESCE(?, agreement_id), "
          + "detail = COALESCE(?, detail), offer_id = COALESCE(?, offer_id), offer = COALESCE(?, offer), "
          + "updated_at = ?, detail_fr = " + (change.detail() == null ? "detail_fr" : "?")
          + " WHERE id = ? AND state = ?")) {
        int next = 8;
        if (change.detail() != null) {
          // A new detail brings its own French, or none: never the French of the previous one.
          ps.setString(next++, change.detailFr());
        }
        ps.setString(1, change.to().name());
        ps.setString(2, change.counterPartyPid());
        ps.setString(3, change.agreementId());
        ps.setString(4, change.detail());
        ps.setString(5, change.offerId());
        ps.setString(6, change.offer() == null ? null : change.offer().encode());
        ps.setTimestamp(7, Timestamp.from(clock.instant()));
        ps.setString(next, id);
        ps.setString(next + 1, change.from().name());
        if (ps.executeUpdate() == 0) {
          Negotiation current = find(c, id);
          throw new Conflict("negotiation " + id + " is " + current.state() + ", expected " + change.from());
        }
      }
      if (change.agreement() != null) {
        insertAgreement(c, change.agreement());
      }
      Negotiation moved = find(c, id);
      JsonObject record = moved.toJson().put("change", change.from() + " -> " + change.to());
      recorder.stage(c, "negotiation", id, change.note() == null ? record : record.put("note", change.note()));
      if (change.agreement() != null) {
        recorder.stage(c, "agreement", change.agreement().id(), change.agreement().toJson());
      }
      if (countersigned != null) {
        updateCountersignature(c, countersigned, countersignature.isEmpty() ? null : countersignature);
        Agreement a = findAgreement(c, countersigned);
        recorder.stage(c, "agreement", a.id(),
            a.toJson().put("change", "countersignature " + a.signatures().consumerState()));
      }
      return moved;
    }).compose(this::published);
  }

  public Future<Agreement> findAgreement(String id) {
    return db.transaction(c -> findAgreement(c, id));
  }

  private Agreement findAgreement(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + AGREEMENT_READ + " FROM agreement WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new NotFound("no agreement with id '" + id + "'");
        }
        return agreement(rs);
      }
    }
  }

  public Future<List<Agreement>> listAgreements() {
    return db.transaction(c -> {
      List<Agreement> result = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + AGREEMENT_READ
          + " FROM agreement ORDER BY signed_at"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(agreement(rs));
        }
      }
      return result;
    });
  }

  /**
   * Revokes agreement {@code id}, which this node granted, and stages the revocation's audit record in
   * the same transaction. A second revocation is a {@link Conflict}: the first one's date and reason
   * stand.
   */
  public Future<Agreement> revoke(String id, String selfId, String reason) {
    return db.transaction(c -> {
      Agreement a = findAgreement(c, id);
      if (!a.providerId().equals(selfId)) {
        throw new Conflict("agreement " + id + " was granted by " + a.providerId() + "; only its provider can revoke it");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE agreement SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL")) {
        ps.setTimestamp(1, Timestamp.from(clock.instant()));
        ps.setString(2, reason);
        ps.setString(3, id);
        if (ps.executeUpdate() == 0) {
          throw new Conflict("agreement " + id + " was already revoked on " + a.revocation().at() + ": "
              + a.revocation().reason());
        }
      }
      Agreement revoked = findAgreement(c, id);
      recorder.stage(c, "agreement", id, revoked.toJson().put("change", "revoked"));
      return revoked;
    }).compose(a -> recorder.published(a, "revocation of agreement " + id));
  }

  /**
   * Counts one access under agreement {@code agreementId} if its count is still {@code seen}, the count
   * the access was decided with; false, counting nothing, when another access was counted since (the
   * caller decides again with the new count). Only what a decision allowed is counted, and one
   * conditional update does it: however many accesses race, each value of the count lets one of them
   * through at most, and none fails for having lost.
   */
  public Future<Boolean> countAccess(String agreementId, long seen) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE agreement SET access_count = access_count + 1 WHERE id = ? AND access_count = ?")) {
        ps.setString(1, agreementId);
        ps.setLong(2, seen);
        if (ps.executeUpdate() == 1) {
          return true;
        }
      }
      findAgreement(c, agreementId); // NotFound rather than a lost race when there is no such agreement
      return false;
    });
  }

  private static void updateCountersignature(Connection c, String agreementId, String jws) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE agreement SET consumer_signature_state = ?, "
        + "consumer_signature = ? WHERE id = ?")) {
      ps.setString(1, (jws == null ? Agreement.SignatureState.NOT_SIGNED : Agreement.SignatureState.SIGNED).name());
      ps.setString(2, jws);
      ps.setString(3, agreementId);
      if (ps.executeUpdate() == 0) {
        throw new NotFound("no agreement with id '" + agreementId + "'");
      }
    }
  }

  private static void insertAgreement(Connection c, Agreement a) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO agreement (" + AGREEMENT_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, a.id());
      ps.setString(2, a.negotiationId());
      ps.setString(3, a.assetId());
      ps.setString(4, a.providerId());
      ps.setString(5, a.consumerId());
      ps.setString(6, a.body().encode());
      ps.setTimestamp(7, Timestamp.from(a.signedAt()));
      ps.setLong(8, a.accessCount());
      ps.setString(9, a.signatures().providerState().name());
      ps.setString(10, a.signatures().provider());
      ps.setString(11, a.signatures().consumerState().name());
      ps.setString(12, a.signatures().consumer());
      ps.executeUpdate();
    }
  }

  private static Negotiation find(Connection c, String id) throws SQLException {
    List<Negotiation> found = query(c, "SELECT " + COLUMNS + " FROM negotiation WHERE id = ?", id);
    if (found.isEmpty()) {
      throw new NotFound("no negotiation with id '" + id + "'");
    }
    return found.get(0);
  }

  private static List<Negotiation> query(Connection c, String sql, String param) throws SQLException {
    List<Negotiation> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setString(1, param);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(new Negotiation(rs.getString(1), Role.valueOf(rs.getString(2)),
              NegotiationState.valueOf(rs.getString(3)), rs.getString(4), rs.getString(5), rs.getString(6),
              rs.getString(7), rs.getString(8), new JsonObject(rs.getString(9)), rs.getString(10),
              rs.getString(11), rs.getTimestamp(12).toInstant(), rs.getTimestamp(13).toInstant(), rs.getString(14)));
        }
      }
    }
    return result;
  }

  private static Agreement agreement(ResultSet rs) throws SQLException {
    Timestamp revokedAt = rs.getTimestamp(13);
    return new Agreement(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        new JsonObject(rs.getString(6)), rs.getTimestamp(7).toInstant(), rs.getLong(8),
        new Agreement.Signatures(Agreement.SignatureState.valueOf(rs.getString(9)), rs.getString(10),
            Agreement.SignatureState.valueOf(rs.getString(11)), rs.getString(12)),
        revokedAt == null ? null : new Agreement.Revocation(revokedAt.toInstant(), rs.getString(14)));
  }
}
