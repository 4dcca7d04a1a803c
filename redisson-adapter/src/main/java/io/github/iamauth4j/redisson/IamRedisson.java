package io.github.iamauth4j.redisson;

import io.github.iamauth4j.core.IamAdapterBuilder;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TlsRule;
import io.github.iamauth4j.redisson.internal.RedissonConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.NettyHook;
import org.redisson.config.Config;

/**
 * The entry point of the Redisson adapter: a Redisson {@link Config} (or {@link RedissonClient})
 * whose connections authenticate with IAM tokens over TLS and re-authenticate live, so that none is
 * cut at the server's 12-hour limit (Redisson 3.52 or later).
 *
 * <pre>{@code
 * IamRedisson iam = IamRedisson.builder()
 *     .target(IamTarget.elastiCache("orders", "app"))   // replication group id, IAM user id
 *     .region("us-east-1")
 *     .build();
 * RedissonClient redisson = Redisson.create(
 *     iam.singleServer("master.orders.abc123.use1.cache.amazonaws.com", 6379));
 * }</pre>
 *
 * <p>Cluster mode (ElastiCache cluster mode on, MemoryDB): {@link #cluster(String, int)}. A primary
 * with read replicas: {@link #primaryAndReaders(String, String, int)}. Any other Redisson setup:
 * {@link #configure(Config)} on the app's own {@code Config}.
 *
 * <p>What it sets up, on a copy of the configuration: the {@link IamCredentialsResolver} (user name
 * from the target, a cached token as password, never blocking a Netty event loop, and {@code
 * nextRenewal()} on the {@link RenewalPolicy}'s jittered interval, so that Redisson sends {@code
 * AUTH} on each live connection, pub/sub included, and on a connection blocked in {@code BLPOP}
 * once that command has its reply); the {@link IamNettyHook} (the resolver checks each connection's
 * TLS through it, and it holds an {@code AUTH} while a {@code MULTI} is open); RESP3, which lets
 * Redis take {@code AUTH} on a subscribed connection. Every address must be {@code rediss://} with
 * {@code sslVerificationMode} STRICT (Redisson's default), unless {@link
 * Builder#allowPlaintextForLocalTesting()} is called.
 *
 * <p>During a migration from passwords, with a {@linkplain
 * io.github.iamauth4j.core.IamAuthConfig.Builder#passwordFallback fallback password} in the
 * configuration: connections use IAM first and the password when IAM cannot be used; an {@code
 * AUTH} whose token the server refuses is sent again with the password on the same connection, so
 * that {@code Redisson.create} and every renewal succeed (see the README, "Migrating from a
 * password").
 *
 * <p>Thread-safe; keep one per target for the life of the app, and close it after the clients.
 */
public final class IamRedisson implements AutoCloseable {
  private final IamTokenProvider tokens;
  private final IamAdapterBuilder.Tokens held;
  private final RenewalPolicy policy;
  private final boolean plaintextAllowed;
  private final @Nullable TrustManagerFactory trust;
  private final IamCredentialsResolver resolver;

  private IamRedisson(
      IamAdapterBuilder.Tokens held,
      RenewalPolicy policy,
      boolean plaintextAllowed,
      @Nullable TrustManagerFactory trust) {
    this.held = held;
    this.tokens = held.provider();
    this.policy = policy;
    this.plaintextAllowed = plaintextAllowed;
    this.trust = trust;
    this.resolver =
        new IamCredentialsResolver(tokens, policy, tokens.firstTokenTimeout(), plaintextAllowed);
    // The first connection should find a token ready; the fetch runs on the core's threads.
    tokens.prefetch();
  }

  /** A builder; a target, a provider configuration or a ready token provider is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A configuration for one endpoint: a replication group's primary (or reader) endpoint with
   * cluster mode off, or a serverless cache's endpoint.
   *
   * @param host the endpoint host
   * @param port the port, e.g. 6379
   * @return a new configuration; change it freely (keep the address {@code rediss://})
   */
  public Config singleServer(String host, int port) {
    Config config = new Config();
    config.useSingleServer().setAddress(address(host, port));
    return configure(config);
  }

  /**
   * A configuration for a cluster: ElastiCache with cluster mode on (its configuration endpoint) or
   * MemoryDB (its cluster endpoint). Redisson discovers the nodes; each one authenticates and
   * re-authenticates with IAM tokens.
   *
   * @param host the configuration endpoint
   * @param port the port
   * @return a new configuration
   */
  public Config cluster(String host, int port) {
    Config config = new Config();
    config.useClusterServers().addNodeAddress(address(host, port));
    return configure(config);
  }

