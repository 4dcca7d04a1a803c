package io.github.iamauth4j.valkey.internal;

import io.valkey.Connection;
import io.valkey.JedisClientConfig;
import io.valkey.JedisSocketFactory;
import io.valkey.exceptions.JedisDataException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A pooled valkey-java {@link Connection} of the adapter's pools, with its own authentication state
 * ({@link ConnectionAuth}: its renewal, and whether it is on IAM or the fallback password) from the
 * moment it authenticated (when it opened); the pool's {@link IamConnectionFactory} closes it when
 * the pool destroys the connection. While a subscriber listens on it, a refused in-band
 * re-authentication can be taken out of the subscriber's stream ({@link #interceptRefusals}).
 */
final class IamConnection extends Connection implements Renewer.Tracked {
  private final ConnectionAuth auth;
  // Set while a subscriber listens (with a fallback password configured): takes the reply to an
  // in-band AUTH that the server refused out of the subscriber's stream.
  private volatile @Nullable Predicate<RuntimeException> refusals;

  /**
   * Connects and authenticates (the credentials provider of {@code config}), then starts tracking.
   */
  IamConnection(
      JedisSocketFactory socketFactory,
      JedisClientConfig config,
      Supplier<ConnectionAuth> tracking) {
    super(socketFactory, config);
    this.auth = tracking.get();
  }

  @Override
  public ConnectionAuth auth() {
    return auth;
  }

  /**
   * While a subscriber listens: {@code handler} sees each error reply the subscriber's reader
   * meets, and the reader skips the ones it handled (answers true).
   *
   * @param handler the handler, or null when the subscription ends
   */
  void interceptRefusals(@Nullable Predicate<RuntimeException> handler) {
    this.refusals = handler;
  }

  @Override
  public Object getUnflushedObject() {
    while (true) {
      try {
        return super.getUnflushedObject();
      } catch (JedisDataException e) {
        Predicate<RuntimeException> handler = refusals;
        if (handler == null || !handler.test(e)) {
          throw e;
        }
      }
    }
  }

  @Override
  public String toString() {
    return "IamConnection[" + auth.renewal().connection() + "]";
  }
}
