package io.github.iamauth4j.valkey;

import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamAdapterBuilder;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TlsRule;
import io.github.iamauth4j.valkey.internal.IamClusterConnectionProvider;
import io.github.iamauth4j.valkey.internal.IamCredentialsProvider;
import io.github.iamauth4j.valkey.internal.IamJedisCluster;
import io.github.iamauth4j.valkey.internal.IamJedisPool;
import io.github.iamauth4j.valkey.internal.IamJedisPooled;
import io.github.iamauth4j.valkey.internal.IamPooledConnectionProvider;
import io.github.iamauth4j.valkey.internal.Renewer;
import io.github.iamauth4j.valkey.internal.RenewingEvictionPolicy;
import io.valkey.Connection;
import io.valkey.ConnectionPoolConfig;
import io.valkey.DefaultJedisClientConfig;
import io.valkey.HostAndPort;
import io.valkey.Jedis;
import io.valkey.JedisClientConfig;
import io.valkey.JedisCluster;
import io.valkey.JedisPool;
import io.valkey.JedisPoolConfig;
import io.valkey.JedisPooled;
import io.valkey.RedisProtocol;
import java.security.KeyStore;
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

/**
 * The entry point of the valkey-java adapter: IAM authentication for valkey-java 5.x ({@code
 * io.valkey}) pools and clusters against ElastiCache and MemoryDB, with TLS on and every connection
 * kept under the server's 12-hour limit, which valkey-java itself does nothing about.
 *
 * <pre>{@code
 * IamValkey iam = IamValkey.builder()
 *     .target(IamTarget.elastiCache("orders", "app"))   // replication group id, IAM user id
 *     .region("us-east-1")
 *     .build();
 * JedisPooled valkey = iam.pooled("master.orders.abc123.use1.cache.amazonaws.com", 6379);
 * valkey.set("greeting", "hello");
 * }</pre>
 *
 * <p>Ready clients: {@link #pooled} ({@link JedisPooled}), {@link #pool} ({@link JedisPool}) and
 * {@link #cluster} ({@link JedisCluster}, for cluster mode and MemoryDB). Their pools
 * re-authenticate a connection ({@code AUTH} with a fresh token) when it is borrowed or idle and
 * re-authentication is due (every hour less jitter by default, see {@link RenewalPolicy}); a
 * connection that could not be re-authenticated for its jittered maximum age (6 hours less up to 1
 * by default: e.g. borrowed all that time) is retired instead of lent. A blocking {@code
 * subscribe()} re-authenticates its own connection in band (RESP3). Connections speak RESP3.
 *
 * <p>Parts for an app's own setup: {@link #clientConfig(JedisClientConfig)} (checks TLS, adds the
 * IAM credentials and RESP3), {@link #configurePool(GenericObjectPoolConfig)} and {@link
 * #configureJedisPool(GenericObjectPoolConfig)} (the evictor that renews idle connections).
 *
 * <p>During a migration from passwords ({@code passwordFallback(FallbackPassword)} on the builder
 * or the configuration), connections authenticate with IAM first and with the fallback password
 * when IAM cannot be used: no usable token, or the server refused the token ({@code WRONGPASS}), in
 * which case the pool's connection is opened again with the password inside the same borrow, and a
 * live connection re-authenticates with it at once. Connections on the password go back to IAM at
 * their next re-authentication once IAM works. {@code tokenProvider().passwordFallbacks().stats()}
 * counts the ready clients' pooled connections on each.
 *
 * <p>Thread-safe; meant to live as long as the app: one per target, shared by its clients.
 */
public final class IamValkey implements AutoCloseable {
  private static final String OPT_OUT = "IamValkey.Builder." + TlsRule.OPT_OUT;
  private static final JedisClientConfig TLS_DEFAULTS =
      DefaultJedisClientConfig.builder().ssl(true).build();

  private final IamTokenProvider tokens;
  private final IamAdapterBuilder.Tokens held;
  private final RenewalPolicy policy;
  private final Renewer renewer;
  private final IamCredentialsProvider credentials;
  private final @Nullable SSLSocketFactory sslSocketFactory;
  private final boolean plaintextAllowed;

  private IamValkey(
      IamAdapterBuilder.Tokens held,
      RenewalPolicy policy,
      boolean plaintextAllowed,
      @Nullable SSLSocketFactory sslSocketFactory) {
    this.held = held;
    this.tokens = held.provider();
    this.policy = policy;
    this.renewer = new Renewer(tokens, policy);
    this.credentials = new IamCredentialsProvider(tokens);
    this.sslSocketFactory = sslSocketFactory;
    this.plaintextAllowed = plaintextAllowed;
    // The first connection should find a token ready; the fetch runs on the core's threads.
    tokens.prefetch();
  }

