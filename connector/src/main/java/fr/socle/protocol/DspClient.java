package fr.socle.protocol;

import fr.socle.policy.LocalizedText;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import java.util.function.Function;

/**
 * Calls partner nodes' DSP endpoints over mutually authenticated TLS. Every call is bounded in time
 * and in the size of the answer; a refusal carries the partner's status and error body so it can be
 * shown to the operator.
 *
 * <p>Every call names its callee's participant id: the node token on it is made for that callee
 * alone ({@code aud}), so a partner cannot reuse it against a third node, and the server reached must
 * prove it is that callee ({@link ServerIdentity}) before the request leaves.
 */
public final class DspClient {

  /** A partner answered, but not with success. */
  public static final class PeerRefused extends RuntimeException {
    /** A partner asking to wait longer than this is not taken at its word. */
    private static final long MAX_RETRY_AFTER_SECONDS = 3600;

    private final String uri;
    private final int status;
    private final String reason;
    private final String frenchReason;
    private final long retryAfterSeconds;

    PeerRefused(String uri, int status, String body) {
      this(uri, status, body, null);
    }

    /** @param retryAfter the partner's {@code Retry-After} header, or null */
    PeerRefused(String uri, int status, String body, String retryAfter) {
      super(uri + " answered " + status + ": " + body, null, false, false);
      this.uri = uri;
      this.status = status;
      this.reason = reasonOf(body);
      this.frenchReason = frenchOf(body);
      this.retryAfterSeconds = seconds(retryAfter);
    }

    public int status() {
      return status;
    }

    /** The address that answered. */
    public String uri() {
      return uri;
    }

    /** The partner's reason in French, when it gave one beside the English (a Socle partner does); else null. */
    public String frenchReason() {
      return frenchReason;
    }

    /**
     * The delay the partner asked for before a new attempt ({@code Retry-After} in seconds, capped at
     * an hour); -1 when it gave none, or as a date, which this node does not read.
     */
    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }

    /** Whether the partner is only unavailable for now (503), e.g. its policy engine could not decide. */
    public boolean unavailable() {
      return status == 503;
    }

    /**
     * Whether resending the message would get the same answer: a 4xx, except authentication
     * refusals and timeouts, which a reloaded CRL or a clock catching up may change.
     */
    public boolean definitive() {
      return status / 100 == 4 && status != 401 && status != 403 && status != 408;
    }

    /** {@code failure} when it is a {@link #definitive} refusal, else null. */
    public static PeerRefused definitiveIn(Throwable failure) {
      return failure instanceof PeerRefused refused && refused.definitive() ? refused : null;
    }

    /** The partner's own words: the {@code reason} of a DSP error body, else the body as it came. */
    public String reason() {
      return reason;
    }

    private static String frenchOf(String body) {
      try {
        return LocalizedText.frenchIn(new JsonObject(body));
      } catch (DecodeException | ClassCastException | NullPointerException e) {
        return null;
      }
    }

    private static long seconds(String retryAfter) {
      if (retryAfter == null || !retryAfter.trim().matches("\\d{1,9}")) {
        return -1;
      }
      return Math.min(MAX_RETRY_AFTER_SECONDS, Long.parseLong(retryAfter.trim()));
    }