  /**
   * A configuration for a replication group with cluster mode off and read replicas: writes go to
   * the primary endpoint, reads to the reader endpoint (Redisson's {@code useMasterSlaveServers}
   * with {@code ReadMode.SLAVE}). ElastiCache moves both endpoints' DNS names on a failover.
   *
   * @param primaryHost the primary endpoint
   * @param readerHost the reader endpoint
   * @param port the port
   * @return a new configuration
   */
  public Config primaryAndReaders(String primaryHost, String readerHost, int port) {
    Config config = new Config();
    config
        .useMasterSlaveServers()
        .setMasterAddress(address(primaryHost, port))
        .addSlaveAddress(address(readerHost, port));
    return configure(config);
  }

  private String address(String host, int port) {
    Objects.requireNonNull(host, "host");
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return (plaintextAllowed ? "redis://" : "rediss://") + h + ":" + port;
  }

  /**
   * A copy of the app's own configuration (single server, cluster, replicated or master/slave) with
   * IAM authentication: this adapter's credentials resolver on the server section, the {@link
   * IamNettyHook} around the app's hook, RESP3, and the trust store given to the builder, if any.
   * Everything else is kept.
   *
   * @param config the app's configuration; not changed
   * @return the copy
   * @throws io.github.iamauth4j.core.InsecureConnectionException if an address is not {@code
   *     rediss://} or {@code sslVerificationMode} is not STRICT, unless {@link
   *     Builder#allowPlaintextForLocalTesting()} was called
   * @throws IamConfigurationException if no server is set, Sentinel is, or an address carries a
   *     user name or password
   */
  public Config configure(Config config) {
    return RedissonConfigs.secure(
        Objects.requireNonNull(config, "config"),
        resolver,
        IamRedisson::hook,
        trust,
        plaintextAllowed,
        "IamRedisson.Builder." + TlsRule.OPT_OUT);
  }

  private static NettyHook hook(NettyHook existing) {
    if (existing instanceof IamNettyHook) {
      return existing;
    }
    return new IamNettyHook(existing);
  }

  /**
   * A Redisson client for the app's configuration (see {@link #configure(Config)}). Connects now:
   * with the wrong token this throws Redisson's {@code RedisConnectionException} caused by its
   * {@code RedisWrongPasswordException} ({@code WRONGPASS}). Shut it down before closing this.
   *
   * @param config the app's configuration
   * @return the client
   */
  public RedissonClient redissonClient(Config config) {
    return Redisson.create(configure(config));
  }

  /** The credentials resolver every configuration from this adapter uses. */
  public IamCredentialsResolver credentialsResolver() {
    return resolver;
  }

  /** The token cache shared by all connections of this target. */
  public IamTokenProvider tokenProvider() {
    return tokens;
  }

  /** The renewal policy pacing the re-authentication of live connections. */
  public RenewalPolicy renewalPolicy() {
    return policy;
  }

  /** Whether plaintext was allowed by {@link Builder#allowPlaintextForLocalTesting()}. */
  public boolean plaintextAllowed() {
    return plaintextAllowed;
  }

  /**
   * Closes the token provider if this adapter built it (not one given to the builder). Shut the
   * Redisson clients down first: their connections' renewals end with the provider.
   */
  @Override
  public void close() {
    resolver.close();
    held.close();
  }

  @Override
  public String toString() {
    return "IamRedisson["
        + tokens.target().description()
        + ", "
        + policy
        + (plaintextAllowed ? ", PLAINTEXT ALLOWED" : "")
        + "]";
  }

  /**
   * Builds an {@link IamRedisson}: the core's {@link IamAdapterBuilder} (the token provider's
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
    public IamRedisson build() {
      List<String> problems = new ArrayList<>();
      TrustManagerFactory tmf = trustManagerFactory(problems);
      Tokens tokens = tokens(problems, "IamRedisson", REDIS_KINDS);
      if (!problems.isEmpty() || tokens == null) {
        if (tokens != null) {
          tokens.close();
        }
        throw new IamConfigurationException(problems);
      }
      return new IamRedisson(tokens, renewalPolicy(), plaintextAllowed(), tmf);
    }
  }
}
