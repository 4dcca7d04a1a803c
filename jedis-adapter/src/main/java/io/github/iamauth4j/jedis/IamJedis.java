package io.github.iamauth4j.jedis;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamAdapterBuilder;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TlsRule;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.github.iamauth4j.jedis.internal.IamClusterConnectionProvider;
import io.github.iamauth4j.jedis.internal.IamConnectionFactory;
import io.github.iamauth4j.jedis.internal.IamCredentialsProvider;
import io.github.iamauth4j.jedis.internal.IamJedisFactory;
import io.github.iamauth4j.jedis.internal.Refusals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.providers.PooledConnectionProvider;

/**
 * The entry point of the Jedis adapter: IAM authentication for Jedis 7.2+ / 8.x {@link RedisClient}
 * and {@link RedisClusterClient}, with TLS on and every pooled connection re-authenticated on its
 * own jittered interval, so that no connection is ever cut at the server's 12-hour limit.
 *
 * <pre>{@code
 * IamJedis iam = IamJedis.builder()
 *     .target(IamTarget.elastiCache("orders", "app"))   // replication group id, IAM user id
 *     .region("us-east-1")
 *     .build();
 * RedisClient client = iam.redisClient("master.orders.abc123.use1.cache.amazonaws.com", 6379);
 * client.set("greeting", "hello");
 * }</pre>
 *
 * <p>Cluster mode (ElastiCache cluster mode on, or MemoryDB): {@link #clusterClient(String, int)}.
 * With an app's own setup, use the parts: {@link #clientConfig(JedisClientConfig)} (checks TLS and
 * carries the credentials), {@link #poolConfig()}, {@link #connectionProvider(HostAndPort,
 * JedisClientConfig, GenericObjectPoolConfig)} and {@link #clusterConnectionProvider(Set,
 * JedisClientConfig, GenericObjectPoolConfig, Duration)}, e.g. for Jedis 7's {@code JedisPooled}.
 *
 * <p>What it sets up: Jedis's {@code RedisCredentialsProvider} (user name from the target, the
 * cached token as password, read when a connection opens); TLS with the server's certificate and
 * host name verified; RESP3 (pub/sub re-authentication needs it); connection pools whose factory
 * re-authenticates each connection when its own renewal falls due, at the moments the pool gives:
 * borrow, return, and the evictor's idle check (run often enough by {@link #poolConfig()}); and pub
 * / sub subscribers re-authenticated inline on the same interval. Plaintext, or TLS without
 * verification, is refused with an {@link InsecureConnectionException} unless {@link
 * Builder#allowPlaintextForLocalTesting()} is called.
 *
 * <p>During a migration from passwords ({@code passwordFallback(FallbackPassword)} on the builder
 * or the configuration), connections authenticate with IAM first and with the fallback password
 * when IAM cannot be used: no usable token, or the server refused the token ({@code WRONGPASS}), in
 * which case the pool's connection is opened again with the password inside the same borrow, and a
 * live connection re-authenticates with it at once. Connections on the password go back to IAM at
 * their next re-authentication once IAM works. {@code tokenProvider().passwordFallbacks().stats()}
 * counts the pooled connections on each.
 *
 * <p>Thread-safe; keep one per cache and user for the life of the app.
 */
public final class IamJedis implements AutoCloseable {
  private static final String OPT_OUT = "IamJedis.Builder." + TlsRule.OPT_OUT;
  private static final Duration MAX_EVICTION_PERIOD = Duration.ofSeconds(30);
  private static final Duration MIN_EVICTION_PERIOD = Duration.ofMillis(100);

  private final IamTokenProvider tokens;
  private final IamAdapterBuilder.Tokens held;
  private final RenewalPolicy policy;
  private final ConnectionRenewals renewals;
  private final IamCredentialsProvider credentials;
  private final boolean plaintextAllowed;
  private final @Nullable SSLSocketFactory sslSocketFactory;

