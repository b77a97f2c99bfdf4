package fr.socle.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server holds no more connections than its bound: a new one beyond is closed, the others served. */
class ConnectionsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aConnectionBeyondTheBoundIsClosedAndTheOthersAreServed() throws Exception {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    AtomicInteger open = Connections.cap(server, 2, "test server");
    server.requestHandler(request -> request.response().end("ok"));
    int port = server.listen().await().actualPort();

    List<Socket> kept = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Socket socket = new Socket("127.0.0.1", port);
        kept.add(socket);
        assertThat(exchange(socket)).startsWith("HTTP/1.1 200");
      }
      assertThat(open.get()).isEqualTo(2);
      try (Socket beyond = new Socket("127.0.0.1", port)) {
        assertThat(exchange(beyond)).as("the third connection gets no answer").isEmpty();
      }
      assertThat(open.get()).isEqualTo(2);
      kept.remove(0).close();
      // The count follows closes: a new connection is served again once one went away.
      long until = System.nanoTime() + 5_000_000_000L;
      while (open.get() > 1 && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      try (Socket again = new Socket("127.0.0.1", port)) {
        assertThat(exchange(again)).startsWith("HTTP/1.1 200");
      }
    } finally {
      for (Socket socket : kept) {
        socket.close();
      }
    }
  }

  /** Sends one GET and reads what comes back until the response ends or the server closes. */
  private static String exchange(Socket socket) throws Exception {
    socket.setSoTimeout(5_000);
    OutputStream out = socket.getOutputStream();
    try {
      out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (java.io.IOException closed) {
      return "";
    }
    InputStream in = socket.getInputStream();
    StringBuilder answer = new StringBuilder();
    byte[] buffer = new byte[1024];
    try {
      int n;
      while ((n = in.read(buffer)) > 0) {
        answer.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        if (answer.toString().endsWith("ok")) {
          break;
        }
      }
    } catch (java.net.SocketException reset) {
      // closed by the server
    }
    return answer.toString();
  }
}
