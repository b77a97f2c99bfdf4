package fr.socle.transfer;

import fr.socle.process.Role;
import fr.socle.store.Conflict;
import fr.socle.store.Database;
import fr.socle.store.NotFound;
import fr.socle.store.OnCreate;
import fr.socle.store.SealedValues;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Transfer processes in the node's database; every state change is a compare-and-set. The data
 * address and the push destination, which hold a partner's bearer token, are kept encrypted
 * ({@link SealedValues}, each bound to its row and column); the token this node hands out itself is
 * kept as a hash only.
 */
public final class TransferStore {

  private static final String COLUMNS = "id, role, state, counter_party_id, counter_party_pid, "
      + "counter_party_address, agreement_id, format, data_address, token_hash, detail, created_at, updated_at, "
      + "detail_fr, destination, suspended_by";
  /** The columns kept encrypted: each holds a DataAddress with a partner's token. */
  private static final List<String> SEALED = List.of("data_address", "destination");
  /** How many rows kept in clear by an earlier version one transaction encrypts. */
  private static final int SEAL_BATCH = 200;
  private static final String UNFINISHED = "state NOT IN ('" + TransferState.COMPLETED + "', '"
      + TransferState.TERMINATED + "')";

  /**
   * A state change; non-null fields replace the stored values. The token hash is set by
   * {@link #prepareToken}. {@code note}, when not null, goes into the change's audit record only: why
   * the node moved when no message asked it to (e.g. the counter-party's state, read back).
   * {@code suspendedBy} is recorded with a move to SUSPENDED; a move to STARTED clears it.
   */
  public record Change(TransferState from, TransferState to, String counterPartyPid, JsonObject dataAddress,
      String detail, String detailFr, String note, String suspendedBy) {

    public static Change to(TransferState from, TransferState to) {
      return new Change(from, to, null, null, null, null, null, null);
    }

    public Change withCounterPartyPid(String pid) {
      return new Change(from, to, pid, dataAddress, detail, detailFr, note, suspendedBy);
    }

    public Change withDataAddress(JsonObject address) {
      return new Change(from, to, counterPartyPid, address, detail, detailFr, note, suspendedBy);
    }

    /** An English-only detail; it replaces any French one, which would no longer say the same. */
    public Change withDetail(String text) {
      return new Change(from, to, counterPartyPid, dataAddress, text, null, note, suspendedBy);
    }

    /** A detail in English and (when known) French, shown in the operator's language. */
    public Change withDetail(fr.socle.policy.LocalizedText text) {
      return new Change(from, to, counterPartyPid, dataAddress, text.en(), text.fr(), note, suspendedBy);
    }

    public Change withNote(String text) {
      return new Change(from, to, counterPartyPid, dataAddress, detail, detailFr, text, suspendedBy);
    }

    /** The participant whose suspension holds the transfer once it is SUSPENDED. */
    public Change withSuspendedBy(String participant) {
      return new Change(from, to, counterPartyPid, dataAddress, detail, detailFr, note, participant);
    }
  }

  /** What a request to {@code /transfers/request} found or opened, and whether this request opened it. */
  public record Requested(Transfer transfer, boolean created) {
  }

  private final Database db;
  private final Clock clock;

  private final StateRecorder recorder;
  private final SealedValues sealed;
  private final List<Consumer<Transfer>> listeners = new CopyOnWriteArrayList<>();
  /**
   * Whether a value in clear, as an earlier version wrote it, is read as it is: until
   * {@link #sealInClear} has encrypted them all. From then on this node writes none, so one found is
   * refused like a value that does not decrypt.
   */
  private volatile boolean clearAccepted = true;

  /** A store whose encrypted values are readable by this instance only: for tests. */
  public TransferStore(Database db, Clock clock) {
    this(db, clock, StateRecorder.NONE, SealedValues.ephemeral());
  }

