package fr.socle.policy;

import fr.socle.testing.OpaServer;
import fr.socle.testing.Paths;
import fr.socle.testing.PolicyBundles;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decisions per second and latency through the node's OPA client ({@link PolicyEngine}) against raw
 * HTTP calls to the same OPA, in one run: same signed bundle, same input, same number of requests in
 * flight. Rounds alternate (raw, engine, raw, ...) after one warm-up round of each, so drift of the
 * machine affects both sides alike. Prints every round, the medians and the ratios engine / raw.
 * Not a test: it asserts nothing. Run by {@code launchers/bench-policy.sh}, or after
 * {@code mvn package -DskipTests}:
 *
 * <pre>
 * java -cp 'connector/target/test-classes:connector/target/classes:connector/target/lib/*' \
 *   -Dsocle.root=. fr.socle.policy.PolicyBenchmark [requests per round] [in flight] [rounds]
 * </pre>
 *
 * <p>The raw side is Vert.x's plain HTTP client with a pool as large as the concurrency: it posts the
 * same JSON bytes (encoded once) to the same URL, with {@code ?provenance=true} as the engine asks, and
 * reads the body without interpreting it. The engine side does what a node does per decision: encode the
 * input, post, parse OPA's answer, check the bundle revision, build the {@link Decision}.
 */
public final class PolicyBenchmark {

  private PolicyBenchmark() {
  }