  private IamJedis(
      IamAdapterBuilder.Tokens held,
      RenewalPolicy policy,
      boolean plaintextAllowed,
      @Nullable SSLSocketFactory ssl) {
    this.held = held;
    this.tokens = held.provider();
    this.policy = policy;
    this.plaintextAllowed = plaintextAllowed;
    this.sslSocketFactory = ssl;
    this.renewals = ConnectionRenewals.of(tokens, policy);
    this.credentials = new IamCredentialsProvider(tokens);
    // The first connection finds a token ready; the fetch runs on the core's threads.
    tokens.prefetch();
  }

  /** A builder; a target (or a provider configuration, or a ready token provider) is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The token cache shared by every connection of this adapter, and by every other adapter built
   * from an equal configuration in this JVM ({@link IamTokenProvider#shared(IamAuthConfig)}).
   */
  public IamTokenProvider tokenProvider() {
    return tokens;
  }

  /** The renewal policy pacing the re-authentication of live connections. */
  public RenewalPolicy renewalPolicy() {
    return policy;
  }

  /** The per-connection renewals: {@code open()} counts the connections renewed now. */
  public ConnectionRenewals renewals() {
    return renewals;
  }

  /** Whether plaintext was allowed by {@link Builder#allowPlaintextForLocalTesting()}. */
  public boolean plaintextAllowed() {
    return plaintextAllowed;
  }

  // ---------------------------------------------------------------------------------------------
  // The parts.

  /**
   * A client configuration for the target: TLS with the server's certificate chain and host name
   * verified (trusting the {@linkplain Builder#trustStore trust store} if one was given), RESP3,
   * and the IAM credentials. Jedis's defaults for everything else.
   */
  // ssl(true) is deprecated in Jedis 8 in favour of SslOptions, which Jedis 7 does not verify host
  // names with; the legacy settings verify on both.
  @SuppressWarnings("deprecation")
  public JedisClientConfig clientConfig() {
    return clientConfig(DefaultJedisClientConfig.builder().ssl(true).build());
  }

  /**
   * A copy of the app's own client configuration (timeouts, client name, database, TLS settings,
   * host mapping are kept) with the IAM credentials and RESP3.
   *
   * @param app the app's configuration: TLS with verification, and no password
   * @return the configuration to connect with
   * @throws InsecureConnectionException if it does not use TLS or does not verify the server,
   *     unless {@link Builder#allowPlaintextForLocalTesting()} was called
   * @throws IamConfigurationException if it sets a password, a user other than the target's, RESP2,
   *     or an {@code AuthXManager}
   */
  @SuppressWarnings("deprecation") // the legacy TLS settings: the ones Jedis 7 and 8 both honour
  public JedisClientConfig clientConfig(JedisClientConfig app) {
    Objects.requireNonNull(app, "clientConfig");
    List<String> problems = new ArrayList<>();
    String user = tokens.userName();
    // A configuration built here answers getUser()/getPassword() from the IAM credentials.
    boolean ours = app.getCredentialsProvider() == credentials;
    if (!ours && app.getUser() != null && !app.getUser().equals(user)) {
      problems.add(
          "JedisClientConfig user: \""
              + app.getUser()
              + "\" does not match the target's user \""
              + user
              + "\" ("
              + tokens.target().description()
              + "; leave the user unset)");
    }
    if (!ours && app.getPassword() != null) {
      problems.add(
          "JedisClientConfig password: set (expected none: the IAM token is the password)");
    }
    if (app.getRedisProtocol() == RedisProtocol.RESP2) {
      problems.add(
          "JedisClientConfig protocol: RESP2 (expected RESP3 or unset: a pub/sub subscriber can"
              + " only re-authenticate over RESP3)");
    }
    if (app.getAuthXManager() != null) {
      problems.add(
          "JedisClientConfig authXManager: set (expected none: it re-authenticates every"
              + " connection on every token refresh; IamJedis paces each connection itself)");
    }
    if (!problems.isEmpty()) {
      throw new IamConfigurationException(problems);
    }
    SslOptions sslOptions = app.getSslOptions();
    boolean tls = app.isSsl() || sslOptions != null;
    SSLParameters params = app.getSslParameters();
    boolean verifies;
    if (sslOptions != null) {
      verifies = sslOptions.getSslVerifyMode() == SslVerifyMode.FULL;
    } else {
      verifies =
          app.getHostnameVerifier() != null
              || params == null
              || "HTTPS".equalsIgnoreCase(params.getEndpointIdentificationAlgorithm());
    }
    TlsRule.check(
        "JedisClientConfig",
        sslOptions != null
            ? "SslOptions sslVerifyMode (expected FULL)"
            : "JedisClientConfig ssl / sslParameters endpointIdentificationAlgorithm",
        tls,
        verifies,
        plaintextAllowed,
        OPT_OUT);
    DefaultJedisClientConfig.Builder b =
        DefaultJedisClientConfig.builder()
            .from(app)
            .user(null)
            .password(null)
            .credentialsProvider(credentials)
            .protocol(RedisProtocol.RESP3)
            .authXManager(null);
    if (tls && sslOptions == null) {
      if (params == null && app.getHostnameVerifier() == null) {
        // Jedis 7 verifies the host name only when told to; Jedis 8 by default.
        SSLParameters https = new SSLParameters();
        https.setEndpointIdentificationAlgorithm("HTTPS");
        b.sslParameters(https);
      }
      if (app.getSslSocketFactory() == null && sslSocketFactory != null) {
        b.sslSocketFactory(sslSocketFactory);
      }
    }
    return b.build();
  }

