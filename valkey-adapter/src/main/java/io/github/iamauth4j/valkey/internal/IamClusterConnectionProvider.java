package io.github.iamauth4j.valkey.internal;

import io.valkey.CommandArguments;
import io.valkey.Connection;
import io.valkey.HostAndPort;
import io.valkey.JedisClientConfig;
import io.valkey.providers.ClusterConnectionProvider;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * A cluster's per-node pools whose connections are renewed when they are borrowed ({@link
 * Renewer#checkOut}), by whichever route valkey-java borrows them (by slot, by node after a {@code
 * MOVED}, or any node); idle ones are renewed by the {@link RenewingEvictionPolicy} in the pool
 * configuration every node pool is built with.
 */
public final class IamClusterConnectionProvider extends ClusterConnectionProvider {
  private final Renewer renewer;
  private volatile boolean lending;

  /**
   * Discovers the cluster's nodes and slots through one of the seeds.
   *
   * @param seeds the configuration endpoint or some nodes
   * @param clientConfig the client configuration (IAM credentials, TLS, RESP3)
   * @param poolConfig the node pools' configuration, with the renewing eviction policy
   * @param renewer the renewer
   */
  public IamClusterConnectionProvider(
      Set<HostAndPort> seeds,
      JedisClientConfig clientConfig,
      GenericObjectPoolConfig<Connection> poolConfig,
      Renewer renewer) {
    super(seeds, clientConfig, poolConfig);
    this.renewer = renewer;
  }

  /** Starts lending (see {@link IamPooledConnectionProvider#startLending()}). */
  void startLending() {
    lending = true;
  }

  @Override
  public Connection getConnection() {
    if (!lending) {
      return IamPooledConnectionProvider.nullConnection();
    }
    return renewer.checkOut(super::getConnection, c -> c, Renewer::discard);
  }

  @Override
  public Connection getConnection(CommandArguments args) {
    return renewer.checkOut(() -> super.getConnection(args), c -> c, Renewer::discard);
  }

  @Override
  public Connection getConnection(HostAndPort node) {
    return renewer.checkOut(() -> super.getConnection(node), c -> c, Renewer::discard);
  }

  @Override
  public Connection getConnectionFromSlot(int slot) {
    return renewer.checkOut(() -> super.getConnectionFromSlot(slot), c -> c, Renewer::discard);
  }
}
