package io.github.iamauth4j.redisson;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TlsRule;
import io.github.iamauth4j.redisson.internal.RedissonConfigs;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.NettyHook;
import org.redisson.config.Config;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

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
 * <p>Thread-safe; keep one per target for the life of the app, and close it after the clients.
 */
public final class IamRedisson implements AutoCloseable {
  private final IamTokenProvider tokens;
  private final boolean ownsTokens;
  private final RenewalPolicy policy;
  private final boolean plaintextAllowed;
  private final @Nullable TrustManagerFactory trust;
  private final IamCredentialsResolver resolver;

  private IamRedisson(Builder b, IamTokenProvider tokens, @Nullable TrustManagerFactory trust) {
    this.tokens = tokens;
    this.ownsTokens = b.tokenProvider == null;
    this.policy = b.renewalPolicy;
    this.plaintextAllowed = b.plaintextAllowed;
    this.trust = trust;
    Duration firstToken =
        b.firstTokenTimeout != null ? b.firstTokenTimeout : tokens.firstTokenTimeout();
    this.resolver = new IamCredentialsResolver(tokens, policy, firstToken, plaintextAllowed);
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
    if (ownsTokens) {
      tokens.close();
    }
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

  /** Builds an {@link IamRedisson}. */
  public static final class Builder {
    private IamAuthConfig.@Nullable Builder settings;
    private @Nullable IamAuthConfig config;
    private @Nullable IamTokenProvider tokenProvider;
    private RenewalPolicy renewalPolicy = RenewalPolicy.defaults();
    private @Nullable Duration firstTokenTimeout;
    private @Nullable KeyStore trustStore;
    private boolean plaintextAllowed;

    private Builder() {}

    private IamAuthConfig.Builder settings() {
      if (settings == null) {
        settings = IamAuthConfig.builder();
      }
      return settings;
    }

    /**
     * What the tokens authorise, e.g. {@code IamTarget.elastiCache("orders", "app")}, {@code
     * elastiCacheServerless(...)} or {@code memoryDb(...)}.
     *
     * @param target the target
     */
    public Builder target(IamTarget target) {
      settings().target(target);
      return this;
    }

    /**
     * The signing region, e.g. {@code us-east-1}. Default: from the {@linkplain #endpoint(String)
     * endpoint}, else the AWS SDK's region chain.
     *
     * @param region the region
     */
    public Builder region(String region) {
      settings().region(Objects.requireNonNull(region, "region"));
      return this;
    }

    /**
     * An AWS endpoint host to take the region from, e.g. {@code
     * master.orders.abc123.use1.cache.amazonaws.com}.
     *
     * @param endpointHost the host the client connects to
     */
    public Builder endpoint(String endpointHost) {
      settings().endpoint(Objects.requireNonNull(endpointHost, "endpoint"));
      return this;
    }

    /**
     * The AWS credentials that sign the tokens. Default: the AWS SDK's default chain.
     *
     * @param provider the credentials provider
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      settings().credentialsProvider(provider);
      return this;
    }

    /**
     * Adds a listener for token and connection events (token issued, refresh failed, connection
     * re-authenticated, re-authentication failed).
     *
     * @param listener the listener
     */
    public Builder listener(IamAuthListener listener) {
      settings().listener(listener);
      return this;
    }

    /**
     * The whole provider configuration, shared with the other adapters. Not combinable with target,
     * region, endpoint, credentials provider and listener.
     *
     * @param config the configuration
     */
    public Builder config(IamAuthConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * A ready token provider, e.g. one shared with other clients of the same target. Not combinable
     * with the provider settings; {@link IamRedisson#close()} does not close it.
     *
     * @param provider the token provider
     */
    public Builder tokenProvider(IamTokenProvider provider) {
      this.tokenProvider = Objects.requireNonNull(provider, "tokenProvider");
      return this;
    }

    /**
     * How often live connections re-authenticate. Default {@link RenewalPolicy#defaults()}: every
     * hour less up to 10 minutes of jitter, eleven chances before the 12-hour limit.
     *
     * @param policy the policy
     */
    public Builder renewalPolicy(RenewalPolicy policy) {
      this.renewalPolicy = Objects.requireNonNull(policy, "renewalPolicy");
      return this;
    }

    /**
     * How long a connection waits for the very first token before failing with a {@link
     * io.github.iamauth4j.core.TokenUnavailableException} naming the cache and user. Default: the
     * provider's (5 seconds), below Redisson's connect timeout (10 seconds).
     *
     * @param timeout the timeout, more than zero
     */
    public Builder firstTokenTimeout(Duration timeout) {
      this.firstTokenTimeout = Objects.requireNonNull(timeout, "firstTokenTimeout");
      return this;
    }

    /**
     * Certificates to trust for TLS when the server's are not signed by a CA the JVM trusts (a
     * private CA, the testkit's emulator). Default: the JVM's trust store, or the app's own
     * Redisson trust settings.
     *
     * @param trustStore the trusted certificates
     */
    public Builder trustStore(KeyStore trustStore) {
      this.trustStore = Objects.requireNonNull(trustStore, "trustStore");
      return this;
    }

    /**
     * Allows {@code redis://} addresses and TLS without host name verification, for a local Redis
     * or Valkey in development and tests only: the token is a bearer secret. ElastiCache and
     * MemoryDB refuse IAM authentication without TLS anyway. The helpers then build {@code
     * redis://} addresses.
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
    public IamRedisson build() {
      List<String> problems = new ArrayList<>();
      int sources = (settings != null ? 1 : 0) + (config != null ? 1 : 0);
      sources += tokenProvider != null ? 1 : 0;
      if (sources > 1) {
        problems.add(
            "tokenProvider/config: more than one of a token provider, a provider configuration"
                + " and target/region/endpoint/credentialsProvider/listener given (expected one)");
      }
      if (firstTokenTimeout != null
          && (firstTokenTimeout.isNegative() || firstTokenTimeout.isZero())) {
        problems.add(
            "firstTokenTimeout: " + firstTokenTimeout + " is not positive (expected e.g. PT5S)");
      }
      TrustManagerFactory tmf = null;
      if (trustStore != null) {
        try {
          tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
          tmf.init(trustStore);
        } catch (GeneralSecurityException e) {
          problems.add("trustStore: unusable (" + e.getMessage() + ")");
        }
      }
      IamTokenProvider tokens = tokenProvider;
      if (tokens == null && sources <= 1) {
        try {
          IamAuthConfig c = config;
          if (c == null) {
            c = settings().build();
          }
          tokens = IamTokenProvider.create(c);
        } catch (IamConfigurationException e) {
          problems.addAll(e.problems());
        }
      }
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      return new IamRedisson(this, Objects.requireNonNull(tokens), tmf);
    }
  }
}
