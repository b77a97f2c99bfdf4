package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link AuditLog} on a real H2 file database: appends, heads, proofs, restarts and refusals. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AuditLogTest {

  @TempDir
  Path dir;
  private AuditFixture fx;

  @BeforeEach
  void setUp() {
    fx = new AuditFixture(dir);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void appendsAreNumberedInSubmissionOrderAndCommitted(VertxTestContext ctx) {
    AuditLog log = fx.newLog();
    log.start()
        .compose(v -> fx.appendAll(log, 0, 100))
        .compose(entries -> {
          for (int i = 0; i < 100; i++) {
            assertThat(entries.get(i).seq()).isEqualTo(i);
            assertThat(entries.get(i).subject()).isEqualTo("subject-" + i);
          }
          return query("SELECT COUNT(*) || ' ' || MAX(seq) FROM audit_entry");
        })
        .onComplete(ctx.succeeding(counts -> ctx.verify(() -> {
          assertThat(counts).isEqualTo("100 99");
          assertThat(log.size()).isEqualTo(100);
          ctx.completeNow();
        })));
  }

  @Test
  void proofsFromTheLogVerifyAgainstItsRoots(VertxTestContext ctx) {
    AuditLog log = fx.newLog();
    AtomicReference<List<AuditEntry>> entries = new AtomicReference<>();
    log.start()
        .compose(v -> fx.appendAll(log, 0, 50))
        .compose(list -> {
          entries.set(list);
          return Future.all(log.inclusionProof(17, 40), log.consistencyProof(20, 50), log.signTreeHead());
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          List<byte[]> leaves = entries.get().stream().map(AuditEntry::leafHash).toList();
          JsonObject inclusion = all.resultAt(0);
          assertThat(inclusion.getString("root")).isEqualTo(Merkle.encodeHash(Merkle.rootOf(leaves.subList(0, 40))));
          assertThat(inclusion.getString("leafHash")).isEqualTo(Merkle.encodeHash(leaves.get(17)));
          assertThat(Merkle.verifyInclusion(17, 40, leaves.get(17), decode(inclusion.getJsonArray("proof")),
              Merkle.rootOf(leaves.subList(0, 40))).verified()).isTrue();
          JsonObject consistency = all.resultAt(1);
          assertThat(Merkle.verifyConsistency(20, 50, Merkle.rootOf(leaves.subList(0, 20)), Merkle.rootOf(leaves),
              decode(consistency.getJsonArray("proof"))).verified()).isTrue();
          SignedTreeHead head = all.resultAt(2);
          assertThat(head.size()).isEqualTo(50);
          assertThat(head.root()).isEqualTo(Merkle.rootOf(leaves));
          assertThat(head.time()).isEqualTo(fx.clock.instant());
          ctx.completeNow();
        })));
  }

  @Test
  void refusalMessagesNameTheRange(VertxTestContext ctx) {
    AuditLog log = fx.newLog();
    log.start()
        .compose(v -> fx.appendAll(log, 0, 5))
        .compose(v -> Future.all(
            refusal(log.inclusionProof(5, 5)),
            refusal(log.consistencyProof(2, 6)),
            refusal(log.export(3, 2)),
            refusal(log.append(AuditType.ADMIN, "", new JsonObject()))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(all.<Throwable>list()).extracting(Throwable::getMessage).containsExactly(
              "seq 5 is not in [0, 5)",
              "second tree size 6 is not in [0, 5]",
              "fromSeq 3 is not in [0, 2]",
              "subject has 0 characters, want 1 to 512");
          assertThat(all.<Throwable>resultAt(0)).isInstanceOfSatisfying(AuditException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.OUT_OF_RANGE));
          ctx.completeNow();
        })));
  }

  @Test
  void operationsBeforeStartAreRefused(VertxTestContext ctx) {
    AuditLog log = fx.newLog();
    refusal(log.append(AuditType.ADMIN, "s", new JsonObject()))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(AuditException.class).hasMessage("audit log is not started");
          assertThat(((AuditException) e).reason()).isEqualTo(Reason.NOT_STARTED);
          ctx.completeNow();
        })));
  }

  @Test
  void payloadsJsonCannotHoldAreRefusedBeforeQueueing(VertxTestContext ctx) {
    AuditLog log = fx.newLog();
    log.start()
        .compose(v -> refusal(log.append(AuditType.ADMIN, "s", new JsonObject().put("x", Double.NaN))))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessage("JSON numbers must be finite, got NaN");
          assertThat(log.size()).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  void aFullQueueRefusesAtOnceAndTheQueuedAppendsStillCommit(VertxTestContext ctx) {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicReference<CountDownLatch> current = new AtomicReference<>(new CountDownLatch(0));
    DataSource gated = gatedDataSource(fx.pool, current);
    AuditLog log = fx.newLog(gated, 2);
    log.start().onComplete(ctx.succeeding(v -> {
      current.set(gate); // from here, the worker waits in getConnection until the gate opens
      Future<AuditEntry> first = log.append(AuditType.ADMIN, "first", new JsonObject());
      Future<AuditEntry> second = log.append(AuditType.ADMIN, "second", new JsonObject());
      Future<AuditEntry> third = log.append(AuditType.ADMIN, "third", new JsonObject());
      ctx.verify(() -> {
        assertThat(third.failed()).as("refused without waiting").isTrue();
        assertThat(third.cause()).isInstanceOf(AuditException.class)
            .hasMessage("audit log queue is full: 2 operations pending");
        assertThat(((AuditException) third.cause()).reason()).isEqualTo(Reason.QUEUE_FULL);
      });
      gate.countDown();
      Future.all(first, second).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        assertThat(first.result().seq()).isZero();
        assertThat(second.result().seq()).isEqualTo(1);
        assertThat(log.size()).isEqualTo(2);
        ctx.completeNow();
      })));
    }));
  }

  @Test
  void closeLetsQueuedAppendsCommitAndRefusesLaterOnes(VertxTestContext ctx) {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicReference<CountDownLatch> current = new AtomicReference<>(new CountDownLatch(0));
    AuditLog log = fx.newLog(gatedDataSource(fx.pool, current), 10);
    log.start().onComplete(ctx.succeeding(v -> {
      current.set(gate);
      List<Future<AuditEntry>> queued = List.of(
          log.append(AuditType.TRANSFER, "t-0", new JsonObject()),
          log.append(AuditType.TRANSFER, "t-1", new JsonObject()),
          log.append(AuditType.TRANSFER, "t-2", new JsonObject()));
      Future<Void> closed = log.close();
      Future<AuditEntry> late = log.append(AuditType.TRANSFER, "t-3", new JsonObject());
      ctx.verify(() -> {
        assertThat(late.failed()).isTrue();
        assertThat(late.cause()).isInstanceOf(AuditException.class).hasMessage("audit log is closed");
        assertThat(closed.isComplete()).as("close waits for the queue").isFalse();
      });
      gate.countDown();
      closed.onComplete(ctx.succeeding(done -> ctx.verify(() -> {
        assertThat(queued).allSatisfy(append -> assertThat(append.succeeded()).isTrue());
        assertThat(queued).extracting(append -> append.result().seq()).containsExactly(0L, 1L, 2L);
        assertThat(log.size()).isEqualTo(3);
        ctx.completeNow();
      })));
    }));
  }

  @Test
  void restartKeepsTheLogAndNewHeadsAreConsistentWithOldOnes(VertxTestContext ctx) {
    fx.restart(30, 20)
        .compose(restarted -> restarted.log().signTreeHead()
            .compose(newHead -> restarted.log().consistencyProof(30, 50).map(proof -> {
              ProofResult result = Merkle.verifyConsistency(30, 50, restarted.oldHead().root(), newHead.root(),
                  decode(proof.getJsonArray("proof")));
              assertThat(result.verified()).as(result.toString()).isTrue();
              return restarted;
            })))
        .compose(restarted -> fx.verify(restarted.newExport(), restarted.oldExport()))
        .onComplete(ctx.succeeding(report -> ctx.verify(() -> {
          assertThat(report.ok()).as(report.toString()).isTrue();
          assertThat(report.checks().get(report.checks().size() - 2).line())
              .isEqualTo("ok   consistency: the tree of size 50 extends the previous tree of size 30");
          ctx.completeNow();
        })));
  }

  @Test
  void aStagedChangeIsLoggedOnlyIfItsTransactionCommits(VertxTestContext ctx) {
    AuditLog log = fx.newLog();
    log.start()
        .compose(v -> fx.vertx.executeBlocking(() -> {
          try (Connection c = fx.pool.getConnection()) {
            c.setAutoCommit(false);
            log.stage(c, AuditType.NEGOTIATION, "rolled-back", new JsonObject().put("change", "A -> B"));
            c.rollback();
            log.stage(c, AuditType.TRANSFER, "committed", new JsonObject().put("change", "C -> D"));
            log.stage(c, AuditType.AGREEMENT, "agreement-1", new JsonObject().put("id", "agreement-1"));
            c.commit();
          }
          return null;
        }, false))
        .compose(v -> log.drainOutbox())
        .compose(drained -> {
          ctx.verify(() -> assertThat(drained).isEqualTo(2));
          return log.drainOutbox();
        })
        .compose(again -> {
          ctx.verify(() -> assertThat(again).as("nothing is logged twice").isZero());
          return log.export(0, log.size());
        })
        .onComplete(ctx.succeeding(export -> ctx.verify(() -> {
          JsonArray entries = export.getJsonArray("entries");
          assertThat(entries.stream().map(e -> ((JsonObject) e).getString("subject")))
              .containsExactly("committed", "agreement-1");
          assertThat(entries.getJsonObject(0).getString("type")).isEqualTo("TRANSFER");
          ctx.completeNow();
        })));
  }

  @Test
  void opaDecisionsAreLoggedOncePerDecisionIdHoweverOftenOpaSendsThem(VertxTestContext ctx) {
    AuditLog log = fx.newLog();
    JsonObject d1 = new JsonObject().put("decisionId", "d1").put("allow", true);
    JsonObject d2 = new JsonObject().put("decisionId", "d2").put("allow", false);
    log.start()
        .compose(v -> log.appendOpaDecisions(List.of(d1, d1, d2)))
        .compose(first -> {
          ctx.verify(() -> assertThat(first).as("a duplicate within one upload").isEqualTo(2));
          return log.appendOpaDecisions(List.of(d2, d1));
        })
        .compose(retried -> {
          ctx.verify(() -> assertThat(retried).as("an upload OPA retries").isZero());
          return log.export(0, log.size());
        })
        .onComplete(ctx.succeeding(export -> ctx.verify(() -> {
          assertThat(export.getJsonArray("entries").stream().map(e -> ((JsonObject) e).getString("subject")))
              .containsExactly("opa:d1", "opa:d2");
          ctx.completeNow();
        })));
  }

  @Test
  void storedRowsCannotBeUpdatedOrDeleted(VertxTestContext ctx) {
    AuditLog log = fx.newLog();
    log.start()
        .compose(v -> fx.appendAll(log, 0, 3))
        .compose(v -> log.signTreeHead())
        .compose(v -> Future.all(
            fx.execute("UPDATE audit_entry SET subject = 'x' WHERE seq = 1"),
            fx.execute("DELETE FROM audit_entry WHERE seq = 2"),
            fx.execute("UPDATE audit_tree_head SET tree_size = 2"),
            fx.execute("DELETE FROM audit_tree_head")))
        .onComplete(ctx.succeeding(errors -> ctx.verify(() -> {
          assertThat(errors.<String>list()).allSatisfy(error -> assertThat(error).isNotNull());
          assertThat(errors.<String>resultAt(0)).containsIgnoringCase("AUDIT_ENTRY is append-only: rows are never updated or deleted");
          assertThat(errors.<String>resultAt(1)).containsIgnoringCase("AUDIT_ENTRY is append-only");
          assertThat(errors.<String>resultAt(2)).containsIgnoringCase("AUDIT_TREE_HEAD is append-only");
          assertThat(errors.<String>resultAt(3)).containsIgnoringCase("AUDIT_TREE_HEAD is append-only");
          ctx.completeNow();
        })));
  }

  @Test
  void aStoreThatNoLongerMatchesItsLastHeadIsRefusedAtStart(VertxTestContext ctx) {
    AuditLog first = fx.newLog();
    AtomicReference<SignedTreeHead> head = new AtomicReference<>();
    first.start()
        .compose(v -> fx.appendAll(first, 0, 10))
        .compose(v -> first.signTreeHead())
        .compose(h -> {
          head.set(h);
          return first.close();
        })
        // Someone with database access removes the guard and rewrites a leaf hash.
        .compose(v -> fx.execute("DROP TRIGGER audit_entry_append_only"))
        .compose(error -> fx.execute("UPDATE audit_entry SET leaf_hash = '"
            + Merkle.encodeHash(Merkle.hashLeaf(new byte[0])) + "' WHERE seq = 4"))
        .compose(error -> refusal(fx.newLog().start()))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(AuditException.class).hasMessageStartingWith(
              "audit_entry no longer matches the tree head of size 10 signed at 2026-01-01T09:00:15.000Z: root mismatch (want: "
                  + Merkle.encodeHash(head.get().root()) + ", got: ");
          assertThat(((AuditException) e).reason()).isEqualTo(Reason.CORRUPT_STORE);
          ctx.completeNow();
        })));
  }

  /** Runs one query on a worker; completes with the first column of its first row. */
  private Future<String> query(String sql) {
    return fx.vertx.executeBlocking(() -> {
      try (Connection c = fx.pool.getConnection(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getString(1);
      }
    }, false);
  }

  /** Turns an expected failure into a success carrying the cause, so it composes. */
  static <T> Future<Throwable> refusal(Future<T> future) {
    return future.transform(ar -> ar.succeeded()
        ? Future.failedFuture(new AssertionError("expected a failure, got " + ar.result()))
        : Future.succeededFuture(ar.cause()));
  }

  static List<byte[]> decode(JsonArray hashes) {
    return AuditExport.decode(hashes);
  }

  /** A data source whose getConnection first waits for the current gate to open. */
  private static DataSource gatedDataSource(DataSource target, AtomicReference<CountDownLatch> gate) {
    return (DataSource) Proxy.newProxyInstance(AuditLogTest.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          if (method.getName().equals("getConnection")) {
            gate.get().await();
          }
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