  /**
   * A pool configuration for the adapter's pools: Jedis's {@link ConnectionPoolConfig} defaults,
   * with the evictor checking every idle connection often enough (a quarter of the
   * re-authentication interval, at most 30 seconds) that an idle connection re-authenticates soon
   * after it falls due.
   */
  public GenericObjectPoolConfig<Connection> poolConfig() {
    return poolConfig(new ConnectionPoolConfig());
  }

  /**
   * Applies what the adapter's pools need to the app's own pool configuration: idle connections
   * checked by the evictor ({@code testWhileIdle}, all of them in each run) at least every quarter
   * of the re-authentication interval.
   *
   * @param app the app's pool configuration
   * @param <C> its type
   * @return the same configuration
   */
  public <C extends GenericObjectPoolConfig<?>> C poolConfig(C app) {
    Duration period = policy.reauthenticationInterval().dividedBy(4);
    if (period.compareTo(MAX_EVICTION_PERIOD) > 0) {
      period = MAX_EVICTION_PERIOD;
    }
    if (period.compareTo(MIN_EVICTION_PERIOD) < 0) {
      period = MIN_EVICTION_PERIOD;
    }
    Duration current = app.getDurationBetweenEvictionRuns();
    if (current.isNegative() || current.isZero() || current.compareTo(period) > 0) {
      app.setTimeBetweenEvictionRuns(period);
    }
    app.setTestWhileIdle(true);
    app.setNumTestsPerEvictionRun(-1);
    return app;
  }

  /**
   * A pooled connection provider for a standalone endpoint, with {@link #clientConfig()} and {@link
   * #poolConfig()}: for {@code RedisClient.builder().connectionProvider(...)}, or Jedis 7's {@code
   * new JedisPooled(provider)}.
   *
   * @param host the endpoint host
   * @param port the port
   */
  public PooledConnectionProvider connectionProvider(String host, int port) {
    return connectionProvider(new HostAndPort(host, port), clientConfig(), poolConfig());
  }

  /**
   * A pooled connection provider whose connections re-authenticate on their own paced interval.
   *
   * @param node the endpoint
   * @param config the client configuration (passed through {@link #clientConfig(JedisClientConfig)}
   *     unless it came from it)
   * @param poolConfig the pool configuration (see {@link #poolConfig(GenericObjectPoolConfig)})
   * @throws InsecureConnectionException if the configuration is not verified TLS
   */
  public PooledConnectionProvider connectionProvider(
      HostAndPort node, JedisClientConfig config, GenericObjectPoolConfig<Connection> poolConfig) {
    JedisClientConfig secured = secured(config);
    return new PooledConnectionProvider(
        new IamConnectionFactory(node, secured, renewals), poolConfig);
  }

  /**
   * A cluster connection provider seeded with a configuration endpoint (this connects to discover
   * the cluster), with {@link #clientConfig()} and {@link #poolConfig()}.
   *
   * @param host the configuration endpoint (or any node)
   * @param port the port
   */
  public ClusterConnectionProvider clusterConnectionProvider(String host, int port) {
    return clusterConnectionProvider(
        Set.of(new HostAndPort(host, port)), clientConfig(), poolConfig(), null);
  }

