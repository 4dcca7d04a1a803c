package io.github.iamauth4j.valkey;

import io.github.iamauth4j.core.IamAuthConfig;
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
import java.security.GeneralSecurityException;
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
import javax.net.ssl.TrustManagerFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jspecify.annotations.Nullable;

/**
 * The entry point of the valkey-java adapter: IAM authentication for valkey-java 5.x ({@code
 * io.valkey}) pools and clusters against ElastiCache and MemoryDB, with TLS on and every connection
 * kept under the server's 12-hour limit, which valkey-java itself does nothing about.
 *
 * <pre>{@code
 * IamValkey iam = IamValkey.builder()
 *     .auth(IamAuthConfig.builder()
 *         .target(IamTarget.elastiCache("orders", "app"))   // replication group id, IAM user id
 *         .region("us-east-1")
 *         .build())
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
 * <p>Thread-safe; meant to live as long as the app: one per target, shared by its clients.
 */
public final class IamValkey implements AutoCloseable {
  private static final String OPT_OUT = "IamValkey.Builder." + TlsRule.OPT_OUT;
  private static final JedisClientConfig TLS_DEFAULTS =
      DefaultJedisClientConfig.builder().ssl(true).build();

  private final IamTokenProvider tokens;
  private final @Nullable AutoCloseable lease;
  private final boolean ownsTokens;
  private final RenewalPolicy policy;
  private final Renewer renewer;
  private final IamCredentialsProvider credentials;
  private final @Nullable SSLSocketFactory sslSocketFactory;
  private final boolean plaintextAllowed;

  private IamValkey(
      Builder b,
      IamTokenProvider tokens,
      @Nullable AutoCloseable lease,
      @Nullable SSLSocketFactory sslSocketFactory) {
    this.tokens = tokens;
    this.lease = lease;
    this.ownsTokens = b.tokenProvider == null;
    this.policy = b.renewalPolicy;
    this.renewer = new Renewer(tokens, policy);
    this.credentials = new IamCredentialsProvider(tokens);
    this.sslSocketFactory = sslSocketFactory;
    this.plaintextAllowed = b.plaintextAllowed;
    // The first connection should find a token ready; the fetch runs on the core's threads.
    tokens.prefetch();
  }

  /** A builder; an {@linkplain Builder#auth(IamAuthConfig) auth configuration} is required. */
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
        new IamClusterConnectionProvider(
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
   * Closes the token provider if this adapter built it, or gives back its lease on a shared one; a
   * provider given to {@link Builder#tokenProvider} is left open. Close the clients first.
   */
  @Override
  public void close() {
    if (lease != null) {
      try {
        lease.close();
      } catch (Exception e) {
        // a lease's close does not throw
      }
    } else if (ownsTokens) {
      tokens.close();
    }
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

  /** Builds an {@link IamValkey}. */
  public static final class Builder {
    private @Nullable IamAuthConfig auth;
    private @Nullable IamTokenProvider tokenProvider;
    private RenewalPolicy renewalPolicy = RenewalPolicy.defaults();
    private @Nullable KeyStore trustStore;
    private @Nullable SSLSocketFactory sslSocketFactory;
    private boolean plaintextAllowed;

    private Builder() {}

    /**
     * The provider configuration (target, region, credentials, …). The tokens come from the JVM's
     * {@linkplain IamTokenProvider#shared(IamAuthConfig) shared provider} for it, so every client
     * of the same target reuses one cached token.
     *
     * @param config the configuration
     */
    public Builder auth(IamAuthConfig config) {
      this.auth = Objects.requireNonNull(config, "auth");
      return this;
    }

    /**
     * A ready token provider instead of {@link #auth(IamAuthConfig)}; {@link IamValkey#close()}
     * leaves it open.
     *
     * @param provider the token provider
     */
    public Builder tokenProvider(IamTokenProvider provider) {
      this.tokenProvider = Objects.requireNonNull(provider, "tokenProvider");
      return this;
    }

    /**
     * How often connections re-authenticate and when those that cannot are retired. Default {@link
     * RenewalPolicy#defaults()}: every hour less up to 10 minutes; retired after 6 hours (less up
     * to 1) without authenticating.
     *
     * @param policy the policy
     */
    public Builder renewalPolicy(RenewalPolicy policy) {
      this.renewalPolicy = Objects.requireNonNull(policy, "renewalPolicy");
      return this;
    }

    /**
     * Certificates to trust for TLS when the server's are not signed by a CA the JVM trusts (a
     * private CA, a local emulator). Default: the JVM's trust store.
     *
     * @param trustStore the trusted certificates
     */
    public Builder trustStore(KeyStore trustStore) {
      this.trustStore = Objects.requireNonNull(trustStore, "trustStore");
      return this;
    }

    /**
     * The TLS socket factory for connections whose settings name none. Not combinable with {@link
     * #trustStore(KeyStore)}.
     *
     * @param factory the factory
     */
    public Builder sslSocketFactory(SSLSocketFactory factory) {
      this.sslSocketFactory = Objects.requireNonNull(factory, "sslSocketFactory");
      return this;
    }

    /**
     * Allows client settings without TLS or without host verification, for a local Redis or Valkey
     * in development and tests only: the token is a bearer secret and goes out in clear (logged as
     * a warning once per client). The ready clients still use TLS unless given settings with {@code
     * ssl(false)}.
     */
    public Builder allowPlaintextForLocalTesting() {
      this.plaintextAllowed = true;
      return this;
    }

    /**
     * Builds the adapter and starts fetching the first token in the background.
     *
     * @throws IamConfigurationException listing every problem
     */
    public IamValkey build() {
      List<String> problems = new ArrayList<>();
      if (auth == null && tokenProvider == null) {
        problems.add(
            "auth: missing (expected IamAuthConfig.builder().target(...).region(...).build(), or"
                + " a tokenProvider)");
      }
      if (auth != null && tokenProvider != null) {
        problems.add("tokenProvider: given together with auth (expected one or the other)");
      }
      if (trustStore != null && sslSocketFactory != null) {
        problems.add(
            "trustStore: given together with sslSocketFactory (expected one or the other: build"
                + " the factory from the trust store)");
      }
      SSLSocketFactory sockets = sslSocketFactory;
      if (trustStore != null) {
        try {
          TrustManagerFactory tmf =
              TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
          tmf.init(trustStore);
          SSLContext context = SSLContext.getInstance("TLS");
          context.init(null, tmf.getTrustManagers(), null);
          sockets = context.getSocketFactory();
        } catch (GeneralSecurityException e) {
          problems.add("trustStore: unusable (" + e.getMessage() + ")");
        }
      }
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      if (tokenProvider != null) {
        return new IamValkey(this, tokenProvider, null, sockets);
      }
      IamTokenProvider.Lease lease = IamTokenProvider.shared(Objects.requireNonNull(auth));
      return new IamValkey(this, lease.provider(), lease, sockets);
    }
  }
}