  /** One round's figures: decisions per second, and latency percentiles in microseconds. */
  record Round(double perSecond, long p50Micros, long p99Micros, int failures) {
  }

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Path work = Files.createTempDirectory("policy-bench");
    try (OpaServer opa = OpaServer.start(work.resolve("opa.log"))) {
      Vertx vertx = Vertx.vertx();
      try {
        run(vertx, opa, requests, inFlight, rounds);
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void run(Vertx vertx, OpaServer opa, int requests, int inFlight, int rounds) throws Exception {
    String revision = PolicyBundles.canonical().revision();
    PolicyEngine engine = new PolicyEngine(vertx, URI.create(opa.url()), 5_000, revision);
    DecisionInputs inputs = new DecisionInputs(Clock.systemUTC(),
        ParticipantDirectory.load(Paths.certs().resolve("federation.json")), "NTRFR-239900038");
    // A territory restriction the Corsican commune of certs-dev satisfies: an allowed negotiation.
    JsonObject policy = new JsonObject().put("@type", "Offer").put("@id", "urn:bench:offer").put("permission",
        new JsonArray().add(new JsonObject().put("action", "use").put("constraint", new JsonArray().add(
            new JsonObject().put("leftOperand", "socle:territory").put("operator", "isPartOf")
                .put("rightOperand", "INSEE-REG:94")))));
    JsonObject input = inputs.build(Scope.NEGOTIATION, "NTRFR-219900016", "asset-1", "public", policy, null, 0);
    Decision check = engine.decide(Scope.NEGOTIATION, input).await(10, TimeUnit.SECONDS);
    if (!check.allow()) {
      throw new IllegalStateException("the benchmark decision should be allowed: " + check.summary());
    }

    HttpClient raw = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(inFlight));
    Buffer body = new JsonObject().put("input", input).toBuffer();
    RequestOptions target = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(opa.port())
        .setURI("/v1/data/socle/decision/negotiation?provenance=true").putHeader("Content-Type", "application/json");
    Call rawCall = () -> raw.request(target).compose(req -> req.send(body)).compose(resp -> resp.body().map(b -> {
      if (resp.statusCode() != 200) {
        throw new IllegalStateException("OPA answered " + resp.statusCode());
      }
      return true;
    }));
    Call engineCall = () -> engine.decide(Scope.NEGOTIATION, input).map(Decision::allow);

    System.out.printf(Locale.ROOT, "policy decision benchmark: OPA %s, bundle %s, %d requests per round, %d in "
        + "flight, %d rounds (+1 warm-up each)%n", opa.url(), revision, requests, inFlight, rounds);
    round(vertx, rawCall, requests, inFlight);
    round(vertx, engineCall, requests, inFlight);
    List<Round> rawRounds = new ArrayList<>();
    List<Round> engineRounds = new ArrayList<>();
    for (int i = 1; i <= rounds; i++) {
      Round r = round(vertx, rawCall, requests, inFlight);
      Round e = round(vertx, engineCall, requests, inFlight);
      rawRounds.add(r);
      engineRounds.add(e);
      System.out.printf(Locale.ROOT, "round %d  raw    %8.0f decisions/s  p50 %6d us  p99 %6d us  failures %d%n",
          i, r.perSecond(), r.p50Micros(), r.p99Micros(), r.failures());
      System.out.printf(Locale.ROOT, "round %d  engine %8.0f decisions/s  p50 %6d us  p99 %6d us  failures %d%n",
          i, e.perSecond(), e.p50Micros(), e.p99Micros(), e.failures());
    }
    double rawRate = median(rawRounds.stream().mapToDouble(Round::perSecond).toArray());
    double engineRate = median(engineRounds.stream().mapToDouble(Round::perSecond).toArray());
    double rawP50 = median(rawRounds.stream().mapToDouble(Round::p50Micros).toArray());
    double engineP50 = median(engineRounds.stream().mapToDouble(Round::p50Micros).toArray());
    double rawP99 = median(rawRounds.stream().mapToDouble(Round::p99Micros).toArray());
    double engineP99 = median(engineRounds.stream().mapToDouble(Round::p99Micros).toArray());
    System.out.printf(Locale.ROOT, "median raw    %8.0f decisions/s  p50 %6.0f us  p99 %6.0f us%n", rawRate, rawP50,
        rawP99);
    System.out.printf(Locale.ROOT, "median engine %8.0f decisions/s  p50 %6.0f us  p99 %6.0f us%n", engineRate,
        engineP50, engineP99);
    System.out.printf(Locale.ROOT, "ratio engine/raw: throughput %.2f (goal >= 0.80), p50 latency x%.2f, "
        + "p99 latency x%.2f%n", engineRate / rawRate, engineP50 / rawP50, engineP99 / rawP99);
  }

  @FunctionalInterface
  private interface Call {
    Future<Boolean> call();
  }

  /**
   * {@code requests} calls with {@code inFlight} outstanding at any time (a closed loop: each
   * completion starts the next call), all started from one event loop as a node's handlers would.
   */
  private static Round round(Vertx vertx, Call call, int requests, int inFlight) throws Exception {
    long[] latencies = new long[requests];
    AtomicInteger started = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    Promise<Void> finished = Promise.promise();
    long begin = System.nanoTime();
    vertx.runOnContext(v -> {
      for (int i = 0; i < inFlight; i++) {
        next(call, requests, latencies, started, done, failures, finished);
      }
    });
    finished.future().await(5, TimeUnit.MINUTES);
    long elapsed = System.nanoTime() - begin;
    Arrays.sort(latencies);
    return new Round(requests / (elapsed / 1e9), latencies[requests / 2] / 1000,
        latencies[(int) Math.min(requests - 1, Math.ceil(requests * 0.99) - 1)] / 1000, failures.get());
  }

  private static void next(Call call, int requests, long[] latencies, AtomicInteger started, AtomicInteger done,
      AtomicInteger failures, Promise<Void> finished) {
    int index = started.getAndIncrement();
    if (index >= requests) {
      return;
    }
    long t0 = System.nanoTime();
    call.call().onComplete(result -> {
      latencies[index] = System.nanoTime() - t0;
      if (result.failed() || !result.result()) {
        failures.incrementAndGet();
      }
      if (done.incrementAndGet() == requests) {
        finished.complete();
      } else {
        next(call, requests, latencies, started, done, failures, finished);
      }
    });
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
