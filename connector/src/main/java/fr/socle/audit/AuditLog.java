package fr.socle.audit;

import fr.socle.canonical.Jcs;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The node's append-only audit log: entries in the database, their leaf hashes in memory, signed tree
 * heads on demand.
 *
 * <p>Contract: {@link #append} completes only after the entry is committed in its own transaction, so
 * a caller that waits for it never acts on something the log could lose. Operations run one at a time,
 * in submission order, on a single-thread worker executor named {@value #EXECUTOR}: seqs are assigned
 * without database locks and the cached leaf hashes need no synchronisation. At most {@code
 * maxPending} operations are queued or running; beyond that a call fails at once with {@link
 * Reason#QUEUE_FULL} instead of growing memory without bound when the database stalls. {@link #close}
 * lets queued operations finish.
 *
 * <p>One {@code AuditLog} per database: seqs come from the cache, so two writers would collide (the
 * primary key then refuses the second). Leaf hashes are loaded once by {@link #start}, which also
 * refuses a store that no longer matches its last signed head. Appends waiting together are committed
 * in one transaction (group commit); the hashes of complete subtrees are kept as entries are added, so
 * a proof or a tree head costs O(log² n) (see {@link SubtreeHashes}). After a failed transaction the cache is reloaded before the next
 * operation, since the commit may have happened even though the driver reported an error.
 */
public final class AuditLog {

  /** Name of the worker executor all operations run on. */
  public static final String EXECUTOR = "socle-audit";
  /** Default bound on waiting operations. */
  public static final int DEFAULT_MAX_PENDING = 10_000;
  private static final int OUTBOX_BATCH = 500;
  private static final int GROUP_COMMIT = 1_000;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuditLog.class);

  private final DataSource dataSource;
  private final TreeHeadSigner signer;
  private final Clock clock;
  private final int maxPending;
  private final WorkerExecutor executor;
  private final AtomicInteger pending = new AtomicInteger();
  private volatile boolean closed;
  private volatile long size;

  // Orders staged state changes across transactions and restarts (see stage).
  private final AtomicLong stagedOrder = new AtomicLong();

  private final java.util.concurrent.ConcurrentLinkedQueue<Queued> appendQueue =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  // Touched only by tasks on the single worker thread.
  private SubtreeHashes leaves = new SubtreeHashes();
  private long nextHeadId;
  private boolean started;
  private boolean stale;

  public AuditLog(Vertx vertx, DataSource dataSource, TreeHeadSigner signer, Clock clock) {
    this(vertx, dataSource, signer, clock, DEFAULT_MAX_PENDING);
  }

  public AuditLog(Vertx vertx, DataSource dataSource, TreeHeadSigner signer, Clock clock, int maxPending) {
    if (maxPending < 1) {
      throw new IllegalArgumentException("maxPending must be at least 1, got " + maxPending);
    }
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxPending = maxPending;
    this.executor = vertx.createSharedWorkerExecutor(EXECUTOR, 1);
  }

  /**
   * Creates the audit tables and append-only triggers if absent (see {@code db/audit.sql}); idempotent.
   * Commits when the connection is not in auto-commit mode.
   */
  public static void migrate(Connection connection) throws SQLException {
    AuditStore.migrate(connection);
  }

  /** Migrates, then loads and checks the stored leaf hashes. Other operations fail until this succeeds. */
  public Future<Void> start() {
    return submit(() -> {
      try (Connection c = dataSource.getConnection()) {
        AuditStore.migrate(c);
      }
      reload();
      started = true;
      // State changes committed before a crash, whose entries were not written yet.
      int drained = drain();
      if (drained > 0) {
        LOG.info("logged {} state changes staged before the last stop", drained);
      }
      return null;
    });
  }

  /** Number of committed entries, i.e. the seq the next entry gets. */
  public long size() {
    return size;
  }

  /**
   * Records an entry and completes with it once committed.
   *
   * @param payload plain JSON values only (see {@link Jcs}); anything else fails the Future
   */
  public Future<AuditEntry> append(AuditType type, String subject, JsonObject payload) {
    JsonObject snapshot;
    try {
      Objects.requireNonNull(type, "type");
      AuditEntry.checkSubject(subject);
      // The caller may reuse its object once this returns; the rest of the work is for the worker.
      snapshot = Objects.requireNonNull(payload, "payload").copy();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Queued queued = new Queued(type, subject, snapshot);
    return submit(() -> {
      if (!queued.done) {
        commitQueued();
      }
      if (queued.failure != null) {
        throw queued.failure;
      }
      return queued.entry;
    }, queued);
  }

  /** An append waiting for its commit; touched only on the worker thread once queued. */
  private static final class Queued {
    final AuditType type;
    final String subject;
    final JsonObject payload;
    AuditEntry entry;
    Exception failure;
    boolean done;

    Queued(AuditType type, String subject, JsonObject payload) {
      this.type = type;
      this.subject = subject;
      this.payload = payload;
    }

    void fail(Exception e) {
      failure = e;
      done = true;
    }
  }

  /**
   * Group commit: commits every append queued so far (up to {@value #GROUP_COMMIT}) in one
   * transaction, so that under load one durable commit serves many entries; each is still committed
   * before its Future completes. Appends queued behind this one in submission order are taken along,
   * which keeps seqs in submission order; their own tasks then find them done.
   */
  private void commitQueued() throws SQLException {
    try {
      ready();
    } catch (SQLException | RuntimeException e) {
      for (Queued q; (q = appendQueue.poll()) != null; ) {
        q.fail(e);
      }
      throw e;
    }
    List<Queued> batch = new ArrayList<>();
    List<AuditEntry> entries = new ArrayList<>();
    List<byte[]> hashes = new ArrayList<>();
    for (Queued q; batch.size() < GROUP_COMMIT && (q = appendQueue.poll()) != null; ) {
      try {
        // Check before encoding: the codec would quietly turn NaN or an Instant into a string.
        Jcs.canonicalize(q.payload);
        // Re-read from the encoding so that what is hashed now is what the database gives back later
        // (a Float, for one, is written with fewer digits than its double value has).
        JsonObject stored = new JsonObject(q.payload.encode());
        AuditEntry entry = new AuditEntry(leaves.size() + entries.size(), clock.instant(), q.type, q.subject, stored);
        batch.add(q);
        entries.add(entry);
        hashes.add(entry.leafHash());
      } catch (RuntimeException e) {
        q.fail(e);
      }
    }
    try {
      inTransaction(c -> {
        for (int i = 0; i < entries.size(); i++) {
          AuditStore.insertEntry(c, entries.get(i), hashes.get(i));
        }
        return null;
      });
    } catch (SQLException | RuntimeException e) {
      batch.forEach(q -> q.fail(e));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      added(hashes.get(i));
      batch.get(i).entry = entries.get(i);
      batch.get(i).done = true;
    }
  }

  /**
   * Stages an entry in the caller's transaction on {@code c}, to be logged by {@link #drainOutbox}
   * once that transaction committed (or at the next {@link #start} after a crash): the entry and the
   * change it records then commit or roll back together. Runs on the caller's worker thread.
   *
   * @throws IllegalArgumentException when the payload holds values JSON cannot (see {@link Jcs})
   */
  public void stage(Connection c, AuditType type, String subject, JsonObject payload) throws SQLException {
    checkNotOnEventLoop();
    AuditEntry.checkSubject(subject);
    Jcs.canonicalize(payload);
    long now = clock.millis() * 1_000;
    // Monotonic within this process and, through the clock, across restarts.
    long order = stagedOrder.updateAndGet(previous -> Math.max(previous + 1, now));
    AuditStore.insertOutbox(c, UUID.randomUUID().toString(), order, type, subject, payload.encode());
  }

  /** Logs every staged change, oldest first; completes with how many were logged. */
  public Future<Integer> drainOutbox() {
    return submit(() -> {
      ready();
      return drain();
    });
  }

  /**
   * Logs OPA's decision-log events as {@link AuditType#OPA_DECISION} entries, once per decision id
   * whatever how often OPA sends it, in one transaction.
   *
   * @param events payloads, each with a string {@code decisionId}
   * @return how many were new (the others were already logged)
   */
  public Future<Integer> appendOpaDecisions(List<JsonObject> events) {
    List<JsonObject> snapshot = events.stream().map(JsonObject::copy).toList();
    return submit(() -> {
      ready();
      record Pending(AuditEntry entry, byte[] leafHash, String decisionId) {}
      List<Pending> pending = new ArrayList<>();
      inTransaction(c -> {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (JsonObject event : snapshot) {
          String id = event.getString("decisionId");
          if (id == null || !seen.add(id) || AuditStore.hasOpaDecision(c, id)) {
            continue;
          }
          Jcs.canonicalize(event);
          AuditEntry entry = new AuditEntry(leaves.size() + pending.size(), clock.instant(), AuditType.OPA_DECISION,
              "opa:" + id, new JsonObject(event.encode()));
          byte[] leafHash = entry.leafHash();
          AuditStore.insertEntry(c, entry, leafHash);
          AuditStore.insertOpaDecision(c, id, entry.seq());
          pending.add(new Pending(entry, leafHash, id));
        }
        return null;
      });
      pending.forEach(p -> added(p.leafHash()));
      return pending.size();
    });
  }

  /** Signs and stores a head over all committed entries. */
  public Future<SignedTreeHead> signTreeHead() {
    return submit(() -> {
      ready();
      return signHead();
    });
  }

  /** The audit path of entry {@code seq} in the tree of the first {@code treeSize} entries. */
  public Future<JsonObject> inclusionProof(long seq, long treeSize) {
    return submit(() -> {
      ready();
      checkRange("tree size", treeSize, 0, leaves.size());
      if (seq < 0 || seq >= treeSize) {
        throw new AuditException(Reason.OUT_OF_RANGE, "seq " + seq + " is not in [0, " + treeSize + ")");
      }
      MerkleTree tree = new MerkleTree(leaves, treeSize);
      return new JsonObject()
          .put("seq", seq)
          .put("size", treeSize)
          .put("leafHash", Merkle.encodeHash(leaves.leaf(seq)))
          .put("root", Merkle.encodeHash(tree.root()))
          .put("proof", AuditExport.encode(tree.inclusionProof(seq)));
    });
  }

  /** The proof that the tree of the first {@code n} entries extends the tree of the first {@code m}. */
  public Future<JsonObject> consistencyProof(long m, long n) {
    return submit(() -> {
      ready();
      checkRange("second tree size", n, 0, leaves.size());
      checkRange("first tree size", m, 0, n);
      MerkleTree tree = new MerkleTree(leaves, n);
      return new JsonObject()
          .put("size1", m)
          .put("size2", n)
          .put("root1", Merkle.encodeHash(new MerkleTree(leaves, m).root()))
          .put("root2", Merkle.encodeHash(tree.root()))
          .put("proof", AuditExport.encode(tree.consistencyProof(m)));
    });
  }

  /**
   * The self-contained document an auditor checks offline (see {@link AuditExport}): entries {@code
   * [fromSeq, toSeq)}, the latest signed tree head, and the proofs. A head is signed first when none
   * covers {@code toSeq} yet.
   */
  public Future<JsonObject> export(long fromSeq, long toSeq) {
    return submit(() -> {
      ready();
      checkRange("toSeq", toSeq, 0, leaves.size());
      checkRange("fromSeq", fromSeq, 0, toSeq);
      SignedTreeHead latest = inTransaction(AuditStore::latestHead);
      SignedTreeHead head = latest != null && latest.size() >= toSeq ? latest : signHead();
      record Rows(List<JsonObject> entries, List<SignedTreeHead> heads) {}
      Rows rows = inTransaction(c -> new Rows(AuditStore.readEntries(c, fromSeq, toSeq), AuditStore.headsBySize(c)));
      return AuditExport.build(fromSeq, toSeq, head, rows.entries(), new MerkleTree(leaves, head.size()),
          rows.heads());
    });
  }

  /** Entries {@code [fromSeq, toSeq)} as stored, without proofs: for listing and reconciling. */
  public Future<List<JsonObject>> entries(long fromSeq, long toSeq) {
    return submit(() -> {
      ready();
      checkRange("toSeq", toSeq, 0, leaves.size());
      checkRange("fromSeq", fromSeq, 0, toSeq);
      return inTransaction(c -> AuditStore.readEntries(c, fromSeq, toSeq));
    });
  }

  /**
   * Refuses new operations, lets the queued ones finish, then releases the worker thread. The data
   * source stays open: it belongs to the caller.
   */
  public Future<Void> close() {
    Future<Object> drained;
    synchronized (this) {
      closed = true;
      // Vert.x's close interrupts the running task and drops queued ones, whose Futures would then
      // never complete. The one thread runs tasks in order, so this no-op runs after all of them.
      drained = executor.executeBlocking(() -> null, false);
    }
    return drained.eventually(executor::close).mapEmpty();
  }

  private SignedTreeHead signHead() throws SQLException {
    SignedTreeHead head = signer.sign(leaves.size(), new MerkleTree(leaves, leaves.size()).root(), clock.instant());
    long id = nextHeadId;
    inTransaction(c -> {
      AuditStore.insertHead(c, id, head);
      return null;
    });
    nextHeadId = id + 1;
    return head;
  }

  private void reload() throws SQLException {
    checkNotOnEventLoop();
    SubtreeHashes loaded;
    SignedTreeHead latest;
    long headId;
    long maxOrder;
    try (Connection c = dataSource.getConnection()) {
      loaded = AuditStore.loadLeafHashes(c);
      latest = AuditStore.latestHead(c);
      headId = AuditStore.nextHeadId(c);
      maxOrder = AuditStore.maxOutboxOrder(c);
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    }
    stagedOrder.accumulateAndGet(maxOrder, Math::max);
    if (latest != null) {
      if (latest.size() > loaded.size()) {
        throw new AuditException(Reason.CORRUPT_STORE, "audit_entry holds " + loaded.size()
            + " entries but the last signed tree head covers " + latest.size());
      }
      byte[] root = new MerkleTree(loaded, latest.size()).root();
      if (!Arrays.equals(root, latest.root())) {
        throw new AuditException(Reason.CORRUPT_STORE, "audit_entry no longer matches the tree head of size "
            + latest.size() + " signed at " + AuditTime.format(latest.time()) + ": "
            + new ProofResult.RootMismatch(latest.root(), root));
      }
    }
    leaves = loaded;
    nextHeadId = headId;
    size = leaves.size();
    stale = false;
  }

  private void added(byte[] leafHash) {
    leaves.append(leafHash);
    size = leaves.size();
  }

  /** Moves staged changes into the log, a batch per transaction: insert the entries, delete the rows. */
  private int drain() throws SQLException {
    int total = 0;
    while (true) {
      List<AuditStore.Staged> batch = inTransaction(c -> AuditStore.readOutbox(c, OUTBOX_BATCH));
      if (batch.isEmpty()) {
        return total;
      }
      List<byte[]> hashes = new ArrayList<>();
      inTransaction(c -> {
        for (AuditStore.Staged staged : batch) {
          AuditEntry entry = new AuditEntry(leaves.size() + hashes.size(), clock.instant(), staged.type(),
              staged.subject(), staged.payload());
          if (!AuditStore.deleteOutbox(c, staged.id())) {
            throw new AuditException(Reason.CORRUPT_STORE, "staged change " + staged.id() + " vanished while logged");
          }
          byte[] leafHash = entry.leafHash();
          AuditStore.insertEntry(c, entry, leafHash);
          hashes.add(leafHash);
        }
        return null;
      });
      hashes.forEach(this::added);
      total += batch.size();
    }
  }

  private void ready() throws SQLException {
    if (!started) {
      throw new AuditException(Reason.NOT_STARTED, "audit log is not started");
    }
    if (stale) {
      reload();
    }
  }

  // Synchronized with close() so that nothing is queued behind close's drain marker.
  private <T> Future<T> submit(Callable<T> task) {
    return submit(task, null);
  }

  /** @param append queued for group commit in the same step as the task, so both keep submission order */
  private synchronized <T> Future<T> submit(Callable<T> task, Queued append) {
    if (closed) {
      return Future.failedFuture(new AuditException(Reason.NOT_STARTED, "audit log is closed"));
    }
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      return Future.failedFuture(new AuditException(Reason.QUEUE_FULL,
          "audit log queue is full: " + maxPending + " operations pending"));
    }
    if (append != null) {
      appendQueue.add(append);
    }
    // Unordered: the one thread already runs tasks in submission order; ordered mode adds a per-context queue.
    return executor.executeBlocking(() -> {
      try {
        return task.call();
      } finally {
        pending.decrementAndGet();
      }
    }, false);
  }

  private <T> T inTransaction(SqlWork<T> work) throws SQLException {
    checkNotOnEventLoop();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        stale = true;
        try {
          c.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      }
    }
  }

  /** JDBC blocks: a deterministic guard, where the blocked-thread checker only samples. */
  private static void checkNotOnEventLoop() {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("audit log JDBC called on an event loop thread");
    }
  }

  private static void checkRange(String what, long value, long min, long max) {
    if (value < min || value > max) {
      throw new AuditException(Reason.OUT_OF_RANGE, what + " " + value + " is not in [" + min + ", " + max + "]");
    }
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }
}