  /**
   * A cluster connection provider whose node connections re-authenticate on their own paced
   * interval, for {@code RedisClusterClient.builder().connectionProvider(...)}.
   *
   * @param seeds one or more nodes
   * @param config the client configuration (see {@link #clientConfig(JedisClientConfig)})
   * @param poolConfig each node pool's configuration
   * @param topologyRefreshPeriod how often to refresh the topology in the background, or null
   * @throws InsecureConnectionException if the configuration is not verified TLS
   */
  public ClusterConnectionProvider clusterConnectionProvider(
      Set<HostAndPort> seeds,
      JedisClientConfig config,
      GenericObjectPoolConfig<Connection> poolConfig,
      @Nullable Duration topologyRefreshPeriod) {
    if (seeds.isEmpty()) {
      throw new IamConfigurationException("seeds: empty (expected at least one cluster node)");
    }
    JedisClientConfig secured = secured(config);
    // Jedis's topology discovery opens its own connections with these credentials.
    IamCredentialsProvider discovery =
        new IamCredentialsProvider(
            tokens, "Jedis cluster topology discovery through " + new LinkedHashSet<>(seeds));
    JedisClientConfig discoveryConfig =
        DefaultJedisClientConfig.builder().from(secured).credentialsProvider(discovery).build();
    try {
      return clusterConnectionProvider(
          seeds, secured, discoveryConfig, poolConfig, topologyRefreshPeriod);
    } catch (JedisException e) {
      // A token refused while discovering: with a fallback password, discover with it instead.
      ConnectionCredentials tried = discovery.given();
      RuntimeException refusal = Refusals.wrongPass(e);
      if (tried == null || !tried.isIam() || refusal == null) {
        throw e;
      }
      ConnectionCredentials password;
      try {
        password = tokens.passwordFallbacks().refused("Jedis cluster topology discovery", refusal);
      } catch (TokenUnavailableException u) {
        e.addSuppressed(u);
        throw e;
      }
      if (password == null) {
        throw e;
      }
      discovery.useNext(password);
      return clusterConnectionProvider(
          seeds, secured, discoveryConfig, poolConfig, topologyRefreshPeriod);
    }
  }

  private IamClusterConnectionProvider clusterConnectionProvider(
      Set<HostAndPort> seeds,
      JedisClientConfig secured,
      JedisClientConfig discoveryConfig,
      GenericObjectPoolConfig<Connection> poolConfig,
      @Nullable Duration topologyRefreshPeriod) {
    return new IamClusterConnectionProvider(
        new LinkedHashSet<>(seeds),
        discoveryConfig,
        poolConfig,
        topologyRefreshPeriod,
        node -> new IamConnectionFactory(node, secured, renewals));
  }

  private JedisClientConfig secured(JedisClientConfig config) {
    if (config.getCredentialsProvider() == credentials) {
      // Built by clientConfig(...): checked then.
      return config;
    }
    return clientConfig(config);
  }

  // ---------------------------------------------------------------------------------------------
  // Ready clients.

  /**
   * A {@link RedisClient} (Jedis 7.2 or later) for a standalone endpoint: a replication group's
   * primary or reader endpoint, or a serverless cache. Close it when done.
   *
   * @param host the endpoint host
   * @param port the port
   */
  public RedisClient redisClient(String host, int port) {
    return redisClient(new HostAndPort(host, port), clientConfig());
  }

  /**
   * A {@link RedisClient} with the app's own client configuration (see {@link
   * #clientConfig(JedisClientConfig)}) and {@link #poolConfig()}.
   *
   * @param node the endpoint
   * @param config the app's configuration
   * @throws InsecureConnectionException if it is not verified TLS
   */
  public RedisClient redisClient(HostAndPort node, JedisClientConfig config) {
    JedisClientConfig secured = secured(config);
    return RedisClient.builder()
        .clientConfig(secured)
        .connectionProvider(connectionProvider(node, secured, poolConfig()))
        .build();
  }