  /** @param sealed the key of the node's encrypted values ({@link SealedValues#derivedFrom}) */
  public TransferStore(Database db, Clock clock, StateRecorder recorder, SealedValues sealed) {
    this.db = db;
    this.clock = clock;
    this.recorder = recorder;
    this.sealed = sealed;
  }

  /**
   * After the commit, logs what the transaction staged. The change and its record are both committed
   * already, so a failure here is logged rather than reported as a failed transition (which a retry
   * would repeat): the record stays staged and is logged by the next publish or at start-up.
   */
  private Future<Transfer> published(Transfer t) {
    return recorder.published(t, "transfer " + t.id());
  }

  /**
   * Calls {@code listener} with each transfer after a committed state change, on the thread that
   * asked for the change (the node's event loop). The data plane uses it to cut downloads at once.
   */
  public void onMove(Consumer<Transfer> listener) {
    listeners.add(listener);
  }

  public Future<Transfer> create(Transfer t) {
    return create(t, Integer.MAX_VALUE);
  }

  /**
   * Creates {@code t} unless its counter-party already has {@code maxOpen} unfinished transfers in
   * the same role on this node ({@link TooManyOpen}).
   */
  public Future<Transfer> create(Transfer t, int maxOpen) {
    return create(t, maxOpen, OnCreate.none());
  }

  /** As {@link #create(Transfer, int)}; {@code onCreate} runs in the creation's transaction. */
  public Future<Transfer> create(Transfer t, int maxOpen, OnCreate<? super Transfer> onCreate) {
    return db.<Transfer>transaction(c -> {
      if (maxOpen != Integer.MAX_VALUE) {
        TooManyOpen.check(c, "transfer", t.counterPartyId(), t.role().name(), UNFINISHED, maxOpen, "transfers",
            "limits.maxOpenTransfersPerParticipant");
      }
      insert(c, t);
      onCreate.run(c, t);
      return t;
    }).compose(this::published);
  }