  /** A builder; a target (or a provider configuration, or a ready token provider) is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The token cache shared by all connections of this target. */
  public IamTokenProvider tokenProvider() {
    return tokens;
  }

  /** The policy that paces re-authentication and retirement. */
  public RenewalPolicy renewalPolicy() {
    return policy;
  }

  /**
   * The per-connection renewals: {@code open()} counts the connections renewed now (those of the
   * ready clients until their pool destroys them; see {@link #configurePool} for an app's own).
   */
  public ConnectionRenewals renewals() {
    return renewer.renewals();
  }

  /** Whether plaintext was allowed by {@link Builder#allowPlaintextForLocalTesting()}. */
  public boolean plaintextAllowed() {
    return plaintextAllowed;
  }

  /**
   * How often a pool's evictor visits idle connections to renew them: a tenth of the
   * re-authentication interval, between 100 milliseconds and 1 minute.
   */
  public Duration evictionPeriod() {
    return renewer.evictionPeriod();
  }

  // ---------------------------------------------------------------------------------------------
  // Ready clients.

  /**
   * A {@link JedisPooled} for a standalone endpoint (a replication group's primary or reader
   * endpoint, or a serverless cache): TLS with host verification, valkey-java's default timeouts,
   * and {@link #poolConfig()}. Close it when done.
   *
   * @param host the endpoint host
   * @param port the port, e.g. 6379
   * @throws IamConfigurationException if the host or port is invalid
   */
  public JedisPooled pooled(String host, int port) {
    return pooled(hostAndPort(host, port), TLS_DEFAULTS, poolConfig());
  }

  /**
   * A {@link JedisPooled} with the app's own client and pool settings.
   *
   * @param endpoint the endpoint
   * @param base the app's client settings (timeouts, client name, database, TLS); see {@link
   *     #clientConfig(JedisClientConfig)}
   * @param poolConfig the app's pool settings; {@link #configurePool} is applied to it
   * @throws io.github.iamauth4j.core.InsecureConnectionException if {@code base} turns TLS or host
   *     verification off without {@link Builder#allowPlaintextForLocalTesting()}
   */
  public JedisPooled pooled(
      HostAndPort endpoint,
      JedisClientConfig base,
      GenericObjectPoolConfig<Connection> poolConfig) {
    JedisClientConfig config = clientConfig(base, "JedisPooled " + endpoint);
    IamPooledConnectionProvider connections =
        new IamPooledConnectionProvider(endpoint, config, configurePool(poolConfig), renewer);
    return new IamJedisPooled(connections, renewer);
  }

  /**
   * A {@link JedisPool} of {@link Jedis} objects for a standalone endpoint: TLS with host
   * verification and {@link #jedisPoolConfig()}. Close each {@code Jedis} to return it.
   *
   * @param host the endpoint host
   * @param port the port
   * @throws IamConfigurationException if the host or port is invalid
   */
  public JedisPool pool(String host, int port) {
    return pool(hostAndPort(host, port), TLS_DEFAULTS, jedisPoolConfig());
  }

  /**
   * A {@link JedisPool} with the app's own client and pool settings.
   *
   * @param endpoint the endpoint
   * @param base the app's client settings; see {@link #clientConfig(JedisClientConfig)}
   * @param poolConfig the app's pool settings; {@link #configureJedisPool} is applied to it
   * @throws io.github.iamauth4j.core.InsecureConnectionException if {@code base} turns TLS or host
   *     verification off without the opt-out
   */
  public JedisPool pool(
      HostAndPort endpoint, JedisClientConfig base, GenericObjectPoolConfig<Jedis> poolConfig) {
    JedisClientConfig config = clientConfig(base, "JedisPool " + endpoint);
    return new IamJedisPool(endpoint, config, configureJedisPool(poolConfig), renewer);
  }

  /**
   * A {@link JedisCluster} seeded with a cluster's configuration endpoint (ElastiCache cluster mode
   * on, or MemoryDB): TLS with host verification and {@link #poolConfig()} for every node pool.
   * Connects to discover the nodes.
   *
   * @param host the configuration endpoint (or any node)
   * @param port the port
   * @throws IamConfigurationException if the host or port is invalid
   */
  public JedisCluster cluster(String host, int port) {
    return cluster(Set.of(hostAndPort(host, port)), TLS_DEFAULTS, poolConfig());
  }

