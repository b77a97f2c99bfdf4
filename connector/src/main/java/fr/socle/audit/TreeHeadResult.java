package fr.socle.audit;

import java.security.cert.X509Certificate;

/** Outcome of {@link TreeHeadVerifier#verify}: a trusted head with its signer, or a {@link Rejected}. */
public sealed interface TreeHeadResult permits TreeHeadResult.Verified, Rejected {

  /** The head's signature holds and its chain leads to the federation root; {@code signer} is x5c[0]. */
  record Verified(SignedTreeHead head, X509Certificate signer) implements TreeHeadResult {}
}