  /** Inserts {@code t} and stages its audit record, in the caller's transaction. */
  private void insert(Connection c, Transfer t) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO transfer (" + COLUMNS
        + ", attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")) {
      ps.setString(1, t.id());
      ps.setString(2, t.role().name());
      ps.setString(3, t.state().name());
      ps.setString(4, t.counterPartyId());
      ps.setString(5, t.counterPartyPid());
      ps.setString(6, t.counterPartyAddress());
      ps.setString(7, t.agreementId());
      ps.setString(8, t.format());
      ps.setString(9, seal(t.id(), "data_address", t.dataAddress()));
      ps.setString(10, t.tokenHash());
      ps.setString(11, t.detail());
      ps.setTimestamp(12, Timestamp.from(t.createdAt()));
      ps.setTimestamp(13, Timestamp.from(t.updatedAt()));
      ps.setString(14, t.detailFr());
      ps.setString(15, seal(t.id(), "destination", t.destination()));
      ps.setString(16, t.suspendedBy());
      ps.executeUpdate();
    }
    recorder.stage(c, "transfer", t.id(), t.toJson().put("change", "created in " + t.state()));
  }

  /**
   * Opens provider transfer {@code t}, requested by {@code t.counterPartyId()} under consumerPid
   * {@code t.counterPartyPid()}, unless that consumerPid already names one of this partner's transfers
   * here: then that one is found, and nothing is written. The key is the {@code transfer_request}
   * primary key, so of two concurrent requests one opens the transfer and the other, failing on the
   * key after the first commits, finds it ({@link Database#insertOrFind}). The bound on open transfers
   * applies to new ones only.
   */
  public Future<Requested> createRequested(Transfer t, int maxOpen) {
    if (t.role() != Role.PROVIDER || t.counterPartyId() == null || t.counterPartyPid() == null) {
      return Future.failedFuture(new IllegalArgumentException("only a provider transfer is requested by a"
          + " partner's consumerPid, got " + t.role() + " " + t.counterPartyId() + " " + t.counterPartyPid()));
    }
    return db.<Requested>insertOrFind(c -> {
      Requested found = findRequested(c, t.counterPartyId(), t.counterPartyPid());
      if (found != null) {
        return found;
      }
      if (maxOpen != Integer.MAX_VALUE) {
        TooManyOpen.check(c, "transfer", t.counterPartyId(), t.role().name(), UNFINISHED, maxOpen, "transfers",
            "limits.maxOpenTransfersPerParticipant");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO transfer_request (role, counter_party_id, "
          + "counter_party_pid, transfer_id) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, t.role().name());
        ps.setString(2, t.counterPartyId());
        ps.setString(3, t.counterPartyPid());
        ps.setString(4, t.id());
        ps.executeUpdate();
      }
      insert(c, t);
      return new Requested(t, true);
    }, c -> findRequested(c, t.counterPartyId(), t.counterPartyPid()))
        .compose(r -> r.created() ? published(r.transfer()).map(r) : Future.succeededFuture(r));
  }

  /** The transfer {@code counterPartyId} requested under {@code consumerPid}, or null. */
  private Requested findRequested(Connection c, String counterPartyId, String consumerPid)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT transfer_id FROM transfer_request "
        + "WHERE role = ? AND counter_party_id = ? AND counter_party_pid = ?")) {
      ps.setString(1, Role.PROVIDER.name());
      ps.setString(2, counterPartyId);
      ps.setString(3, consumerPid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Requested(find(c, rs.getString(1)), false) : null;
      }
    }
  }

  /**
   * Replaces the push destination of a provider transfer while it is still in {@code state}: a
   * consumer that re-sends its request draws a new receiver token each time and keeps only the last
   * one's hash. {@link Conflict} when the transfer has moved on.
   */
  public Future<Void> updateDestination(String id, TransferState state, JsonObject destination) {
    return updateWhileIn(id, state, "destination", seal(id, "destination", destination));
  }

  public Future<Transfer> find(String id) {
    return db.transaction(c -> find(c, id));
  }

  public Future<List<Transfer>> list() {
    return db.transaction(c -> query(c, "SELECT " + COLUMNS + " FROM transfer ORDER BY created_at", null));
  }

  public Future<List<Transfer>> listUnfinished() {
    return db.transaction(c -> query(c, "SELECT " + COLUMNS + " FROM transfer WHERE " + UNFINISHED
        + " ORDER BY created_at", null));
  }

  /** The unfinished transfers under agreement {@code agreementId}. */
  public Future<List<Transfer>> listUnfinished(String agreementId) {
    return db.transaction(c -> query(c, "SELECT " + COLUMNS + " FROM transfer WHERE agreement_id = ? AND "
        + UNFINISHED + " ORDER BY created_at", agreementId));
  }

  /**
   * Records the hash of the access token about to be handed out, while the transfer is still in
   * {@code state}: the token must be accepted as soon as the consumer holds it, which can be before
   * the provider hears the acknowledgement of its start message. A consumer receiving a push keeps
   * its receiver token's hash here the same way, before its request leaves.
   */
  public Future<Void> prepareToken(String id, TransferState state, String tokenHash) {
    return updateWhileIn(id, state, "token_hash", tokenHash);
  }

  /** Compare-and-set of the state; {@link Conflict} when the row is no longer in {@code from}. */
  public Future<Transfer> move(String id, Change change) {
    if (!change.from().canMoveTo(change.to())) {
      return Future.failedFuture(new IllegalStateException(
          "transfer transition " + change.from() + " -> " + change.to() + " is not allowed"));
    }
    return db.transaction(c -> {
      // A provider forgets the token of a transfer it suspends: the old token must not work again while
      // a resumption waits for the policy's answer; the next start issues a new one.
      String token = change.to() == TransferState.SUSPENDED ? "CASE WHEN role = 'PROVIDER' THEN NULL ELSE token_hash END"
          : "token_hash";
      // Who suspended has a column of its own, never read from the detail a partner's message writes;
      // a new start ends every suspension.
      String suspendedBy = change.to() == TransferState.STARTED ? "NULL"
          : change.suspendedBy() == null ? "suspended_by" : "?";
      try (PreparedStatement ps = c.prepareStatement("UPDATE transfer SET state = ?, token_hash = " + token + ", "
          + "counter_party_pid = COALESCE(?, counter_party_pid), data_address = COALESCE(?, data_address), "
          + "detail = COALESCE(?, detail), updated_at = ?, suspended_by = " + suspendedBy + ", detail_fr = "
          + (change.detail() == null ? "detail_fr" : "?") + " WHERE id = ? AND state = ?")) {
        ps.setString(1, change.to().name());
        ps.setString(2, change.counterPartyPid());
        ps.setString(3, seal(id, "data_address", change.dataAddress()));
        ps.setString(4, change.detail());
        ps.setTimestamp(5, Timestamp.from(clock.instant()));
        int next = 6;
        if ("?".equals(suspendedBy)) {
          ps.setString(next++, change.suspendedBy());
        }
        if (change.detail() != null) {
          // A new detail brings its own French, or none: never the French of the previous one.
          ps.setString(next++, change.detailFr());
        }
        ps.setString(next, id);
        ps.setString(next + 1, change.from().name());
        if (ps.executeUpdate() == 0) {
          Transfer current = find(c, id);
          throw new Conflict("transfer " + id + " is " + current.state() + ", expected " + change.from());
        }
      }
      Transfer moved = find(c, id);
      JsonObject record = moved.toJson().put("change", change.from() + " -> " + change.to());
      recorder.stage(c, "transfer", id, change.note() == null ? record : record.put("note", change.note()));
      return moved;
    }).onSuccess(moved -> listeners.forEach(l -> l.accept(moved))).compose(this::published);
  }

  /**
   * Makes the suspension of a transfer still SUSPENDED {@code participant}'s, with {@code detail}: a
   * provider that suspends a transfer its consumer suspended first holds the suspension from then on,
   * and the consumer can no longer lift it. {@link Conflict} when the transfer has moved on.
   */
  public Future<Transfer> holdSuspension(String id, String participant, String detail) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE transfer SET suspended_by = ?, detail = ?, "
          + "detail_fr = NULL, updated_at = ? WHERE id = ? AND state = ?")) {
        ps.setString(1, participant);
        ps.setString(2, detail);
        ps.setTimestamp(3, Timestamp.from(clock.instant()));
        ps.setString(4, id);
        ps.setString(5, TransferState.SUSPENDED.name());
        if (ps.executeUpdate() == 0) {
          throw new Conflict("transfer " + id + " is " + find(c, id).state() + ", expected " + TransferState.SUSPENDED);
        }
      }
      Transfer held = find(c, id);
      recorder.stage(c, "transfer", id, held.toJson().put("change", "suspension now held by " + participant));
      return held;
    }).compose(this::published);
  }

  /**
   * Replaces the data address of a consumer's transfer while it is still in {@code state}, e.g. with a
   * refreshed access token; {@link Conflict} when the transfer has moved on.
   */
  public Future<Void> updateDataAddress(String id, TransferState state, JsonObject address) {
    return updateWhileIn(id, state, "data_address", seal(id, "data_address", address));
  }

  /** Sets {@code column} (a constant of this class, never input) while the transfer is in {@code state}. */
  private Future<Void> updateWhileIn(String id, TransferState state, String column, String value) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE transfer SET " + column + " = ?, updated_at = ? WHERE id = ? AND state = ?")) {
        ps.setString(1, value);
        ps.setTimestamp(2, Timestamp.from(clock.instant()));
        ps.setString(3, id);
        ps.setString(4, state.name());
        if (ps.executeUpdate() == 0) {
          throw new Conflict("transfer " + id + " is no longer " + state);
        }
      }
      return null;
    });
  }

  private Transfer find(Connection c, String id) throws SQLException {
    List<Transfer> found = query(c, "SELECT " + COLUMNS + " FROM transfer WHERE id = ?", id);
    if (found.isEmpty()) {
      throw new NotFound("no transfer with id '" + id + "'");
    }
    return found.get(0);
  }

  private List<Transfer> query(Connection c, String sql, String param) throws SQLException {
    List<Transfer> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setString(1, param);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1);
          // A value that does not open leaves the row listed, movable and terminable: only the value is
          // refused, where it is used (Transfer#dataAddress, Transfer#destination).
          JsonObject address = null;
          JsonObject destination = null;
          String unreadable = null;
          try {
            address = open(id, "data_address", rs.getString(9));
          } catch (SealedValues.Unreadable e) {
            unreadable = "data_address";
          }
          try {
            destination = open(id, "destination", rs.getString(15));
          } catch (SealedValues.Unreadable e) {
            unreadable = "destination";
          }
          result.add(new Transfer(id, Role.valueOf(rs.getString(2)),
              TransferState.valueOf(rs.getString(3)), rs.getString(4), rs.getString(5), rs.getString(6),
              rs.getString(7), rs.getString(8), address, rs.getString(10),
              rs.getString(11), rs.getTimestamp(12).toInstant(), rs.getTimestamp(13).toInstant(), rs.getString(14),
              destination, rs.getString(16), unreadable));
        }
      }
    }
    return result;
  }

  /** Where a value of {@code column} in row {@code id} belongs: what its encryption is bound to. */
  private static String place(String id, String column) {
    return "transfer/" + id + "/" + column;
  }

  private String seal(String id, String column, JsonObject value) {
    return value == null ? null : sealed.seal(place(id, column), value.encode());
  }

  /** The value stored in {@code column} of row {@code id}; {@link SealedValues.Unreadable} when it does not open. */
  private JsonObject open(String id, String column, String stored) {
    if (stored == null) {
      return null;
    }
    if (clearAccepted && stored.startsWith("{")) {
      return new JsonObject(stored);
    }
    return new JsonObject(sealed.open(place(id, column), stored));
  }

  /**
   * Encrypts the data addresses and push destinations an earlier version kept in clear, a batch per
   * transaction; called once at start-up. Succeeds with how many values it encrypted; from then on a
   * value in clear is refused. Each update is a compare-and-set on the value read, so a concurrent
   * write (which encrypts) is left as it is.
   */
  public Future<Integer> sealInClear() {
    return sealBatches(0).onSuccess(n -> clearAccepted = false);
  }

  /** One batch of {@link #sealInClear}: the values found in clear, and those it encrypted (not a concurrent write). */
  private record Batch(int found, int sealed) {
  }

  private Future<Integer> sealBatches(int done) {
    return db.<Batch>transaction(c -> {
      int found = 0;
      int sealedNow = 0;
      for (String column : SEALED) {
        List<String[]> clear = new ArrayList<>();
        // SEALED holds constants of this class, never input.
        try (PreparedStatement ps = c.prepareStatement("SELECT id, " + column + " FROM transfer WHERE " + column
            + " LIKE '{%' ORDER BY id LIMIT " + SEAL_BATCH);
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            clear.add(new String[] {rs.getString(1), rs.getString(2)});
          }
        }
        for (String[] row : clear) {
          try (PreparedStatement ps = c.prepareStatement("UPDATE transfer SET " + column + " = ? WHERE id = ? AND "
              + column + " = ?")) {
            ps.setString(1, sealed.seal(place(row[0], column), row[1]));
            ps.setString(2, row[0]);
            ps.setString(3, row[1]);
            sealedNow += ps.executeUpdate();
          }
        }
        found += clear.size();
      }
      return new Batch(found, sealedNow);
    }).compose(batch -> batch.found() == 0 ? Future.succeededFuture(done) : sealBatches(done + batch.sealed()));
  }
}
