package fr.socle.transfer;

/**
 * Where the data of a transfer is reached on a Socle node, as its data addresses announce it: the
 * provider's endpoint a consumer pulls from (and refreshes its token at), and the consumer's receiver
 * a provider pushes to. The transfer decides these URLs; the incoming HTTP surfaces mount the routes
 * given here, so that an address announced and the route serving it cannot drift apart.
 */
public final class DataAddresses {

  /** The route of a provider's pull endpoint; {@code :pid} is the provider's process id. */
  public static final String PULL_ROUTE = "/public/transfers/:pid";
  /** Appended to a pull endpoint: where its access token is refreshed. */
  public static final String TOKEN_REFRESH = "/token";
  /** The route of a consumer's push receiver; {@code :pid} is the consumer's process id. */
  public static final String PUSH_ROUTE = "/push/transfers/:pid";

  private DataAddresses() {
  }

  /** The endpoint a consumer pulls provider transfer {@code providerPid} from, as the start message announces it. */
  public static String pull(String selfAddress, String providerPid) {
    return selfAddress + PULL_ROUTE.replace(":pid", providerPid);
  }

  /** The endpoint where a Socle consumer receives the push of its transfer {@code consumerPid}. */
  public static String push(String selfAddress, String consumerPid) {
    return selfAddress + PUSH_ROUTE.replace(":pid", consumerPid);
  }
}
