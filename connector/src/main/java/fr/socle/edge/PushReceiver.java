package fr.socle.edge;

import fr.socle.dataplane.BodyRefused;
import fr.socle.dataplane.OrderedFileWriter;
import fr.socle.dataplane.ReceivedBody;
import fr.socle.dataplane.ReceivedFiles;
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
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.HexFormat;
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
 * {@code transfer_not_started}), the token is the one announced (401 {@code token_invalid}), the body's
 * head ({@link ReceivedBody}: 413 beyond {@code limits.maxReceivedBytes}), no other upload of the transfer
 * is in progress (409 {@code upload_in_progress}), and its announced length fits in the disk budget (507
 * {@code insufficient_storage}, see {@link ReceivedFiles}); then, as it arrives, the body's size, length
 * and digest, and for a chunked body the budget again.
 *
 * <p>The body goes to a temporary file under {@code <dataDir>/received/}, with back-pressure, and
 * becomes {@code <dataDir>/received/<transferId>} only once whole: synced to disk, then renamed over
 * any earlier copy (a push again replaces, never appends). A body cut, refused or silent for longer
 * than the idle timeout leaves nothing behind: its temporary file is deleted before the refusal is
 * answered and the transfer may be uploaded again. A disk that refuses a write is a 507
 * {@code cannot_store}.
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
  private final ReceivedFiles files;
  private final long maxBytes;
  private final long idleTimeoutMillis;

  /**
   * @param files where received bodies are kept ({@code <dataDir>/received}) and the disk they may take
   * @param maxBytes the largest body accepted ({@code limits.maxReceivedBytes})
   * @param idleTimeoutMillis the longest a sender may stay silent mid-body
   */
  public PushReceiver(Vertx vertx, PeerAuthenticator authenticator, TransferStore transfers, ReceivedFiles files,
      long maxBytes, long idleTimeoutMillis, Receipts receipts) {
    this.vertx = vertx;
    this.receipts = receipts;
    this.authenticator = authenticator;
    this.transfers = transfers;
    this.files = files;
    this.maxBytes = maxBytes;
    this.idleTimeoutMillis = idleTimeoutMillis;
  }

  public void mount(Router router) {
    router.put(DataAddresses.PUSH_ROUTE).handler(this::receive);
  }

  /** The received body of consumer transfer {@code id}; it exists once a push of it arrived whole. */
  public Path file(String id) {
    return files.file(id);
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
          return files.open().compose(v -> begin(ctx, t, body));
        })
        .onFailure(e -> refuse(ctx, e));
  }

  /**
   * Claims the transfer for this upload and its announced length in the disk budget, before any file
   * exists; then stores the body. Whatever fails before the body is under way ends the upload.
   */
  private Future<Void> begin(RoutingContext ctx, Transfer t, ReceivedBody body) {
    ReceivedFiles.Upload upload = files.begin(t.id());
    if (upload == null) {
      // Refused at once: the upload in progress keeps the transfer's file and its share of the budget.
      return Future.failedFuture(new Refusal(Refusal.Kind.CONFLICT, "upload_in_progress",
          "an upload of transfer " + t.id() + " is already in progress; send it again once that one has ended",
          "un envoi du transfert " + t.id() + " est déjà en cours ; renvoyez-le une fois celui-ci terminé"));
    }
    // A chunked body needs room for its first byte at least: with none left it is refused before it starts.
    long needed = body.announced() >= 0 ? body.announced() : 1;
    return upload.coverCounted(needed)
        .compose(fits -> {
          if (!fits) {
            LOG.warn("push of transfer {} from {} refused: {} bytes needed, {} of the {} bytes of"
                + " limits.maxReceivedDiskBytes in use", t.id(), t.counterPartyId(), needed, files.used(),
                files.maxBytes());
            return Future.failedFuture(noRoom(needed, body.announced() >= 0));
          }
          return store(ctx, t, body, upload);
        })
        .onFailure(e -> upload.end());
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
  private Future<Void> store(RoutingContext ctx, Transfer t, ReceivedBody body, ReceivedFiles.Upload upload) {
    HttpServerRequest request = ctx.request();
    return upload.writer()
        .recover(e -> Future.failedFuture(cannotStore(e)))
        .compose(file -> {
          Intake intake = new Intake(ctx, t, body, file, upload);
          file.failureHandler(e -> intake.abort(cannotStore(e), "the disk refused a write: " + e.getMessage()));
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
    private final ReceivedFiles.Upload upload;
    private final long started = System.nanoTime();
    private long timer = -1;
    private boolean done;

    Intake(RoutingContext ctx, Transfer transfer, ReceivedBody body, OrderedFileWriter file,
        ReceivedFiles.Upload upload) {
      this.ctx = ctx;
      this.transfer = transfer;
      this.body = body;
      this.file = file;
      this.upload = upload;
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
      // Within the announced length this is already reserved; a chunked body reserves as it grows.
      if (!upload.cover(body.received())) {
        StreamTuning.release(chunk);
        abort(noRoom(body.received(), false),
            "beyond limits.maxReceivedDiskBytes (" + files.used() + " of " + files.maxBytes() + " bytes in use)");
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
          .compose(v -> upload.keep())
          .onSuccess(v -> {
            long micros = Math.max(1, (System.nanoTime() - started) / 1_000);
            LOG.info("received the push of transfer {} from {}: {} bytes in {} ms ({} MB/s)", transfer.id(),
                transfer.counterPartyId(), body.received(), micros / 1_000, body.received() / micros);
          })
          // The provider hears of success once the receipt is in the audit log, so a crash cannot lose it.
          .compose(v -> receipts.record(transfer, new JsonObject().put("mode", "push").put("bytes", body.received())
              .put("sha256", HexFormat.of().formatHex(sha256)).put("complete", true)))
          .onSuccess(v -> {
            // Before the answer: a provider that hears it may push the transfer again at once.
            upload.end();
            ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                .put("transfer", transfer.id()).put("bytes", body.received()).encode());
          })
          .onFailure(e -> {
            LOG.error("cannot keep the push of transfer {}: {}", transfer.id(), e.getMessage());
            file.discard().onComplete(gone -> {
              upload.end();
              refuse(ctx, cannotStore(e));
            });
          });
    }

    /**
     * Drops the body: once its temporary file is deleted, the upload ends and {@code refusal}, when
     * given, is answered, so that a sender told of the refusal may send again at once.
     */
    void abort(Refusal refusal, String why) {
      if (done) {
        return;
      }
      done = true;
      vertx.cancelTimer(timer);
      // A full write queue paused the request, and no drain will resume it: what the sender still sends is
      // read and dropped, so that the connection is not reset under the answer before the sender reads it.
      ctx.request().resume();
      file.discard().onComplete(gone -> {
        if (gone.failed()) {
          LOG.warn("cannot delete {}: {}", file.path(), gone.cause().getMessage());
        }
        upload.end();
        LOG.info("push of transfer {} from {} dropped after {} bytes: {}", transfer.id(), transfer.counterPartyId(),
            body.received(), why);
        if (refusal != null) {
          refuse(ctx, refusal);
        }
      });
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

  /** The disk refused a write, or a file: the answer names the system's reason. */
  private static Refusal cannotStore(Throwable e) {
    return new Refusal(Refusal.Kind.CANNOT_STORE, "cannot_store", "the receiver cannot store the body: "
        + e.getMessage(), "le destinataire ne peut pas enregistrer le corps : " + e.getMessage());
  }

  /**
   * The body does not fit in the disk budget for received bodies. What the budget holds is left to
   * this node's log: it tells of other partners' transfers.
   */
  private static Refusal noRoom(long bytes, boolean announced) {
    return new Refusal(Refusal.Kind.CANNOT_STORE, "insufficient_storage", "this node has no room left for the body"
        + " (" + (announced ? bytes + " bytes announced" : "sent chunked, " + bytes + " bytes so far") + ") within"
        + " the disk space it keeps for received data (limits.maxReceivedDiskBytes); send it again once its"
        + " operator has made room",
        "ce nœud n'a plus de place pour le corps (" + (announced ? bytes + " octets annoncés"
        : "envoyé par morceaux, " + bytes + " octets jusqu'ici") + ") dans l'espace disque qu'il réserve aux"
        + " données reçues (limits.maxReceivedDiskBytes) ; renvoyez-le une fois que son exploitant aura fait de la place");
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
