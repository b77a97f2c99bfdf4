package fr.socle.protocol;

import io.vertx.ext.web.RoutingContext;

/**
 * Tells which participant sent a protocol request. Production nodes use
 * {@link TokenAuthenticator}: the identity comes from the federation certificate, never from
 * what the request says about itself.
 */
@FunctionalInterface
public interface PeerAuthenticator {

  /** The authenticated participant id; throws a 401 {@link Refusal} when there is none. */
  String authenticate(RoutingContext ctx);
}
