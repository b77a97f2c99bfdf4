package fr.socle.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay of an HTTP body against a server that closes its connection right after the body, as
 * HTTP/1.0 servers do, while the destination holds the relay paused.
 */
class BodyRelayTest {

  private static final int BODY = 32 * 1024 * 1024;

  private Vertx vertx;
  private HttpClient client;
  private ServerSocket server;

  @BeforeEach
  void start() throws IOException {
    vertx = Vertx.vertx();
    client = vertx.createHttpClient(StreamTuning.bulk(new HttpClientOptions()));
    server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void wholeBodyArrivesThoughTheServerClosedWhileTheRelayWasPaused() throws Exception {
    byte[] body = randomBytes(BODY);
    serveOnce(body, body.length);
    SlowSink sink = new SlowSink();
    Future<Void> relayed = open().compose(response -> {
      // Full after every chunk and released a moment later: the relay pauses and resumes all along,
      // so it is most likely paused when the server closes.
      long timer = vertx.setPeriodic(1, t -> sink.release());
      return BodyRelay.relay(vertx, response, sink, 2_000).onComplete(ar -> vertx.cancelTimer(timer));
    });

    relayed.await(20, TimeUnit.SECONDS);
    assertThat(sink.ended).isTrue();
    assertThat(sink.received.getBytes()).isEqualTo(body);
  }

  @Test
  void aBodyCutShortFailsAndTheDestinationIsNotEnded() throws Exception {
    byte[] body = randomBytes(BODY);
    serveOnce(body, body.length / 2);
    SlowSink sink = new SlowSink();
    Future<Void> relayed = open().compose(response -> {
      long timer = vertx.setPeriodic(1, t -> sink.release());
      return BodyRelay.relay(vertx, response, sink, 1_000).onComplete(ar -> vertx.cancelTimer(timer));
    });

    assertThatThrownBy(() -> relayed.await(20, TimeUnit.SECONDS)).hasMessageContaining("closed");
    assertThat(sink.ended).isFalse();
    assertThat(sink.received.length()).isLessThan(body.length);
  }

  private Future<HttpClientResponse> open() {
    return client.request(HttpMethod.GET, server.getLocalPort(), "127.0.0.1", "/data")
        .compose(request -> request.send()).map(response -> {
          response.pause();
          return response;
        });
  }

  /** Answers one request in HTTP/1.0 style: announces {@code body}, sends {@code sent} bytes of it, closes. */
  private void serveOnce(byte[] body, int sent) {
    Thread thread = new Thread(() -> {
      try (Socket socket = server.accept()) {
        InputStream in = socket.getInputStream();
        int matched = 0;
        while (matched < 4) {
          int b = in.read();
          if (b < 0) {
            return;
          }
          matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + body.length
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body, 0, sent);
        out.flush();
        socket.shutdownOutput();
      } catch (IOException e) {
        // The test's assertions tell what went wrong.
      }
    }, "closing-server");
    thread.setDaemon(true);
    thread.start();
  }

  private static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  /** A destination that reports itself full until released, which keeps the relay paused. */
  private static final class SlowSink implements WriteStream<Buffer> {
    private final Buffer received = Buffer.buffer();
    private volatile boolean full = true;
    private volatile Handler<Void> drain;
    private volatile boolean ended;

    void release() {
      full = false;
      Handler<Void> handler = drain;
      if (handler != null) {
        handler.handle(null);
      }
    }

    @Override
    public synchronized Future<Void> write(Buffer data) {
      received.appendBuffer(data);
      full = true;
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      ended = true;
      return Future.succeededFuture();
    }

    @Override
    public boolean writeQueueFull() {
      return full;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      drain = handler;
      return this;
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }
  }
}
