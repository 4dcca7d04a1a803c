package io.github.iamauth4j.valkey.internal;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.valkey.CommandArguments;
import io.valkey.Connection;
import io.valkey.ConnectionPool;
import io.valkey.HostAndPort;
import io.valkey.JedisClientConfig;
import io.valkey.JedisClusterInfoCache;
import io.valkey.exceptions.JedisClusterOperationException;
import io.valkey.exceptions.JedisException;
import io.valkey.providers.ClusterConnectionProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jspecify.annotations.Nullable;

/**
 * valkey-java's {@link ClusterConnectionProvider} with node pools of the adapter's own ({@link
 * IamConnectionFactory}), so that each node connection is tracked from the moment it authenticates
 * until its pool destroys it, and renewed when it is borrowed ({@link Renewer#checkOut}), by
 * whichever route valkey-java borrows it (by slot, by node after a {@code MOVED}, any node); idle
 * ones are renewed by the {@link RenewingEvictionPolicy} in the pool configuration. valkey-java
 * builds its node pools inside {@code JedisClusterInfoCache} with its own connection factory and
 * offers no way to supply another, so its topology cache keeps its pools for topology discovery
 * only (they keep no idle connection), and every connection handed out for commands, pipelines,
 * broadcasts and pub/sub comes from the pools here, one per node the topology names.
 */
public final class IamClusterConnectionProvider extends ClusterConnectionProvider {
  private final JedisClientConfig clientConfig;
  private final GenericObjectPoolConfig<Connection> poolConfig;
  private final Renewer renewer;
  private final Map<String, ConnectionPool> pools = new ConcurrentHashMap<>();
  private volatile boolean lending;
  private volatile boolean closed;

  /**
   * Discovers the cluster's nodes and slots through one of the seeds (this connects). During a
   * migration from passwords (a fallback password configured), a token the server refuses while
   * discovering is reported ({@link io.github.iamauth4j.core.PasswordFallbacks#refused}, which sets
   * IAM aside) and the discovery is done again at once with the password.
   *
   * @param seeds the configuration endpoint or some nodes
   * @param clientConfig the client configuration (IAM credentials, TLS, RESP3)
   * @param poolConfig the node pools' configuration, with the renewing eviction policy
   * @param renewer the renewer
   * @return the provider
   */
  public static IamClusterConnectionProvider discover(
      Set<HostAndPort> seeds,
      JedisClientConfig clientConfig,
      GenericObjectPoolConfig<Connection> poolConfig,
      Renewer renewer) {
    // valkey-java's topology discovery opens its own connections with these credentials.
    IamCredentialsProvider discovery =
        new IamCredentialsProvider(
            renewer.tokens(), "valkey-java cluster topology discovery through " + seeds);
    JedisClientConfig discoveryConfig = Renewer.withCredentials(clientConfig, discovery);
    try {
      return new IamClusterConnectionProvider(
          seeds, clientConfig, discoveryConfig, poolConfig, renewer);
    } catch (JedisException e) {
      ConnectionCredentials tried = discovery.given();
      RuntimeException refusal = Refusals.wrongPass(e);
      if (tried == null || !tried.isIam() || refusal == null) {
        throw e;
      }
      ConnectionCredentials password;
      try {
        password =
            renewer
                .tokens()
                .passwordFallbacks()
                .refused("valkey-java cluster topology discovery", refusal);
      } catch (TokenUnavailableException u) {
        e.addSuppressed(u);
        throw e;
      }
      if (password == null) {
        throw e;
      }
      discovery.useNext(password);
      return new IamClusterConnectionProvider(
          seeds, clientConfig, discoveryConfig, poolConfig, renewer);
    }
  }

  private IamClusterConnectionProvider(
      Set<HostAndPort> seeds,
      JedisClientConfig clientConfig,
      JedisClientConfig discoveryConfig,
      GenericObjectPoolConfig<Connection> poolConfig,
      Renewer renewer) {
    super(seeds, discoveryConfig, discoveryPoolConfig());
    this.clientConfig = clientConfig;
    this.poolConfig = poolConfig;
    this.renewer = renewer;
  }

