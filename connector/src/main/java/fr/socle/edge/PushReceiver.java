package fr.socle.edge;

import fr.socle.dataplane.BodyRefused;
import fr.socle.dataplane.OrderedFileWriter;
import fr.socle.dataplane.ReceivedBody;
import fr.socle.dataplane.StreamTuning;
import fr.socle.process.Role;
import fr.socle.protocol.Refusal;
import fr.socle.protocol.PeerAuthenticator;
import fr.socle.store.NotFound;
import fr.socle.transfer.AccessTokens;
import fr.socle.transfer.DataAddresses;
import fr.socle.transfer.Receipts;
import fr.socle.transfer.Transfer;
import fr.socle.transfer.TransferState;
import fr.socle.transfer.TransferStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a consumer node receives the {@code HttpData-PUSH} transfers it asked for:
 * {@code PUT /push/transfers/{consumerPid}} on the DSP port, announced in its TransferRequestMessage
 * with a fresh random token of which the transfer row keeps only the hash.
 *
 * <p>Checks, in this order, each refused with its own code: the caller is a federation member
 * (mutual TLS and its node token in {@value fr.socle.protocol.TokenAuthenticator#DATA_PLANE_HEADER},
 * as on the provider's data endpoint), a token is present (401), the transfer is a push this node
 * receives (404), the caller is its provider (403 {@code wrong_provider}), it is STARTED (403
 * {@code transfer_not_started}), the token is the one announced (401 {@code token_invalid}), then the
 * body's size, length and digest ({@link ReceivedBody}).
 *
 * <p>The body goes to a temporary file under {@code <dataDir>/received/}, with back-pressure, and
 * becomes {@code <dataDir>/received/<transferId>} only once whole: synced to disk, then renamed over
 * any earlier copy (a push again replaces, never appends). A body cut, refused or silent for longer
 * than the idle timeout leaves nothing behind but its temporary file's deletion.
 *
 * <p>A sender that asks {@code Expect: 100-continue} (as {@link fr.socle.transfer.Pusher} does) gets its refusal
 * before it sends any of the body, and its go-ahead only once every check passed.
 *
 * <p>Mounted before the DSP body handler: the body is streamed to disk, never buffered in memory.
 */
public final class PushReceiver {

  private static final Logger LOG = LoggerFactory.getLogger(PushReceiver.class);

  private final Receipts receipts;
  private final Vertx vertx;
  private final PeerAuthenticator authenticator;
  private final TransferStore transfers;
  private final Path directory;
  private final long maxBytes;
  private final long idleTimeoutMillis;

  /**
   * @param directory where received bodies are kept ({@code <dataDir>/received})
   * @param maxBytes the largest body accepted ({@code limits.maxReceivedBytes})
   * @param idleTimeoutMillis the longest a sender may stay silent mid-body
   */
  public PushReceiver(Vertx vertx, PeerAuthenticator authenticator, TransferStore transfers, Path directory,
      long maxBytes, long idleTimeoutMillis, Receipts receipts) {
    this.vertx = vertx;
    this.receipts = receipts;
    this.authenticator = authenticator;
    this.transfers = transfers;
    this.directory = directory;
    this.maxBytes = maxBytes;
    this.idleTimeoutMillis = idleTimeoutMillis;
  }

  public void mount(Router router) {
    router.put(DataAddresses.PUSH_ROUTE).handler(this::receive);
  }

  /** The received body of consumer transfer {@code id}; it exists once a push of it arrived whole. */
  public Path file(String id) {
    return directory.resolve(id);
  }

  private void receive(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    // Nothing is read before the checks below pass; a refusal closes the connection rather than drain it.
    request.pause();
    String pid = ctx.pathParam("pid");
    String caller;
    try {
      caller = authenticator.authenticate(ctx);
    } catch (Refusal e) {
      refuse(ctx, e);
      return;
    }
    String token = bearer(request.getHeader("Authorization"));
    if (token == null) {
      refuse(ctx, new Refusal(Refusal.Kind.UNAUTHENTICATED, "token_missing",
          "the push needs the receiver's token in Authorization"
          + " (Bearer), as announced in the transfer request's dataAddress"));
      return;
    }
    transfers.find(pid)
        .recover(e -> Future.failedFuture(e instanceof NotFound ? unknown(pid) : e))
        .compose(t -> {
          check(t, caller, token);
          ReceivedBody body;
          try {
            body = ReceivedBody.expect(request.getHeader("Content-Length"), request.getHeader("Repr-Digest"),
                maxBytes);
          } catch (BodyRefused e) {
            throw refusal(e);
          }
          return vertx.fileSystem().mkdirs(directory.toString()).compose(v -> store(ctx, t, body));
        })
        .onFailure(e -> refuse(ctx, e));
  }

  private static void check(Transfer t, String caller, String token) {
    if (t.role() != Role.CONSUMER || !t.isPush()) {
      throw unknown(t.id());
    }
    if (!caller.equals(t.counterPartyId())) {
      throw new Refusal(Refusal.Kind.FORBIDDEN, "wrong_provider",
          "transfer " + t.id() + " is provided by " + t.counterPartyId()
          + ", the caller is " + caller);
    }
    if (t.state() != TransferState.STARTED) {
      throw new Refusal(Refusal.Kind.FORBIDDEN, "transfer_not_started",
          "transfer " + t.id() + " is " + t.state().dspState()
          + "; a push is received only while it is STARTED");
    }
    if (t.tokenHash() == null) {
      throw new Refusal(Refusal.Kind.FORBIDDEN, "not_a_receiver",
          "transfer " + t.id() + " is delivered to the destination its"
          + " operator named, not to this node");
    }
    if (!AccessTokens.matches(token, t.tokenHash())) {
      throw new Refusal(Refusal.Kind.UNAUTHENTICATED, "token_invalid",
          "the token is not the one this node announced for transfer "
          + t.id());
    }
  }

  /** Streams the body to a temporary file, checks it, then syncs and renames it into place. */
  private Future<Void> store(RoutingContext ctx, Transfer t, ReceivedBody body) {
    HttpServerRequest request = ctx.request();
    Path temp = directory.resolve("." + t.id() + "." + UUID.randomUUID() + ".part");
    return OrderedFileWriter.create(vertx, temp)
        .compose(file -> {
          Intake intake = new Intake(ctx, t, body, file);
          file.failureHandler(e -> intake.abort(new Refusal(Refusal.Kind.CANNOT_STORE, "cannot_store",
              "the receiver cannot store"
              + " the body: " + e.getMessage()), "the disk refused a write: " + e.getMessage()));
          // The body goes to the disk and nowhere else: it may arrive in the memory it was read into.
          StreamTuning.readIntoDirectBuffers(request.connection());
          request.handler(intake::chunk);
          request.exceptionHandler(e -> intake.abort(null, "the connection broke: " + e.getMessage()));
          request.endHandler(v -> intake.complete());
          intake.armIdleTimer();
          if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            // Only now that every check passed does the sender start sending (RFC 9110 §10.1.1).
            ctx.response().writeContinue();
          }
          request.resume();
          return Future.succeededFuture();
        });
  }

  /** One body in progress: its file, checks and idle timer. Runs on the request's event loop. */
  private final class Intake {

    private final RoutingContext ctx;
    private final Transfer transfer;
    private final ReceivedBody body;
    private final OrderedFileWriter file;
    private final long started = System.nanoTime();
    private long timer = -1;
    private boolean done;

    Intake(RoutingContext ctx, Transfer transfer, ReceivedBody body, OrderedFileWriter file) {
      this.ctx = ctx;
      this.transfer = transfer;
      this.body = body;
      this.file = file;
    }

    void armIdleTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      timer = vertx.setTimer(idleTimeoutMillis, id -> {
        abort(null, "nothing received for " + idleTimeoutMillis + " ms");
        ctx.request().connection().close();
      });
    }

    void chunk(io.vertx.core.buffer.Buffer chunk) {
      if (done) {
        StreamTuning.release(chunk);
        return;
      }
      try {
        body.accept(chunk);
      } catch (BodyRefused e) {
        StreamTuning.release(chunk);
        abort(refusal(e), e.getMessage());
        return;
      }
      armIdleTimer();
      file.write(chunk);
      if (file.full()) {
        ctx.request().pause();
        file.drainHandler(() -> ctx.request().resume());
      }
    }

    void complete() {
      if (done) {
        return;
      }
      byte[] sha256;
      try {
        sha256 = body.finish();
      } catch (BodyRefused e) {
        abort(refusal(e), e.getMessage());
        return;
      }
      done = true;
      vertx.cancelTimer(timer);
      // finish() forces the bytes to disk: a crash after the answer never leaves a short file in place.
      file.finish()
          .compose(v -> vertx.fileSystem().move(file.path().toString(), file(transfer.id()).toString(),
              new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
          .onSuccess(v -> {
            long micros = Math.max(1, (System.nanoTime() - started) / 1_000);
            LOG.info("received the push of transfer {} from {}: {} bytes in {} ms ({} MB/s)", transfer.id(),
                transfer.counterPartyId(), body.received(), micros / 1_000, body.received() / micros);
          })
          // The provider hears of success once the receipt is in the audit log, so a crash cannot lose it.
          .compose(v -> receipts.record(transfer, new JsonObject().put("mode", "push").put("bytes", body.received())
              .put("sha256", HexFormat.of().formatHex(sha256)).put("complete", true)))
          .onSuccess(v -> {
            ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                .put("transfer", transfer.id()).put("bytes", body.received()).encode());
          })
          .onFailure(e -> {
            LOG.error("cannot keep the push of transfer {}: {}", transfer.id(), e.getMessage());
            file.discard();
            refuse(ctx, new Refusal(Refusal.Kind.CANNOT_STORE, "cannot_store", "the receiver cannot store the body: "
                + e.getMessage()));
          });
    }

    /** Drops the body: its temporary file is deleted; {@code refusal}, when given, is answered. */
    void abort(Refusal refusal, String why) {
      if (done) {
        return;
      }
      done = true;
      vertx.cancelTimer(timer);
      LOG.info("push of transfer {} from {} dropped after {} bytes: {}", transfer.id(), transfer.counterPartyId(),
          body.received(), why);
      file.discard();
      if (refusal != null) {
        refuse(ctx, refusal);
      }
    }
  }

  /**
   * Answers a refusal and closes the connection once it is sent: the sender may still be sending a
   * body this node will not read.
   */
  private static void refuse(RoutingContext ctx, Throwable e) {
    if (ctx.response().headWritten()) {
      ctx.request().connection().close();
      return;
    }
    ctx.response().putHeader("Connection", "close");
    // The server would otherwise wait for a body it will not read, and the sender for the end of its upload.
    ctx.response().endHandler(v -> ctx.request().connection().close());
    ctx.fail(e);
  }

  /** A body that failed a check, refused with its code: too large, or invalid. */
  static Refusal refusal(BodyRefused e) {
    return new Refusal(e.kind() == BodyRefused.Kind.BODY_TOO_LARGE ? Refusal.Kind.TOO_LARGE : Refusal.Kind.INVALID,
        e.code(), e.getMessage());
  }

  private static Refusal unknown(String pid) {
    return new Refusal(Refusal.Kind.NOT_FOUND, "not_found", "no push transfer '" + pid + "' is received by this node");
  }

  private static String bearer(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    return header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : header.trim();
  }
}
