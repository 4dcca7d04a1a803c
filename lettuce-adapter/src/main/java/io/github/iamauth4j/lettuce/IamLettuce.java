package io.github.iamauth4j.lettuce;

import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamAdapterBuilder;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RefreshScheduler;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TlsRule;
import io.github.iamauth4j.lettuce.internal.ClusterConnectionReauthenticator;
import io.github.iamauth4j.lettuce.internal.IamRedisClient;
import io.github.iamauth4j.lettuce.internal.IamRedisClusterClient;
import io.github.iamauth4j.lettuce.internal.ReauthenticationReporter;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.event.DefaultEventBus;
import io.lettuce.core.event.EventBus;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Schedulers;

/**
 * The entry point of the Lettuce adapter: IAM authentication for {@link RedisClient} and {@link
 * RedisClusterClient} (Lettuce 6.6 or later), with TLS on and live re-authentication, so that
 * connections are never cut at the server's 12-hour limit.
 *
 * <p>Standalone (replication group, or serverless):
 *
 * <pre>{@code
 * IamLettuce iam = IamLettuce.builder()
 *     .target(IamTarget.elastiCache("orders", "app"))   // or elastiCacheServerless(...)
 *     .region("us-east-1")
 *     .build();
 * RedisClient client = iam.redisClient("master.orders.abc123.use1.cache.amazonaws.com", 6379);
 * StatefulRedisConnection<String, String> connection = client.connect();
 * }</pre>
 *
 * <p>Cluster mode (ElastiCache cluster mode on, or MemoryDB):
 *
 * <pre>{@code
 * RedisClusterClient cluster = iam.clusterClient("clustercfg.orders.abc123.use1.cache.amazonaws.com", 6379);
 * }</pre>
 *
 * <p>With an existing client setup, use the parts: {@link #redisUri(RedisURI)} (checks TLS and
 * attaches the credentials), {@link #configure(ClientOptions.Builder)} (applies what Lettuce needs
 * to the app's own options builder) and {@link #reportReauthentications(AbstractRedisClient)}.
 *
 * <p>What it sets up: the {@link IamRedisCredentialsProvider} (user name from the target, a cached
 * token as password, fetched off the event loop); {@code rediss://} with full peer verification;
 * {@link ClientOptions.ReauthenticateBehavior#ON_NEW_CREDENTIALS} so that Lettuce sends {@code
 * AUTH} on live connections each time the provider streams fresh credentials (on the {@link
 * RenewalPolicy}'s jittered interval, 1 hour by default, held until {@code EXEC} inside a {@code
 * MULTI}); RESP3, which Lettuce needs to re-authenticate pub/sub connections. Plaintext is refused
 * unless {@link Builder#allowPlaintextForLocalTesting()} is called.
 *
 * <p>During a migration from passwords, with a {@linkplain
 * io.github.iamauth4j.core.IamAuthConfig.Builder#passwordFallback fallback password} in the
 * configuration: connections use IAM first and the password when IAM cannot be used; the clients
 * built here connect once more with the password when the server refuses the token, so that {@code
 * connect()} succeeds, and the event reporters move reconnects and re-authentications to the
 * password the same way (see the README, "Migrating from a password").
 *
 * <p>Thread-safe and meant to live as long as the app: one per target, shared by the clients of
 * that target.
 */
public final class IamLettuce implements AutoCloseable {

  private final IamTokenProvider tokens;
  private final IamAdapterBuilder.Tokens lease;
  private final RenewalPolicy policy;
  private final IamRedisCredentialsProvider credentials;
  private final boolean plaintextAllowed;
  private final @Nullable SslOptions sslOptions;

  private IamLettuce(
      IamAdapterBuilder.Tokens held,
      RenewalPolicy policy,
      boolean plaintextAllowed,
      @Nullable RefreshScheduler renewalScheduler,
      @Nullable SslOptions sslOptions) {
    this.tokens = held.provider();
    this.lease = held;
    this.policy = policy;
    this.plaintextAllowed = plaintextAllowed;
    this.sslOptions = sslOptions;
    RefreshScheduler scheduler = renewalScheduler != null ? renewalScheduler : tokens.scheduler();
    this.credentials =
        new IamRedisCredentialsProvider(ConnectionRenewals.of(tokens, policy, scheduler));
    // The first connection should find a token ready; the fetch runs on the core's threads.
    tokens.prefetch();
  }