  /**
   * A {@link RedisClusterClient} (Jedis 7.2 or later) seeded with a cluster's configuration
   * endpoint: every node connection, including those opened after a {@code MOVED} or a topology
   * refresh, authenticates and re-authenticates with IAM tokens. Close it when done.
   *
   * @param host the configuration endpoint (or any node)
   * @param port the port
   */
  public RedisClusterClient clusterClient(String host, int port) {
    return clusterClient(Set.of(new HostAndPort(host, port)), clientConfig());
  }

  /**
   * A {@link RedisClusterClient} with the app's own client configuration.
   *
   * @param seeds one or more nodes
   * @param config the app's configuration (see {@link #clientConfig(JedisClientConfig)})
   * @throws InsecureConnectionException if it is not verified TLS
   */
  public RedisClusterClient clusterClient(Set<HostAndPort> seeds, JedisClientConfig config) {
    JedisClientConfig secured = secured(config);
    ClusterConnectionProvider provider =
        clusterConnectionProvider(seeds, secured, poolConfig(), null);
    try {
      return RedisClusterClient.builder()
          .nodes(new LinkedHashSet<>(seeds))
          .clientConfig(secured)
          .connectionProvider(provider)
          .build();
    } catch (RuntimeException e) {
      provider.close();
      throw e;
    }
  }

  /**
   * A Jedis {@link JedisPool} for a standalone endpoint, for apps on the legacy API: its factory is
   * the adapter's, so that each pooled {@link Jedis} re-authenticates on its own paced interval
   * when borrowed, returned or checked while idle (Jedis's own {@code JedisPool} never
   * re-authenticates). Close it when done.
   *
   * @param host the endpoint host
   * @param port the port
   */
  @SuppressWarnings("deprecation") // JedisPool is deprecated in Jedis 8, still used by many apps
  public JedisPool jedisPool(String host, int port) {
    return jedisPool(
        new HostAndPort(host, port), clientConfig(), poolConfig(new JedisPoolConfig()));
  }

  /**
   * A {@link JedisPool} with the app's own client and pool configuration.
   *
   * @param node the endpoint
   * @param config the app's configuration (see {@link #clientConfig(JedisClientConfig)})
   * @param poolConfig the pool configuration (see {@link #poolConfig(GenericObjectPoolConfig)})
   * @throws InsecureConnectionException if it is not verified TLS
   */
  @SuppressWarnings("deprecation") // JedisPool is deprecated in Jedis 8, still used by many apps
  public JedisPool jedisPool(
      HostAndPort node, JedisClientConfig config, GenericObjectPoolConfig<Jedis> poolConfig) {
    JedisClientConfig secured = secured(config);
    return new JedisPool(
        poolConfig, new IamJedisFactory(new IamConnectionFactory(node, secured, renewals)));
  }

  /**
   * Gives back this adapter's lease on the JVM's shared token provider for its configuration (the
   * last lease closes it); a token provider given to the builder is left open. Close the clients
   * first.
   */
  @Override
  public void close() {
    held.close();
  }

  @Override
  public String toString() {
    return "IamJedis["
        + tokens.target().description()
        + ", "
        + policy
        + (plaintextAllowed ? ", PLAINTEXT ALLOWED" : "")
        + "]";
  }

  /**
   * Builds an {@link IamJedis}: the core's {@link IamAdapterBuilder} (the token provider's
   * configuration or its shortcuts, or a ready token provider; renewal policy; trust store;
   * plaintext opt-out). Every problem is reported at once.
   */
  public static final class Builder extends IamAdapterBuilder<Builder> {
    private Builder() {}

    /**
     * Builds the adapter and starts fetching the first token in the background.
     *
     * @throws IamConfigurationException listing every problem
     */
    public IamJedis build() {
      List<String> problems = new ArrayList<>();
      SSLContext ssl = sslContext(problems);
      Tokens tokens = tokens(problems, "IamJedis", REDIS_KINDS);
      if (!problems.isEmpty() || tokens == null) {
        if (tokens != null) {
          tokens.close();
        }
        throw new IamConfigurationException(problems);
      }
      return new IamJedis(
          tokens, renewalPolicy(), plaintextAllowed(), ssl == null ? null : ssl.getSocketFactory());
    }
  }
}
