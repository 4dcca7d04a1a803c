package io.github.iamauth4j.core;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one rule every adapter applies before a token leaves: the connection must use TLS and verify
 * the server's identity (certificate chain and host name), unless the app called its adapter's
 * loudly named opt-out, {@code allowPlaintextForLocalTesting()}, for a local server. Each adapter
 * calls {@link #check} with what its client's settings say, wherever it hands out a credentials
 * hook, so that no public path sends a token in clear.
 */
public final class TlsRule {
  private static final Logger log = LoggerFactory.getLogger(TlsRule.class);
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /** The name of the opt-out every adapter offers, for messages. */
  public static final String OPT_OUT = "allowPlaintextForLocalTesting()";

  private TlsRule() {}

  /**
   * Checks a connection's transport security.
   *
   * @param where the connection, e.g. {@code "RedisURI orders.example:6379"} (no secrets)
   * @param setting the client setting that turns TLS on or sets verification, e.g. {@code
   *     "rediss:// (RedisURI ssl)"}
   * @param tls whether the connection uses TLS
   * @param verifiesServer whether the server's certificate and host name are verified
   * @param plaintextAllowed whether the app called the adapter's opt-out
   * @param optOut how the app calls the opt-out in this adapter, e.g. {@code
   *     "IamJedis.Builder.allowPlaintextForLocalTesting()"}
   * @throws InsecureConnectionException if the token would leave without verified TLS and the
   *     opt-out was not called
   */
  public static void check(
      String where,
      String setting,
      boolean tls,
      boolean verifiesServer,
      boolean plaintextAllowed,
      String optOut) {
    Objects.requireNonNull(where, "where");
    if (tls && verifiesServer) {
      return;
    }
    if (plaintextAllowed) {
      if (WARNED.add(where + "|" + tls + verifiesServer)) {
        log.warn(
            "{}: {} is set: IAM tokens go to {} {}. Use this only for a local test server",
            where,
            optOut,
            tls ? "a server whose identity is not verified" : "the server in clear text",
            tls ? "(an impostor could take them)" : "(anyone on the path can use them)");
      }
      return;
    }
    if (!tls) {
      throw new InsecureConnectionException(
          setting,
          where
              + ": TLS is off ("
              + setting
              + "; expected TLS: ElastiCache, MemoryDB and RDS need it for IAM authentication, and"
              + " a token sent in clear is a bearer secret anyone on the path can use). No token"
              + " was sent. For a local test server without TLS only, call "
              + optOut);
    }
    throw new InsecureConnectionException(
        setting,
        where
            + ": TLS does not verify the server ("
            + setting
            + "; expected the certificate chain and host name checked: without it the token can"
            + " be handed to an impostor). No token was sent. For a local test server only, call "
            + optOut);
  }
}
