package fr.socle.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The two endpoints through which the TCK asks the connector under test to start a negotiation or a
 * transfer as a consumer. The kit's request names the provider, the dataset and offer (or the
 * agreement); each endpoint turns it into a call of the node's own management API, exactly as an
 * operator would start one.
 */
final class TckInitiator implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String managementUrl;
  private final String apiKey;

  private TckInitiator(HttpServer server, String managementUrl, String apiKey) {
    this.server = server;
    this.managementUrl = managementUrl;
    this.apiKey = apiKey;
  }

  static TckInitiator start(int port, String managementUrl, String apiKey) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    TckInitiator initiator = new TckInitiator(server, managementUrl, apiKey);
    server.createContext("/tck/negotiations/requests", initiator::negotiation);
    server.createContext("/tck/transfers/requests", initiator::transfer);
    server.setExecutor(initiator.executor);
    server.start();
    return initiator;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/tck";
  }

  /** {@code {providerId, offerId, datasetId, connectorAddress}}: the offer as the kit's catalog would show it. */
  private void negotiation(HttpExchange exchange) throws IOException {
    JsonObject request = body(exchange);
    JsonObject offer = new JsonObject().put("@id", request.getString("offerId")).put("@type", "Offer")
        .put("assigner", request.getString("providerId"))
        .put("permission", new JsonArray().add(new JsonObject().put("action", "use")));
    forward(exchange, "/api/negotiations", new JsonObject().put("counterPartyId", request.getString("providerId"))
        .put("counterPartyAddress", request.getString("connectorAddress")).put("offer", offer)
        .put("datasetId", request.getString("datasetId")));
  }

  /** {@code {providerId, agreementId, format, connectorAddress}}. */
  private void transfer(HttpExchange exchange) throws IOException {
    JsonObject request = body(exchange);
    forward(exchange, "/api/transfers", new JsonObject().put("agreementId", request.getString("agreementId"))
        .put("format", request.getString("format")));
  }

  private void forward(HttpExchange exchange, String path, JsonObject body) throws IOException {
    int status;
    byte[] answer;
    try {
      HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(managementUrl + path))
          .header("Content-Type", "application/json").header("X-Api-Key", apiKey)
          .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      status = response.statusCode();
      answer = response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = 503;
      answer = "interrupted".getBytes(StandardCharsets.UTF_8);
    }
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
    if (answer.length > 0) {
      exchange.getResponseBody().write(answer);
    }
    exchange.close();
  }

  private static JsonObject body(HttpExchange exchange) throws IOException {
    return new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
