package fr.socle.transfer;

import fr.socle.catalog.Asset;
import fr.socle.dataplane.DataSink;
import fr.socle.dataplane.StreamTuning;
import fr.socle.policy.LocalizedText;
import fr.socle.protocol.DspClient;
import fr.socle.protocol.Refusal;
import fr.socle.protocol.ServerIdentity;
import fr.socle.protocol.TokenAuthenticator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.streams.WriteStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's side of {@code HttpData-PUSH}: streams a started transfer's asset, whole, in one
 * {@code PUT} to the destination the consumer gave, with the consumer's token in
 * {@code Authorization} and this node's token in {@value TokenAuthenticator#DATA_PLANE_HEADER}, as a
 * pull carries them the other way ({@link DataFetcher}).
 *
 * <p>A push is a data access like a pull ({@link DataAccess}): one of the consumer's stream slots
 * while it runs and the policy engine's {@code access} decision (usage count, revocation) first, and
 * one {@code DATA_ACCESS} audit entry per attempt with the bytes sent and whether the destination
 * took the body whole.
 *
 * <p>SSRF: the destination is named by the consumer, so it is reached only over the federation's
 * mutual TLS, and only when the server's certificate names the transfer's consumer
 * ({@link ServerIdentity}); the request and both tokens leave only after that check. A consumer can
 * therefore send its provider's data only to itself (or another server holding its own certificate).
 *
 * <p>The push is idempotent (a receiver replaces what it had), so a push cut by a crash or a
 * suspension is simply pushed again from the start. One push per transfer at a time: a second call
 * while one runs gets the first one's outcome. {@link #cut} resets a push in progress at once when
 * its transfer leaves STARTED.
 */
public final class Pusher {

  private static final Logger LOG = LoggerFactory.getLogger(Pusher.class);
  /** Enough of a refusal's body to quote its reason; the rest is not read. */
  private static final int MAX_REFUSAL_CHARS = 2048;
  /** How long a push waits for the receiver's {@code 100 Continue} before it sends the body anyway. */
  private static final long CONTINUE_WAIT_MILLIS = 2_000;
  private static final List<String> SENT_HEADERS = List.of("Content-Type", "Content-Length", "Repr-Digest");

  /** Why a push did not deliver, for the termination sent to the consumer: in English and, when known, French. */
  public static final class PushFailed extends RuntimeException {

    private final String french;

    PushFailed(String message, String french) {
      super(message, null, false, false);
      this.french = french;
    }

    /** The reason in French, or null. */
    public String french() {
      return french;
    }
  }

  /** The consumer already uses all its stream slots: the push is to be tried again later, not given up. */
  public static final class Busy extends RuntimeException {

    Busy(String message) {
      super(message, null, false, false);
    }
  }

  /** How long a broken push waits for the destination's answer, which may explain the break. */
  private static final long ANSWER_AFTER_BREAK_MILLIS = 2_000;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final long timeoutMillis;
  private final Function<String, String> tokenFor;
  private final ServerIdentity serverIdentity;
  private final DataAccess access;
  private final Map<String, Attempt> running = new ConcurrentHashMap<>();

