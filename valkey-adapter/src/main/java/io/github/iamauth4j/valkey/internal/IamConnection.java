package io.github.iamauth4j.valkey.internal;

import io.github.iamauth4j.core.ConnectionRenewal;
import io.valkey.Connection;
import io.valkey.HostAndPort;
import io.valkey.JedisClientConfig;
import io.valkey.JedisSocketFactory;

/**
 * A pooled valkey-java {@link Connection} of the adapter's pools, with its own {@link
 * ConnectionRenewal} from the moment it authenticated (when it opened); the pool's {@link
 * IamConnectionFactory} closes the renewal when the pool destroys the connection.
 */
final class IamConnection extends Connection implements Renewer.Tracked {
  private final ConnectionRenewal renewal;

  /** Connects and authenticates (the IAM credentials of {@code config}), then starts tracking. */
  IamConnection(
      JedisSocketFactory socketFactory,
      JedisClientConfig config,
      Renewer renewer,
      HostAndPort node) {
    super(socketFactory, config);
    this.renewal = renewer.track(node);
  }

  @Override
  public ConnectionRenewal renewal() {
    return renewal;
  }

  @Override
  public String toString() {
    return "IamConnection[" + renewal.connection() + "]";
  }
}