  /** Pools that keep nothing idle: valkey-java's discovery opens and closes its connections. */
  private static GenericObjectPoolConfig<Connection> discoveryPoolConfig() {
    GenericObjectPoolConfig<Connection> c = new GenericObjectPoolConfig<>();
    c.setMaxIdle(0);
    c.setMinIdle(0);
    c.setTestWhileIdle(false);
    c.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
    c.setJmxEnabled(false);
    return c;
  }

  /** Starts lending (see {@link IamPooledConnectionProvider#startLending()}). */
  void startLending() {
    lending = true;
  }

  private ConnectionPool pool(HostAndPort node) {
    if (closed) {
      throw new JedisException("the cluster client is closed");
    }
    return pools.computeIfAbsent(
        JedisClusterInfoCache.getNodeKey(node),
        k -> new ConnectionPool(new IamConnectionFactory(node, clientConfig, renewer), poolConfig));
  }

  @Override
  public Connection getConnection(@Nullable HostAndPort node) {
    if (node == null) {
      return getConnection();
    }
    return renewer.checkOut(() -> pool(node).getResource(), c -> c, Renewer::discard);
  }

  @Override
  public Connection getConnection(CommandArguments args) {
    // valkey-java's routing (slot, else any node) through the overrides below, checked once.
    return renewer.checkOut(() -> super.getConnection(args), c -> c, Renewer::discard);
  }

  @Override
  public Connection getConnectionFromSlot(int slot) {
    return renewer.checkOut(() -> fromSlot(slot), c -> c, Renewer::discard);
  }

  private Connection fromSlot(int slot) {
    HostAndPort node = cache.getSlotNode(slot);
    if (node == null) {
      // Nothing known for the slot: rediscover, as valkey-java does.
      renewSlotCache();
      node = cache.getSlotNode(slot);
    }
    return node != null ? pool(node).getResource() : getConnection();
  }

  @Override
  public Connection getConnection() {
    if (!lending) {
      return IamPooledConnectionProvider.nullConnection();
    }
    return renewer.checkOut(this::anyNode, c -> c, Renewer::discard);
  }

  /** A connection to a random node that answers {@code PING}, as valkey-java's own. */
  private Connection anyNode() {
    List<String> nodes = new ArrayList<>(cache.getNodes().keySet());
    Collections.shuffle(nodes);
    JedisException suppressed = null;
    for (String key : nodes) {
      Connection c = null;
      try {
        c = pool(HostAndPort.from(key)).getResource();
        c.ping();
        return c;
      } catch (JedisException e) {
        if (suppressed == null) {
          suppressed = e;
        }
        if (c != null) {
          c.close();
        }
      }
    }
    JedisClusterOperationException none =
        new JedisClusterOperationException("No reachable node in cluster.");
    if (suppressed != null) {
      none.addSuppressed(suppressed);
    }
    throw none;
  }

  @Override
  public Map<String, ConnectionPool> getNodes() {
    Map<String, ConnectionPool> known = cache.getNodes();
    Map<String, ConnectionPool> result = new LinkedHashMap<>();
    for (String key : known.keySet()) {
      result.put(key, pool(HostAndPort.from(key)));
    }
    prune(known.keySet());
    return result;
  }

  @Override
  public Map<String, ConnectionPool> getConnectionMap() {
    return Collections.unmodifiableMap(getNodes());
  }

  @Override
  public void renewSlotCache() {
    super.renewSlotCache();
    prune(cache.getNodes().keySet());
  }

  @Override
  public void renewSlotCache(Connection jedis) {
    super.renewSlotCache(jedis);
    prune(cache.getNodes().keySet());
  }

  /** Closes the pools of nodes that left the topology. */
  private void prune(Set<String> known) {
    for (Map.Entry<String, ConnectionPool> e : pools.entrySet()) {
      if (!known.contains(e.getKey()) && pools.remove(e.getKey(), e.getValue())) {
        e.getValue().close();
      }
    }
  }

  /** The number of node pools this provider holds now. */
  public int poolCount() {
    return pools.size();
  }

  @Override
  public void close() {
    closed = true;
    for (ConnectionPool p : pools.values()) {
      try {
        p.close();
      } catch (RuntimeException e) {
        // Closing anyway.
      }
    }
    pools.clear();
    super.close();
  }
}