  /** A builder; a target (or a ready token provider) is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The Lettuce credentials provider, for a connection to {@code uri}: the hook for setups that
   * attach credentials themselves (e.g. Spring Data Redis's {@code
   * RedisCredentialsProviderFactory}). The URI's transport is checked first, so that the hook never
   * reaches a plaintext connection.
   *
   * @param uri the URI of the connection the provider will serve
   * @return the provider (one per adapter, shared by its connections)
   * @throws io.github.iamauth4j.core.InsecureConnectionException if the URI is plaintext or does
   *     not verify the peer, unless {@link Builder#allowPlaintextForLocalTesting()} was called
   */
  public IamRedisCredentialsProvider credentialsProvider(RedisURI uri) {
    checkTransport(uri);
    return credentials;
  }

  /**
   * As {@link #credentialsProvider(RedisURI)}, from the connection's settings as a framework holds
   * them (e.g. Spring Data Redis's {@code RedisConfiguration} and {@code useSsl()}).
   *
   * @param host the host the connection goes to
   * @param port its port
   * @param ssl whether the connection uses TLS
   * @param verifyPeer whether TLS verifies the server's certificate and host name
   * @return the provider
   * @throws io.github.iamauth4j.core.InsecureConnectionException if TLS is off or does not verify
   *     the peer, unless {@link Builder#allowPlaintextForLocalTesting()} was called
   */
  public IamRedisCredentialsProvider credentialsProvider(
      String host, int port, boolean ssl, boolean verifyPeer) {
    TlsRule.check(
        "Redis connection " + host + ":" + port,
        ssl ? "TLS peer verification" : "TLS (rediss://, ssl)",
        ssl,
        verifyPeer,
        plaintextAllowed,
        "IamLettuce.Builder.allowPlaintextForLocalTesting()");
    return credentials;
  }