    private static String reasonOf(String body) {
      try {
        Object reason = new JsonObject(body).getValue("reason");
        if (reason instanceof JsonArray list && !list.isEmpty() && list.getValue(0) instanceof String first) {
          return first;
        }
        return reason instanceof String text ? text : body;
      } catch (DecodeException e) {
        return body;
      }
    }
  }

  /** The server reached at a partner's address is not that partner. */
  public static final class WrongServer extends RuntimeException {
    public WrongServer(String message) {
      super(message, null, false, false);
    }
  }

  /** Enough for any DSP message or catalog page; a larger answer is refused, not buffered. */
  static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;
  /** With the provider's 100 datasets a page, ten thousand datasets. */
  static final int MAX_CATALOG_PAGES = 100;

  private final HttpClientAgent http;
  private final long timeoutMillis;
  private final Function<String, String> tokenFor;
  private final ServerIdentity serverIdentity;

  /**
   * @param tokenFor the {@code Authorization} token for a callee's participant id; a null token
   *                 sends no header (conformance runs against partners that use none)
   */
  public DspClient(Vertx vertx, HttpClientOptions tls, long timeoutMillis, Function<String, String> tokenFor,
      ServerIdentity serverIdentity) {
    this.http = vertx.createHttpClient(new HttpClientOptions(tls).setConnectTimeout((int) timeoutMillis));
    this.timeoutMillis = timeoutMillis;
    this.tokenFor = tokenFor;
    this.serverIdentity = serverIdentity;
  }

  /**
   * Replaces the TLS options of new connections, e.g. with a new CRL; pooled connections keep theirs
   * until they close.
   */
  public Future<Boolean> updateTls(ClientSSLOptions options) {
    return http.updateSSLOptions(options, true);
  }

  /**
   * POSTs a DSP message to {@code callee}; succeeds with the partner's JSON answer, or an empty object
   * for no body.
   */
  public Future<JsonObject> post(String base, String path, String callee, JsonObject message) {
    return call(HttpMethod.POST, join(base, path), callee, message.toBuffer()).map(Answer::body);
  }

  public Future<JsonObject> get(String base, String path, String callee) {
    return call(HttpMethod.GET, join(base, path), callee, null).map(Answer::body);
  }

  /**
   * The partner's whole catalog: its first page and every page its {@code Link: rel="next"} headers
   * lead to (DSP 2025-1 pagination), merged into one catalog. Links leaving the partner's address are
   * not followed, and at most {@link #MAX_CATALOG_PAGES} pages are read.
   */
  public Future<JsonObject> catalog(String base, String callee, JsonObject request) {
    String first = join(base, "/catalog/request");
    return call(HttpMethod.POST, first, callee, request.toBuffer())
        .compose(answer -> morePages(first, callee, request, answer, answer.body(), 1));
  }

  private Future<JsonObject> morePages(String first, String callee, JsonObject request, Answer page,
      JsonObject merged, int pages) {
    String next = CatalogPages.next(first, page.link());
    if (next == null) {
      return Future.succeededFuture(merged);
    }
    if (pages >= MAX_CATALOG_PAGES) {
      return Future.failedFuture(new PeerRefused(first, 200, "catalog longer than " + MAX_CATALOG_PAGES
          + " pages, abandoned"));
    }
    return call(HttpMethod.POST, next, callee, request.toBuffer())
        .compose(answer -> morePages(first, callee, request, answer, CatalogPages.merge(merged, answer.body()),
            pages + 1));
  }

  /** A successful answer: its JSON body and its {@code Link} header, if any. */
  private record Answer(JsonObject body, String link) {
  }

  private Future<Answer> call(HttpMethod method, String uri, String callee, Buffer body) {
    RequestOptions options;
    String token;
    try {
      options = new RequestOptions().setMethod(method).setAbsoluteURI(uri).setIdleTimeout(timeoutMillis);
      // Signed per call: each token is single-use at the callee (jti), so none can be cached here.
      token = tokenFor.apply(callee);
    } catch (IllegalArgumentException e) {
      // a malformed address or no callee id: reported on the call's future like any other failure
      return Future.failedFuture(e);
    }
    return http.request(options).compose(request -> {
      try {
        serverIdentity.check(callee, request.connection());
      } catch (WrongServer e) {
        abandon(request);
        return Future.failedFuture(e);
      }
      if (token != null) {
        request.putHeader(TokenAuthenticator.DSP_HEADER, "Bearer " + token);
      }
      if (body == null) {
        return request.send();
      }
      request.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      return request.send(body);
    }).compose(response -> read(uri, response));
  }

  private static Future<Answer> read(String uri, HttpClientResponse response) {
    return bounded(uri, response).compose(body -> {
      if (response.statusCode() / 100 != 2) {
        return Future.failedFuture(new PeerRefused(uri, response.statusCode(), body.toString(),
            response.getHeader("Retry-After")));
      }
      String link = response.getHeader("Link");
      if (body.length() == 0) {
        return Future.succeededFuture(new Answer(new JsonObject(), link));
      }
      try {
        return Future.succeededFuture(new Answer(body.toJsonObject(), link));
      } catch (DecodeException | ClassCastException e) {
        return Future.failedFuture(new PeerRefused(uri, response.statusCode(), "answer is not a JSON object"));
      }
    });
  }

  /**
   * Resets {@code request}, whose failure the call's future already reports: without a handler of
   * its own, Vert.x would log the reset as an error with no context ("Stream reset: 0").
   */
  public static void abandon(HttpClientRequest request) {
    request.exceptionHandler(ignored -> { });
    request.reset();
  }

  /** The answer's body, or a failure as soon as it grows past {@link #MAX_ANSWER_BYTES}. */
  private static Future<Buffer> bounded(String uri, HttpClientResponse response) {
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    response.handler(chunk -> {
      if (body.length() + chunk.length() > MAX_ANSWER_BYTES) {
        abandon(response.request());
        promise.tryFail(new PeerRefused(uri, response.statusCode(),
            "answer larger than " + MAX_ANSWER_BYTES + " bytes, abandoned"));
        return;
      }
      body.appendBuffer(chunk);
    });
    response.exceptionHandler(promise::tryFail);
    response.endHandler(v -> promise.tryComplete(body));
    return promise.future();
  }

  static String join(String base, String path) {
    return base.endsWith("/") ? base.substring(0, base.length() - 1) + path : base + path;
  }
}