  /**
   * A {@link JedisCluster} with the app's own seeds, client settings and node pool settings; 5
   * attempts per command, as valkey-java's default.
   *
   * @param seeds one or more nodes
   * @param base the app's client settings; see {@link #clientConfig(JedisClientConfig)}
   * @param poolConfig the node pools' settings; {@link #configurePool} is applied to it
   * @throws IamConfigurationException if there is no seed, or TLS is off without the opt-out
   */
  public JedisCluster cluster(
      Set<HostAndPort> seeds,
      JedisClientConfig base,
      GenericObjectPoolConfig<Connection> poolConfig) {
    if (seeds.isEmpty()) {
      throw new IamConfigurationException("seeds: empty (expected at least one node)");
    }
    JedisClientConfig config = clientConfig(base, "JedisCluster " + seeds);
    IamClusterConnectionProvider connections =
        IamClusterConnectionProvider.discover(
            new LinkedHashSet<>(seeds), config, configurePool(poolConfig), renewer);
    int attempts = JedisCluster.DEFAULT_MAX_ATTEMPTS;
    return new IamJedisCluster(
        connections,
        attempts,
        Duration.ofMillis((long) config.getSocketTimeoutMillis() * attempts),
        renewer);
  }

  // ---------------------------------------------------------------------------------------------
  // Parts.

  /**
   * The client settings this adapter uses by default: TLS with host verification (trusting the
   * {@linkplain Builder#trustStore(KeyStore) trust store} if one was given), RESP3 and the IAM
   * credentials; valkey-java's defaults for everything else.
   */
  public JedisClientConfig clientConfig() {
    return clientConfig(TLS_DEFAULTS);
  }

  /**
   * A copy of the app's client settings with the IAM credentials (user name and a cached token,
   * read when each connection opens) in place of any user and password, and RESP3 (which lets a
   * subscribed connection re-authenticate). TLS: {@code base} must have {@code ssl(true)}; when it
   * sets neither {@code sslParameters} nor a {@code hostnameVerifier}, host name verification is
   * added; when it sets no {@code sslSocketFactory}, the adapter's (its trust store, else the
   * JVM's) is used.
   *
   * <p>Connections opened with these settings alone (a plain {@code Connection} or {@code Jedis})
   * are not renewed: keep them short-lived, or use the pools of this class, or apply {@link
   * #configurePool} to your own pool's settings.
   *
   * @param base the app's settings
   * @return the settings to build clients with
   * @throws io.github.iamauth4j.core.InsecureConnectionException if TLS is off, or its {@code
   *     sslParameters} do not verify the host name and no {@code hostnameVerifier} is set, unless
   *     {@link Builder#allowPlaintextForLocalTesting()} was called
   */
  public JedisClientConfig clientConfig(JedisClientConfig base) {
    return clientConfig(base, "JedisClientConfig");
  }

  private JedisClientConfig clientConfig(JedisClientConfig base, String where) {
    Objects.requireNonNull(base, "base");
    SSLParameters params = base.getSslParameters();
    boolean verifies = base.getHostnameVerifier() != null;
    if (params == null && base.getHostnameVerifier() == null) {
      params = new SSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      verifies = true;
    } else if (params != null
        && "HTTPS".equalsIgnoreCase(params.getEndpointIdentificationAlgorithm())) {
      verifies = true;
    }
    TlsRule.check(
        where,
        base.isSsl()
            ? "JedisClientConfig sslParameters/hostnameVerifier"
            : "JedisClientConfig ssl (DefaultJedisClientConfig.Builder.ssl(true))",
        base.isSsl(),
        verifies,
        plaintextAllowed,
        OPT_OUT);
    SSLSocketFactory sockets = base.getSslSocketFactory();
    if (sockets == null) {
      sockets = sslSocketFactory;
    }
    return DefaultJedisClientConfig.builder()
        .protocol(RedisProtocol.RESP3)
        .connectionTimeoutMillis(base.getConnectionTimeoutMillis())
        .socketTimeoutMillis(base.getSocketTimeoutMillis())
        .blockingSocketTimeoutMillis(base.getBlockingSocketTimeoutMillis())
        .credentialsProvider(credentials)
        .database(base.getDatabase())
        .clientName(base.getClientName())
        .ssl(base.isSsl())
        .sslSocketFactory(sockets)
        .sslParameters(params)
        .hostnameVerifier(base.getHostnameVerifier())
        .hostAndPortMapper(base.getHostAndPortMapper())
        .clientSetInfoConfig(base.getClientSetInfoConfig())
        .clientCapaConfig(base.getClientCapaConfig())
        .build();
  }

  /**
   * Pool settings for {@link JedisPooled} and cluster node pools: valkey-java's {@link
   * ConnectionPoolConfig} defaults with {@link #configurePool} applied.
   */
  public ConnectionPoolConfig poolConfig() {
    return configurePool(new ConnectionPoolConfig());
  }

  /**
   * Pool settings for {@link JedisPool}: valkey-java's {@link JedisPoolConfig} defaults with {@link
   * #configureJedisPool} applied.
   */
  public JedisPoolConfig jedisPoolConfig() {
    return configureJedisPool(new JedisPoolConfig());
  }

