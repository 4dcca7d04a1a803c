package io.github.iamauth4j.valkey.internal;

import io.valkey.CommandArguments;
import io.valkey.Connection;
import io.valkey.HostAndPort;
import io.valkey.JedisClientConfig;
import io.valkey.providers.PooledConnectionProvider;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * A standalone pool of the adapter's {@link IamConnection}s ({@link IamConnectionFactory}), renewed
 * when they are borrowed ({@link Renewer#checkOut}); idle ones are renewed by the pool's {@link
 * RenewingEvictionPolicy}, set in the pool configuration it is given.
 */
public final class IamPooledConnectionProvider extends PooledConnectionProvider {
  private final Renewer renewer;
  private volatile boolean lending;

  /**
   * @param hostAndPort the endpoint
   * @param clientConfig the client configuration (IAM credentials, TLS, RESP3)
   * @param poolConfig the pool configuration, with the renewing eviction policy
   * @param renewer the renewer
   */
  public IamPooledConnectionProvider(
      HostAndPort hostAndPort,
      JedisClientConfig clientConfig,
      GenericObjectPoolConfig<Connection> poolConfig,
      Renewer renewer) {
    super(new IamConnectionFactory(hostAndPort, clientConfig, renewer), poolConfig);
    this.renewer = renewer;
  }

  /**
   * Starts lending. Until then {@link #getConnection()} answers null: valkey-java's client
   * constructors borrow a connection only to learn the protocol, which the adapter sets itself, and
   * should not connect (and wait for a token) while the client is being built.
   */
  void startLending() {
    lending = true;
  }

  @Override
  public Connection getConnection() {
    if (!lending) {
      return nullConnection();
    }
    return renewer.checkOut(super::getConnection, c -> c, Renewer::discard);
  }

  @Override
  public Connection getConnection(CommandArguments args) {
    return renewer.checkOut(() -> super.getConnection(args), c -> c, Renewer::discard);
  }

  @SuppressWarnings("NullAway")
  static Connection nullConnection() {
    return null;
  }
}