  /** The provider without a transport check, for this package's tests. */
  IamRedisCredentialsProvider credentials() {
    return credentials;
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
   * A {@link RedisURI} for an endpoint: TLS with full peer verification (host name checked), and
   * this adapter's credentials provider. Without TLS only after {@link
   * Builder#allowPlaintextForLocalTesting()}.
   *
   * @param host the endpoint host, e.g. the primary or configuration endpoint
   * @param port the port, e.g. 6379
   */
  public RedisURI redisUri(String host, int port) {
    Objects.requireNonNull(host, "host");
    return RedisURI.builder()
        .withHost(host)
        .withPort(port)
        .withSsl(!plaintextAllowed)
        .withVerifyPeer(SslVerifyMode.FULL)
        .withAuthentication(credentials)
        .build();
  }

  /**
   * A copy of the app's own {@link RedisURI} with this adapter's credentials provider in place of
   * any user name and password it carries; everything else (timeouts, client name, database, TLS
   * settings) is kept.
   *
   * @param uri the app's URI; must use TLS ({@code rediss://}) with peer verification
   * @throws IamConfigurationException if the URI is plaintext or does not verify the peer, unless
   *     {@link Builder#allowPlaintextForLocalTesting()} was called
   */
  public RedisURI redisUri(RedisURI uri) {
    checkTransport(uri);
    return RedisURI.builder(uri).withAuthentication(credentials).build();
  }

  private void checkTransport(RedisURI uri) {
    boolean ssl = uri.isSsl();
    TlsRule.check(
        "RedisURI " + uri.getHost() + ":" + uri.getPort(),
        ssl
            ? "RedisURI verifyPeer (expected SslVerifyMode.FULL or CA)"
            : "rediss:// (RedisURI.Builder.withSsl(true))",
        ssl,
        uri.getVerifyMode() != SslVerifyMode.NONE,
        plaintextAllowed,
        "IamLettuce.Builder.allowPlaintextForLocalTesting()");
  }

  /**
   * Applies what IAM authentication needs to the app's own options builder (a {@link
   * ClientOptions.Builder} or a {@link ClusterClientOptions.Builder}): re-authentication on new
   * credentials, RESP3, and the TLS trust settings if any were given to this adapter.
   *
   * @param builder the app's builder
   * @param <B> the builder type
   * @return the same builder
   */
  public <B extends ClientOptions.Builder> B configure(B builder) {
    builder
        .reauthenticateBehavior(ClientOptions.ReauthenticateBehavior.ON_NEW_CREDENTIALS)
        .protocolVersion(ProtocolVersion.RESP3);
    if (sslOptions != null) {
      builder.sslOptions(sslOptions);
    }
    return builder;
  }

  /**
   * Gives the app's own {@link ClientResources.Builder} an event bus whose re-authentication events
   * ({@code ReauthenticationEvent}, {@code ReauthenticationFailedEvent}) reach the token provider's
   * {@link IamAuthListener}s, so that clients built by a framework (e.g. Spring Data Redis, through
   * a {@code ClientResourcesBuilderCustomizer}) report them with no further call. Lettuce's other
   * events are published on it as usual.
   *
   * @param builder the app's resources builder
   * @return the same builder
   */
  public ClientResources.Builder configure(ClientResources.Builder builder) {
    EventBus bus = new DefaultEventBus(Schedulers.boundedElastic());
    ReauthenticationReporter.install(bus, tokens.events(), credentials.fallback());
    return builder.eventBus(bus);
  }

  /**
   * Client options for a {@link RedisClient}: Lettuce's defaults plus {@link
   * #configure(ClientOptions.Builder)}.
   */
  public ClientOptions clientOptions() {
    return configure(ClientOptions.builder()).build();
  }

  /**
   * Client options for a {@link RedisClusterClient}: Lettuce's defaults plus {@link
   * #configure(ClientOptions.Builder)}.
   */
  public ClusterClientOptions clusterClientOptions() {
    return configure(ClusterClientOptions.builder()).build();
  }

  /**
   * A {@link RedisClient} for a standalone endpoint (a replication group's primary or reader
   * endpoint, or a serverless cache), with {@link #clientOptions()} and re-authentication outcomes
   * reported to the token provider's listeners. Shut it down when done.
   *
   * @param host the endpoint host
   * @param port the port
   */
  public RedisClient redisClient(String host, int port) {
    return redisClient(redisUri(host, port));
  }

  /**
   * A {@link RedisClient} for the app's own URI (see {@link #redisUri(RedisURI)}), with {@link
   * #clientOptions()} and re-authentication outcomes reported to the token provider's listeners.
   *
   * @param uri the app's URI
   * @throws IamConfigurationException if the URI is plaintext (see {@link #redisUri(RedisURI)})
   */
  public RedisClient redisClient(RedisURI uri) {
    return redisClient(null, uri);
  }

  /**
   * A {@link RedisClient} on the app's own {@link ClientResources} (e.g. shared event loops), for
   * the app's URI (see {@link #redisUri(RedisURI)}), with {@link #clientOptions()} and
   * re-authentication outcomes reported.
   *
   * @param resources the resources, or null for the client's own
   * @param uri the app's URI
   * @throws IamConfigurationException if the URI is plaintext (see {@link #redisUri(RedisURI)})
   */
  public RedisClient redisClient(@Nullable ClientResources resources, RedisURI uri) {
    RedisURI secured = redisUri(uri);
    RedisClient client = new IamRedisClient(resources, secured, credentials.fallback());
    client.setOptions(clientOptions());
    reportReauthentications(client);
    return client;
  }

  /**
   * A {@link RedisClusterClient} seeded with a cluster's configuration endpoint, with {@link
   * #clusterClientOptions()} and re-authentication outcomes reported. Every node connection,
   * including those opened after a {@code MOVED} or a topology refresh, authenticates and
   * re-authenticates with this adapter's credentials.
   *
   * @param host the configuration endpoint (or any node)
   * @param port the port
   */
  public RedisClusterClient clusterClient(String host, int port) {
    return clusterClient(List.of(redisUri(host, port)));
  }

  /**
   * A {@link RedisClusterClient} seeded with the app's own URIs (see {@link #redisUri(RedisURI)}).
   *
   * @param seeds one or more node URIs
   * @throws IamConfigurationException if a URI is plaintext
   */
  public RedisClusterClient clusterClient(Iterable<RedisURI> seeds) {
    return clusterClient(null, seeds);
  }

  /**
   * A {@link RedisClusterClient} on the app's own {@link ClientResources}, seeded with the app's
   * URIs (see {@link #redisUri(RedisURI)}), with {@link #clusterClientOptions()} and
   * re-authentication outcomes reported.
   *
   * <p>The client is a subclass of {@link RedisClusterClient} that also re-authenticates the node
   * channel each cluster connection keeps for commands without a key, which Lettuce itself leaves
   * out (see {@link #reauthenticate(StatefulRedisClusterConnection)}).
   *
   * @param resources the resources, or null for the client's own
   * @param seeds one or more node URIs
   * @throws IamConfigurationException if a URI is plaintext
   */
  public RedisClusterClient clusterClient(
      @Nullable ClientResources resources, Iterable<RedisURI> seeds) {
    List<RedisURI> uris = new ArrayList<>();
    for (RedisURI seed : seeds) {
      uris.add(redisUri(seed));
    }
    if (uris.isEmpty()) {
      throw new IamConfigurationException("seeds: empty (expected at least one node URI)");
    }
    RedisClusterClient client =
        new IamRedisClusterClient(
            resources, uris, credentials, tokens.events(), credentials.fallback());
    client.setOptions(clusterClientOptions());
    reportReauthentications(client);
    return client;
  }

  /**
   * Keeps the default node channel of a cluster connection made by a {@link RedisClusterClient} the
   * app built itself (not through {@link #clusterClient}) re-authenticated. Lettuce
   * re-authenticates every node connection and pub/sub connection of a cluster client, but not the
   * channel a {@code StatefulRedisClusterConnection} uses for commands without a key ({@code
   * PUBLISH}, {@code PING}, …): without this, the server closes that channel at the 12-hour limit
   * and Lettuce reconnects it. The clients {@link #clusterClient} builds do this by themselves.
   *
   * @param connection a connection from {@code RedisClusterClient.connect()}
   * @return closing it stops the re-authentication (it also stops when the connection closes)
   * @throws IllegalArgumentException if the connection is not Lettuce's own implementation
   */
  public AutoCloseable reauthenticate(StatefulRedisClusterConnection<?, ?> connection) {
    if (!(connection instanceof RedisChannelHandler<?, ?> handler)) {
      throw new IllegalArgumentException(
          "connection: "
              + connection.getClass().getName()
              + " is not a Lettuce cluster connection (expected one from"
              + " RedisClusterClient.connect())");
    }
    return ClusterConnectionReauthenticator.attach(
            handler, credentials, tokens.events(), credentials.fallback())
        ::dispose;
  }

  /**
   * Reports the outcome of each live re-authentication of {@code client}'s connections (Lettuce's
   * {@code ReauthenticationEvent} and {@code ReauthenticationFailedEvent}) to the token provider's
   * {@link IamAuthListener}s as {@link
   * io.github.iamauth4j.core.IamAuthEvent.ConnectionReauthenticated} and {@link
   * io.github.iamauth4j.core.IamAuthEvent.ReauthenticationFailed}. The helpers of this class call
   * it for the clients they build. Lettuce publishes these events on the client's {@code
   * ClientResources} event bus: when several clients share one {@code ClientResources}, each
   * reporter sees the events of all of them.
   *
   * @param client the client
   * @return closing it stops the reporting
   */
  public AutoCloseable reportReauthentications(AbstractRedisClient client) {
    return ReauthenticationReporter.install(
        client.getResources(), tokens.events(), credentials.fallback());
  }

  /**
   * Gives back this adapter's lease on the shared token provider (closed with the last lease); a
   * provider given to the builder is left open.
   */
  @Override
  public void close() {
    credentials.close();
    lease.close();
  }

  @Override
  public String toString() {
    return "IamLettuce["
        + tokens.target().description()
        + ", "
        + policy
        + (plaintextAllowed ? ", PLAINTEXT ALLOWED" : "")
        + "]";
  }

  /**
   * Builds an {@link IamLettuce}: the core's {@link IamAdapterBuilder} (configuration or its
   * shortcuts, or a ready token provider; renewal policy; trust store; plaintext opt-out) plus what
   * is Lettuce's own.
   */
  public static final class Builder extends IamAdapterBuilder<Builder> {
    private @Nullable RefreshScheduler scheduler;
    private @Nullable SslOptions sslOptions;

    private Builder() {}

    /**
     * Where the re-authentication timers (and, for a provider built here, token fetches) run.
     * Default: the token provider's, {@link RefreshScheduler#shared()} unless configured; tests may
     * drive time by hand with their own.
     *
     * @param scheduler the scheduler
     */
    public Builder scheduler(RefreshScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Lettuce TLS options to apply with the client options, for full control. Not combinable with
     * {@link #trustStore(KeyStore)}.
     *
     * @param options the options
     */
    public Builder sslOptions(SslOptions options) {
      this.sslOptions = Objects.requireNonNull(options, "sslOptions");
      return this;
    }

    /**
     * Builds the adapter and starts fetching the first token in the background.
     *
     * @throws IamConfigurationException listing every problem
     */
    public IamLettuce build() {
      List<String> problems = new ArrayList<>();
      if (trustStore() != null && sslOptions != null) {
        problems.add(
            "trustStore: given together with sslOptions (expected one or the other: put the"
                + " trust store in the SslOptions)");
      }
      SslOptions ssl = sslOptions;
      TrustManagerFactory tmf = trustManagerFactory(problems);
      if (tmf != null) {
        ssl = SslOptions.builder().jdkSslProvider().trustManager(tmf).build();
      }
      RefreshScheduler s = scheduler;
      if (s != null) {
        editConfig(c -> c.scheduler(s));
      }
      Tokens tokens = tokens(problems, "IamLettuce", REDIS_KINDS);
      if (!problems.isEmpty() || tokens == null) {
        if (tokens != null) {
          tokens.close();
        }
        throw new IamConfigurationException(problems);
      }
      return new IamLettuce(tokens, renewalPolicy(), plaintextAllowed(), scheduler, ssl);
    }
  }
}
