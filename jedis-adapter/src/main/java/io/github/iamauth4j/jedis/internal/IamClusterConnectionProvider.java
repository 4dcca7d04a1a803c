package io.github.iamauth4j.jedis.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.apache.commons.pool2.PooledObjectFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisClusterInfoCache;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * Jedis's {@link ClusterConnectionProvider} with node pools of this adapter's own ({@link
 * IamConnectionFactory}), so that every node connection re-authenticates on its own paced interval.
 * Jedis builds its node pools inside {@code JedisClusterInfoCache} with its own connection factory
 * and offers no way to supply another, so Jedis's topology cache keeps its pools for topology
 * discovery only (they keep no idle connection), and every connection handed out for commands,
 * transactions, pipelines and pub/sub comes from the pools here, one per node the topology names.
 * Methods Jedis adds later and this class does not override still work: they use the discovery
 * pools, whose short-lived connections authenticate with the same IAM credentials.
 */
public final class IamClusterConnectionProvider extends ClusterConnectionProvider {
  private final Function<HostAndPort, PooledObjectFactory<Connection>> factories;
  private final GenericObjectPoolConfig<Connection> poolConfig;
  private final Map<String, ConnectionPool> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Discovers the cluster from {@code seeds} (this connects).
   *
   * @param seeds one or more nodes
   * @param config the client configuration, carrying the IAM credentials (TLS already checked)
   * @param poolConfig each node pool's configuration
   * @param topologyRefreshPeriod how often Jedis refreshes the topology in the background, or null
   * @param factories the connection factory of each node
   */
  public IamClusterConnectionProvider(
      Set<HostAndPort> seeds,
      JedisClientConfig config,
      GenericObjectPoolConfig<Connection> poolConfig,
      @Nullable Duration topologyRefreshPeriod,
      Function<HostAndPort, PooledObjectFactory<Connection>> factories) {
    super(seeds, config, discoveryPoolConfig(), topologyRefreshPeriod);
    this.factories = factories;
    this.poolConfig = poolConfig;
  }

  /** Pools that keep nothing idle: Jedis's topology discovery opens and closes its connections. */
  private static GenericObjectPoolConfig<Connection> discoveryPoolConfig() {
    GenericObjectPoolConfig<Connection> c = new GenericObjectPoolConfig<>();
    c.setMaxIdle(0);
    c.setMinIdle(0);
    c.setTestWhileIdle(false);
    c.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
    c.setJmxEnabled(false);
    return c;
  }

  private ConnectionPool pool(HostAndPort node) {
    if (closed) {
      throw new JedisException("the cluster client is closed");
    }
    return pools.computeIfAbsent(
        JedisClusterInfoCache.getNodeKey(node),
        k -> new ConnectionPool(factories.apply(node), poolConfig));
  }

  @Override
  public Connection getConnection(@Nullable HostAndPort node) {
    return node != null ? pool(node).getResource() : getConnection();
  }

  @Override
  public Connection getConnectionFromSlot(int slot) {
    HostAndPort node = cache.getSlotNode(slot);
    if (node == null) {
      // Nothing known for the slot: rediscover, as Jedis does.
      renewSlotCache();
      node = cache.getSlotNode(slot);
    }
    return node != null ? pool(node).getResource() : getConnection();
  }

  @Override
  public Connection getReplicaConnectionFromSlot(int slot) {
    List<ConnectionPool> replicas = cache.getSlotReplicaPools(slot);
    if (replicas == null || replicas.isEmpty()) {
      renewSlotCache();
      replicas = cache.getSlotReplicaPools(slot);
    }
    if (replicas != null && !replicas.isEmpty()) {
      Map<ConnectionPool, String> keys = keysOf(cache.getNodes());
      String key = keys.get(replicas.get(ThreadLocalRandom.current().nextInt(replicas.size())));
      if (key != null) {
        return pool(HostAndPort.from(key)).getResource();
      }
    }
    return getConnectionFromSlot(slot);
  }

  @Override
  public Connection getConnection() {
    List<String> primaries = new ArrayList<>(cache.getPrimaryNodes().keySet());
    Collections.shuffle(primaries);
    JedisException suppressed = null;
    for (String key : primaries) {
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
    return ours(cache.getNodes(), true);
  }

  @Override
  public Map<String, ConnectionPool> getPrimaryNodes() {
    return ours(cache.getPrimaryNodes(), false);
  }

  @Override
  public Map<String, ConnectionPool> getConnectionMap() {
    return Collections.unmodifiableMap(getNodes());
  }

  @Override
  public Map<String, ConnectionPool> getPrimaryNodesConnectionMap() {
    return Collections.unmodifiableMap(getPrimaryNodes());
  }

  @Override
  public void renewSlotCache() {
    super.renewSlotCache();
    prune();
  }

  @Override
  public void renewSlotCache(Connection jedis) {
    super.renewSlotCache(jedis);
    prune();
  }

  /** This adapter's pools for the nodes Jedis's topology knows, in the same order. */
  private Map<String, ConnectionPool> ours(Map<String, ConnectionPool> known, boolean prune) {
    Map<String, ConnectionPool> result = new LinkedHashMap<>();
    for (String key : known.keySet()) {
      result.put(key, pool(HostAndPort.from(key)));
    }
    if (prune) {
      prune(known.keySet());
    }
    return result;
  }

  private void prune() {
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

  private static Map<ConnectionPool, String> keysOf(Map<String, ConnectionPool> nodes) {
    Map<ConnectionPool, String> keys = new IdentityHashMap<>();
    nodes.forEach((k, v) -> keys.put(v, k));
    return keys;
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