  /**
   * Applies what renewal needs to the app's pool settings (of {@code Connection}s): an eviction
   * policy that re-authenticates each idle connection when due and evicts it when it must retire
   * (then defers to commons-pool2's idle-time policy), the evictor running at least every {@link
   * #evictionPeriod()}, over every idle connection. Other settings are kept.
   *
   * <p>In a pool the app builds with these settings, a connection is unknown to the adapter until
   * the evictor first visits it: it is re-authenticated then (its last authentication is unknown),
   * and counted by {@link #renewals()} until the evictor evicts it, or, when the pool destroys it
   * otherwise, until the garbage collector collects it.
   *
   * @param poolConfig the app's settings, changed in place
   * @param <C> the settings type
   * @return the same settings
   */
  public <C extends GenericObjectPoolConfig<Connection>> C configurePool(C poolConfig) {
    poolConfig.setEvictionPolicy(new RenewingEvictionPolicy<Connection>(renewer, c -> c));
    evictOften(poolConfig);
    return poolConfig;
  }

  /**
   * As {@link #configurePool}, for a {@link JedisPool}'s settings (of {@code Jedis} objects).
   *
   * @param poolConfig the app's settings, changed in place
   * @param <C> the settings type
   * @return the same settings
   */
  public <C extends GenericObjectPoolConfig<Jedis>> C configureJedisPool(C poolConfig) {
    poolConfig.setEvictionPolicy(new RenewingEvictionPolicy<Jedis>(renewer, Jedis::getConnection));
    evictOften(poolConfig);
    return poolConfig;
  }

  private void evictOften(GenericObjectPoolConfig<?> poolConfig) {
    Duration period = renewer.evictionPeriod();
    Duration current = poolConfig.getDurationBetweenEvictionRuns();
    if (current.isNegative() || current.isZero() || current.compareTo(period) > 0) {
      poolConfig.setTimeBetweenEvictionRuns(period);
    }
    poolConfig.setNumTestsPerEvictionRun(-1);
  }

  private static HostAndPort hostAndPort(String host, int port) {
    List<String> problems = new ArrayList<>();
    if (host == null || host.isBlank()) {
      problems.add("host: " + (host == null ? "null" : "blank") + " (expected an endpoint host)");
    }
    if (port < 1 || port > 65535) {
      problems.add("port: " + port + " is out of range (expected 1 to 65535, e.g. 6379)");
    }
    if (!problems.isEmpty()) {
      throw new IamConfigurationException(problems);
    }
    return new HostAndPort(host, port);
  }

  /**
   * Gives back this adapter's lease on the JVM's shared token provider for its configuration (the
   * last lease closes it); a provider given to the builder's {@code tokenProvider(...)} is left
   * open. Close the clients first.
   */
  @Override
  public void close() {
    held.close();
  }

  @Override
  public String toString() {
    return "IamValkey["
        + tokens.target().description()
        + ", "
        + policy
        + (plaintextAllowed ? ", PLAINTEXT ALLOWED" : "")
        + "]";
  }

  /**
   * Builds an {@link IamValkey}: the core's {@link IamAdapterBuilder} (the token provider's
   * configuration or its shortcuts, or a ready token provider; renewal policy; trust store;
   * plaintext opt-out) plus valkey-java's own {@link #sslSocketFactory(SSLSocketFactory)}. Every
   * problem is reported at once.
   */
  public static final class Builder extends IamAdapterBuilder<Builder> {
    private @Nullable SSLSocketFactory sslSocketFactory;

    private Builder() {}

    /**
     * The TLS socket factory for connections whose settings name none. Not combinable with {@link
     * #trustStore(KeyStore)}.
     *
     * @param factory the factory
     * @return this builder
     */
    public Builder sslSocketFactory(SSLSocketFactory factory) {
      this.sslSocketFactory = Objects.requireNonNull(factory, "sslSocketFactory");
      return this;
    }

    /**
     * Builds the adapter and starts fetching the first token in the background.
     *
     * @throws IamConfigurationException listing every problem
     */
    public IamValkey build() {
      List<String> problems = new ArrayList<>();
      if (trustStore() != null && sslSocketFactory != null) {
        problems.add(
            "trustStore: given together with sslSocketFactory (expected one or the other: build"
                + " the factory from the trust store)");
      }
      SSLContext ssl = sslContext(problems);
      SSLSocketFactory sockets = ssl != null ? ssl.getSocketFactory() : sslSocketFactory;
      Tokens tokens = tokens(problems, "IamValkey", REDIS_KINDS);
      if (!problems.isEmpty() || tokens == null) {
        if (tokens != null) {
          tokens.close();
        }
        throw new IamConfigurationException(problems);
      }
      return new IamValkey(tokens, renewalPolicy(), plaintextAllowed(), sockets);
    }
  }
}