  /**
   * @param tls the federation's client TLS options (as for DSP calls and pulls)
   * @param timeoutMillis connect timeout, and the longest the destination may stay silent (idle)
   * @param tokenFor this node's token for a participant id; null sends none
   */
  public Pusher(Vertx vertx, HttpClientOptions tls, long timeoutMillis, Function<String, String> tokenFor,
      ServerIdentity serverIdentity, DataAccess access) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient(StreamTuning.bulk(tls).setIdleTimeout((int) Math.max(1,
        timeoutMillis / 1000)));
    this.timeoutMillis = timeoutMillis;
    this.tokenFor = tokenFor;
    this.serverIdentity = serverIdentity;
    this.access = access;
  }

  /** Replaces the TLS options of new connections, e.g. with a new CRL. */
  public Future<Boolean> updateTls(ClientSSLOptions options) {
    return client.updateSSLOptions(options, true);
  }

  /**
   * Pushes the asset of {@code t}, a STARTED provider transfer in {@code HttpData-PUSH}. Succeeds when
   * the destination acknowledged the whole body (2xx); fails with {@link PushFailed} (the reason to
   * give the consumer) or {@link Busy}.
   */
  public Future<Void> push(Transfer t) {
    Attempt current = running.get(t.id());
    if (current != null) {
      return current.outcome;
    }
    Attempt attempt = new Attempt(t);
    running.put(t.id(), attempt);
    attempt.outcome = run(attempt).recover(e -> {
      if (e instanceof PushFailed || e instanceof Busy) {
        return Future.failedFuture(e);
      }
      LOG.warn("push of transfer {} failed unexpectedly", t.id(), e);
      // A fault of this node: its own words stay in its log (see DataAccess.sourceFailed).
      return Future.failedFuture(new PushFailed("the push of transfer " + t.id() + " failed on the provider's side;"
          + " its operator finds why in its log", "l'envoi du transfert " + t.id() + " a échoué chez le fournisseur ;"
          + " son opérateur en trouve la cause dans le journal du nœud"));
    }).eventually(() -> {
      running.remove(t.id(), attempt);
      return Future.succeededFuture();
    });
    return attempt.outcome;
  }

  /** Resets the push in progress for transfer {@code id}, if any; called when the transfer leaves STARTED. */
  public void cut(String id, String why) {
    Attempt attempt = running.get(id);
    if (attempt != null) {
      LOG.info("cutting the push of transfer {}: {}", id, why);
      attempt.cut(why);
    }
  }

  private Future<Void> run(Attempt attempt) {
    Transfer t = attempt.transfer;
    PushDestination destination;
    try {
      destination = PushDestination.parse(t.destination());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new PushFailed("the push destination cannot be used: " + e.getMessage(), null));
    } catch (Refusal e) {
      // Its token did not decrypt (Transfer#destination): never used, and the consumer reads why.
      return Future.failedFuture(new PushFailed(e.getMessage(), e.frenchMessage()));
    }
    return access.authorize(t)
        .recover(e -> Future.failedFuture(e instanceof Refusal d ? refused(d) : e))
        .compose(asset -> send(attempt, destination, asset).eventually(() -> {
          access.release(t.counterPartyId());
          return Future.succeededFuture();
        }));
  }

  /**
   * A refused access: the policy's refusal ends the push; the consumer's stream slots all taken, or
   * too many accesses at once under the agreement, only delay it.
   */
  private static RuntimeException refused(Refusal d) {
    return switch (d.kind()) {
      case FORBIDDEN -> new PushFailed(d.getMessage(), d.frenchMessage());
      case TOO_MANY -> new Busy(d.getMessage());
      default -> d;
    };
  }

  private Future<Void> send(Attempt attempt, PushDestination destination, Asset asset) {
    Transfer t = attempt.transfer;
    PushSink sink = new PushSink(attempt, destination);
    // A cut ends the push at once, even while the source is silent (the pipe would notice only at its next write).
    Promise<Void> streamed = Promise.promise();
    attempt.onCut = streamed::tryFail;
    if (attempt.cutReason != null) {
      streamed.tryFail(new PushFailed("the push was cut: " + attempt.cutReason, null));
    }
    access.stream(asset, null, sink)
        .onComplete(r -> {
          if (r.succeeded()) {
            streamed.tryComplete();
          } else {
            streamed.tryFail(r.cause());
          }
        });
    return streamed.future()
        .transform(outcome -> {
          if (outcome.failed()) {
            Future<HttpClientResponse> early = sink.request == null ? null : sink.request.response();
            if (attempt.cutReason != null || early == null) {
              sink.reset();
              return Future.failedFuture(failure(attempt, sink, asset, outcome.cause()));
            }
            // The destination may have refused before the body was through, and closed: its answer can
            // reach this side just after the broken write does. Its reason is the one to give.
            return answerWithin(early, ANSWER_AFTER_BREAK_MILLIS).transform(answer -> {
              if (answer.succeeded() && answer.result().statusCode() / 100 != 2) {
                return sink.answered.eventually(() -> {
                  sink.reset();
                  return Future.succeededFuture();
                });
              }
              sink.reset();
              return Future.failedFuture(failure(attempt, sink, asset, outcome.cause()));
            });
          }
          return sink.answered.recover(e -> Future.failedFuture(e instanceof PushFailed ? e
              : new PushFailed("the destination " + destination.endpoint() + " did not answer: " + e.getMessage(),
                  null)));
        })
        // Recorded before the transfer moves on (completed or terminated), like every data access.
        .transform(done -> {
          JsonObject details = new JsonObject().put("destination", destination.endpoint())
              .put("status", sink.status()).put("bytes", sink.bytes()).put("complete", done.succeeded());
          // What failed in its own words, source or destination: the operator's record, not the consumer's.
          String error = sink.error != null ? sink.error : done.failed() ? DataAccess.detail(done.cause()) : null;
          if (error != null) {
            details.put("error", error);
          }
          return access.record(t, t.counterPartyId(), asset, "push", details)
              .transform(v -> done.succeeded() ? Future.succeededFuture() : Future.failedFuture(done.cause()));
        });
  }

  /** {@code response}, or a failure when it has not come within {@code millis}. */
  private Future<HttpClientResponse> answerWithin(Future<HttpClientResponse> response, long millis) {
    if (response.isComplete()) {
      return response;
    }
    Promise<HttpClientResponse> bounded = Promise.promise();
    long timer = vertx.setTimer(millis, t -> bounded.tryFail("no answer within " + millis + " ms"));
    response.onComplete(done -> {
      vertx.cancelTimer(timer);
      if (done.succeeded()) {
        bounded.tryComplete(done.result());
      } else {
        bounded.tryFail(done.cause());
      }
    });
    return bounded.future();
  }

  /**
   * 2xx: delivered. Anything else is the destination's refusal, its reason quoted (bounded). Called
   * as the response arrives, so that no byte of its body is missed.
   */
  private static Future<Void> judge(HttpClientResponse response) {
    response.exceptionHandler(e -> LOG.debug("push response: {}", e.toString()));
    if (response.statusCode() / 100 == 2) {
      return response.end();
    }
    Buffer quoted = Buffer.buffer();
    response.handler(chunk -> {
      if (quoted.length() < MAX_REFUSAL_CHARS) {
        quoted.appendBuffer(chunk.length() > MAX_REFUSAL_CHARS ? chunk.slice(0, MAX_REFUSAL_CHARS) : chunk);
      }
    });
    return response.end().otherwiseEmpty().compose(v -> {
      String body = quoted.toString();
      return Future.failedFuture(new PushFailed("the destination refused the push with HTTP " + response.statusCode()
          + ": " + (body.length() > MAX_REFUSAL_CHARS ? body.substring(0, MAX_REFUSAL_CHARS) : body),
          "la destination a refusé l'envoi (HTTP " + response.statusCode() + ")"));
    });
  }

  /**
   * The reason the consumer reads for a push that did not go through. What the destination did is the
   * consumer's own business and quoted; what the source did never is (see {@link
   * DataAccess#sourceFailed}), nor is a failure once the body flows, which may be either's.
   */
  private Throwable failure(Attempt attempt, PushSink sink, Asset asset, Throwable cause) {
    sink.error = DataAccess.detail(cause);
    if (attempt.cutReason != null) {
      return new PushFailed("the push was cut: " + attempt.cutReason, null);
    }
    if (cause instanceof PushFailed) {
      return cause;
    }
    if (cause instanceof DspClient.WrongServer) {
      return new PushFailed("push refused by this provider: " + cause.getMessage(), null);
    }
    if (!sink.asked) {
      // The source failed before the destination was even asked.
      LocalizedText reason = access.sourceFailed(attempt.transfer, asset, cause);
      return new PushFailed(reason.en(), reason.fr());
    }
    if (!(cause instanceof io.vertx.core.VertxException) && !(cause instanceof java.io.IOException)) {
      LOG.warn("push of transfer {} failed unexpectedly", attempt.transfer.id(), cause);
    }
    if (sink.opened()) {
      LOG.info("push of transfer {} broke after {} bytes: {}", attempt.transfer.id(), sink.bytes(), sink.error);
      return new PushFailed("the push of transfer " + attempt.transfer.id() + " broke after " + sink.bytes()
          + " bytes; the provider's operator finds why in its log and audit trail", "l'envoi du transfert "
          + attempt.transfer.id() + " s'est interrompu après " + sink.bytes() + " octets ; l'opérateur du"
          + " fournisseur en trouve la cause dans le journal du nœud et dans son journal d'audit");
    }
    return new PushFailed("the destination cannot be reached: " + sink.error, null);
  }

  /** One push in progress: what {@link #cut} needs to stop it. Touched on the node's event loop. */
  private static final class Attempt {

    final Transfer transfer;
    Future<Void> outcome;
    volatile String cutReason;
    volatile HttpClientRequest request;

    Attempt(Transfer transfer) {
      this.transfer = transfer;
    }

    volatile java.util.function.Consumer<Throwable> onCut;

    void cut(String why) {
      cutReason = why;
      HttpClientRequest r = request;
      if (r != null) {
        r.reset();
      }
      java.util.function.Consumer<Throwable> c = onCut;
      if (c != null) {
        c.accept(new PushFailed("the push was cut: " + why, null));
      }
    }
  }

  /** The push's request as a {@link DataSink}, counting the body bytes it takes. */
  private final class PushSink implements DataSink, WriteStream<Buffer> {

    private final Attempt attempt;
    private final PushDestination destination;
    private HttpClientRequest request;
    private Future<Void> answered;
    private long bytes;
    /** Whether the destination was asked at all: a failure before that is the source's. */
    private boolean asked;
    /** Why the push failed, in its own words, for the audit entry; null while it has not. */
    private String error;

    PushSink(Attempt attempt, PushDestination destination) {
      this.attempt = attempt;
      this.destination = destination;
    }

    @Override
    public Future<WriteStream<Buffer>> open(int status, MultiMap headers) {
      asked = true;
      String consumer = attempt.transfer.counterPartyId();
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.PUT).setAbsoluteURI(destination.endpoint())
          .putHeader("Authorization", "Bearer " + destination.token()).setConnectTimeout(timeoutMillis)
          .setIdleTimeout(timeoutMillis);
      for (String name : SENT_HEADERS) {
        if (headers.get(name) != null) {
          options.putHeader(name, headers.get(name));
        }
      }
      String nodeToken;
      try {
        nodeToken = tokenFor.apply(consumer);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(e);
      }
      if (nodeToken != null) {
        options.putHeader(TokenAuthenticator.DATA_PLANE_HEADER, nodeToken);
      }
      return client.request(options).compose(r -> {
        // Failures reach the pipe and the response future; without a handler Vert.x would log each one as an error.
        r.exceptionHandler(e -> LOG.debug("push request: {}", e.toString()));
        // Before anything leaves: the server must be the consumer (see the class comment on SSRF).
        try {
          serverIdentity.check(consumer, r.connection());
        } catch (DspClient.WrongServer e) {
          r.reset();
          return Future.failedFuture(e);
        }
        if (attempt.cutReason != null) {
          r.reset();
          return Future.failedFuture(new PushFailed("the push was cut: " + attempt.cutReason, null));
        }
        request = r;
        attempt.request = r;
        answered = r.response().compose(Pusher::judge);
        r.setChunked(!headers.contains("Content-Length"));
        r.setWriteQueueMaxSize(StreamTuning.WRITE_QUEUE_BYTES);
        // The receiver checks the head first (caller, token, state, size): a refusal then costs no body,
        // and is read as an answer rather than lost in a connection closed mid-upload.
        r.putHeader("Expect", "100-continue");
        Promise<WriteStream<Buffer>> go = Promise.promise();
        r.continueHandler(v -> go.tryComplete(this));
        r.response().onComplete(answer -> go.tryFail(answer.succeeded()
            ? new IllegalStateException("the destination answered " + answer.result().statusCode()
                + " before the body was sent")
            : answer.cause()));
        // A receiver that ignores the expectation gets the body anyway after a while (RFC 9110 §10.1.1).
        long timer = vertx.setTimer(CONTINUE_WAIT_MILLIS, t -> go.tryComplete(this));
        return r.sendHead().compose(v -> go.future()).andThen(done -> vertx.cancelTimer(timer));
      });
    }

    @Override
    public boolean opened() {
      return request != null;
    }

    @Override
    public void reset() {
      if (request != null) {
        request.reset();
      }
    }

    long bytes() {
      return bytes;
    }

    Integer status() {
      Future<HttpClientResponse> response = request == null ? null : request.response();
      return response != null && response.succeeded() ? response.result().statusCode() : null;
    }

    @Override
    public Future<Void> write(Buffer data) {
      bytes += data.length();
      return request.write(data);
    }

    @Override
    public Future<Void> end() {
      return request.end();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      request.exceptionHandler(handler);
      return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      request.setWriteQueueMaxSize(maxSize);
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return request.writeQueueFull();
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      request.drainHandler(handler);
      return this;
    }
  }
}
