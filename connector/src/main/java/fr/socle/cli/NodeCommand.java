package fr.socle.cli;

import fr.socle.node.Node;
import fr.socle.node.NodeConfig;
import fr.socle.trust.NodeTls;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code socle node run --config FILE}: runs a node until it is stopped. */
@Command(name = "node", description = "Run a Socle node.", subcommands = {NodeCommand.Run.class})
public final class NodeCommand {

  @Command(name = "run", description = "Start a node and serve until SIGTERM.")
  static final class Run implements Callable<Integer> {

    private static final int DNS_CACHE_MAX_SECONDS = 5;

    @Option(names = "--config", required = true, description = "Node configuration file (JSON).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
      NodeConfig nodeConfig;
      try {
        nodeConfig = NodeConfig.load(config);
        nodeConfig.prepareDataDir();
      } catch (NodeConfig.ConfigException e) {
        System.err.println("socle: invalid configuration: " + e.getMessage());
        return 2;
      }
      NodeTls.engine(); // loads the TLS library here rather than on the event loop
      Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setAddressResolverOptions(new AddressResolverOptions()
          // A partner that restarts elsewhere (a new container on the same hostname, a moved host)
          // is reached at its new address within seconds, whatever TTL its DNS server gives: the
          // node re-resolves a partner's name at most this long after the last lookup.
          .setCacheMaxTimeToLive(DNS_CACHE_MAX_SECONDS)));
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          System.err.println("socle: stopping took too long: " + e.getMessage());
        } finally {
          stopped.countDown();
        }
      }, "socle-shutdown"));
      try {
        vertx.deployVerticle(new Node(nodeConfig, Clock.systemUTC())).await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("socle: the node could not start: " + describe(e));
        vertx.close();
        return 1;
      }
      stopped.await();
      return 0;
    }

    private static String describe(Throwable e) {
      StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
      for (Throwable cause = e.getCause(); cause != null && cause != e; cause = cause.getCause()) {
        if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
          message.append(": ").append(cause.getMessage());
        }
      }
      return message.toString();
    }
  }
}
