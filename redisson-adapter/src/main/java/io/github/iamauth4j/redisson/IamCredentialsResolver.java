package io.github.iamauth4j.redisson;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TlsRule;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.github.iamauth4j.redisson.internal.ChannelGuard;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.redisson.config.Credentials;
import org.redisson.config.CredentialsResolver;

/**
 * A Redisson {@link CredentialsResolver} backed by the core's token cache: the target's user name
 * and a current IAM token, and a renewal per connection on the {@link RenewalPolicy}'s jittered
 * interval through {@link #nextRenewal()} (Redisson 3.52 or later).
 *
 * <ul>
 *   <li>{@link #resolve(InetSocketAddress)} never blocks (Redisson calls it on a Netty event loop):
 *       it completes at once from the cache, and before the first token exists when the core's
 *       threads have fetched it, or fails after the first-token timeout with a {@link
 *       TokenUnavailableException} naming the cache and user.
 *   <li>It hands a token only to a connection whose TLS it has checked: TLS on ({@code rediss://})
 *       and the server's host name verified ({@code sslVerificationMode: STRICT}, Redisson's
 *       default), unless plaintext was allowed for local testing. That check needs {@link
 *       IamNettyHook} in the same Redisson configuration; {@link IamRedisson} sets both up.
 *   <li>{@link #nextRenewal()} completes at each connection's next jittered instant (Redisson asks
 *       once per connection when it becomes active, and again after each renewal); Redisson then
 *       resolves again and sends {@code AUTH} on that connection (for a connection blocked in
 *       {@code BLPOP} and the like, once that command has its reply: Redisson would otherwise
 *       reconnect it, and could lose a popped element). It never fails while the token provider
 *       lives: a failed fetch is reported and retried.
 * </ul>
 *
 * <p>Built by {@link IamRedisson}, or by Redisson's YAML/JSON configuration with these settings
 * (Redisson 4.x: at the top level; 3.x: inside the server section):
 *
 * <pre>{@code
 * credentialsResolver: !<io.github.iamauth4j.redisson.IamCredentialsResolver>
 *   cacheName: orders            # replication group, serverless cache or MemoryDB cluster
 *   userId: app                  # the IAM-enabled user
 *   region: us-east-1            # or endpoint: the host, or the AWS SDK's region chain
 *   kind: elasticache            # elasticache (default), elasticache-serverless, memorydb
 * nettyHook: !<io.github.iamauth4j.redisson.IamNettyHook> {}
 * protocol: RESP3
 * }</pre>
 *
 * <p>A resolver built from settings takes a lease on the JVM's {@linkplain
 * IamTokenProvider#shared(IamAuthConfig) shared token provider} for its target on first use and
 * gives it back on {@link #close()}. Thread-safe.
 */
public final class IamCredentialsResolver implements CredentialsResolver, AutoCloseable {
  private static final String YAML_OPT_OUT =
      "allowPlaintextForLocalTesting: true (IamCredentialsResolver), or IamRedisson.Builder."
          + TlsRule.OPT_OUT;
  private static final String CONNECTION = "Redisson connection";

  // Settings, for a resolver built by Redisson's configuration file.
  private @Nullable String kind;
  private @Nullable String cacheName;
  private @Nullable String userId;
  private @Nullable String region;
  private @Nullable String endpoint;
  private @Nullable String reauthenticationInterval;
  private @Nullable String reauthenticationJitter;
  private @Nullable String firstTokenTimeout;
  private boolean plaintextAllowed;

  private final Object lock = new Object();
  private volatile @Nullable State state;
  private IamTokenProvider.@Nullable Lease lease;
  private final Set<InetSocketAddress> checked = ConcurrentHashMap.newKeySet();
  private final AtomicLong ids = new AtomicLong();

  /** What the resolver works with once its settings are final. */
  private record State(
      IamTokenProvider tokens,
      ConnectionRenewals renewals,
      Duration firstTokenTimeout,
      boolean plaintextAllowed,
      String optOut,
      Renewing renewing) {

    State(
        IamTokenProvider tokens,
        ConnectionRenewals renewals,
        Duration firstTokenTimeout,
        boolean plaintextAllowed,
        String optOut) {
      this(tokens, renewals, firstTokenTimeout, plaintextAllowed, optOut, new Renewing(tokens));
    }

    PasswordFallbacks fallbacks() {
      return tokens.passwordFallbacks();
    }
  }

  /**
   * A resolver to configure with its setters, as Redisson's YAML/JSON configuration does; the
   * settings are checked (all problems reported together) when Redisson first asks for credentials.
   */
  public IamCredentialsResolver() {}

  IamCredentialsResolver(
      IamTokenProvider tokens,
      RenewalPolicy policy,
      Duration firstTokenTimeout,
      boolean plaintextAllowed) {
    this.plaintextAllowed = plaintextAllowed;
    this.state =
        new State(
            tokens,
            ConnectionRenewals.of(tokens, policy),
            firstTokenTimeout,
            plaintextAllowed,
            "IamRedisson.Builder." + TlsRule.OPT_OUT);
  }

  // ---------------------------------------------------------------------------------------------
  // Settings (Redisson's configuration file).

  /**
   * What {@link #setCacheName(String) cacheName} names: {@code elasticache} (a replication group,
   * the default), {@code elasticache-serverless} or {@code memorydb}.
   *
   * @param kind the kind
   */
  public void setKind(String kind) {
    this.kind = settable(kind);
  }

  /**
   * The ElastiCache replication group id, serverless cache name or MemoryDB cluster name. Required.
   *
   * @param cacheName the name
   */
  public void setCacheName(String cacheName) {
    this.cacheName = settable(cacheName);
  }

  /**
   * The IAM-enabled user: its ElastiCache user id (equal to its user name) or MemoryDB user name.
   * Required.
   *
   * @param userId the user
   */
  public void setUserId(String userId) {
    this.userId = settable(userId);
  }

  /**
   * The signing region, e.g. {@code us-east-1}. Default: from {@link #setEndpoint(String)
   * endpoint}, else the AWS SDK's region chain.
   *
   * @param region the region
   */
  public void setRegion(String region) {
    this.region = settable(region);
  }

  /**
   * An AWS endpoint host to take the region from, e.g. {@code
   * master.orders.abc123.use1.cache.amazonaws.com}.
   *
   * @param endpoint the host
   */
  public void setEndpoint(String endpoint) {
    this.endpoint = settable(endpoint);
  }

  /**
   * How often each connection re-authenticates, as an ISO-8601 duration. Default {@code PT1H}.
   *
   * @param interval e.g. {@code PT1H}
   */
  public void setReauthenticationInterval(String interval) {
    this.reauthenticationInterval = settable(interval);
  }

  /**
   * The most a connection's re-authentication comes early, at random, as an ISO-8601 duration.
   * Default {@code PT10M}.
   *
   * @param jitter e.g. {@code PT10M}
   */
  public void setReauthenticationJitter(String jitter) {
    this.reauthenticationJitter = settable(jitter);
  }

  /**
   * How long a connection waits for the very first token, as an ISO-8601 duration. Default {@code
   * PT5S}, below Redisson's connect timeout (10 seconds).
   *
   * @param timeout e.g. {@code PT5S}
   */
  public void setFirstTokenTimeout(String timeout) {
    this.firstTokenTimeout = settable(timeout);
  }

  /**
   * Allows tokens on connections without TLS or without host name verification, for a local test
   * server only: the token is a bearer secret. ElastiCache and MemoryDB refuse IAM without TLS.
   *
   * @param allowed whether to allow it
   */
  public void setAllowPlaintextForLocalTesting(boolean allowed) {
    synchronized (lock) {
      checkNotStarted();
      this.plaintextAllowed = allowed;
    }
  }

  private String settable(String value) {
    synchronized (lock) {
      checkNotStarted();
      return Objects.requireNonNull(value, "value");
    }
  }

  private void checkNotStarted() {
    if (state != null) {
      throw new IllegalStateException(
          "IamCredentialsResolver: settings are final once it is in use (or built by IamRedisson)");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The Redisson hooks.

  /**
   * The target's user name and a current token, without blocking. Refused (a failed stage with an
   * {@link io.github.iamauth4j.core.InsecureConnectionException}) for a connection without verified
   * TLS, unless plaintext was allowed; refused with an {@link IamConfigurationException} when the
   * connection was not shown by {@link IamNettyHook}, or the settings are wrong.
   *
   * @param address the server's address
   */
  @Override
  public CompletionStage<Credentials> resolve(@Nullable InetSocketAddress address) {
    State s;
    try {
      s = state();
    } catch (IamConfigurationException e) {
      return CompletableFuture.failedFuture(e);
    }
    Channel activating = ChannelGuard.activating();
    Channel channel = activating != null ? activating : ChannelGuard.renewing();
    if (activating == null && channel != null && !channel.isActive()) {
      // A renewal of a connection that closed meanwhile: Redisson drops its failure.
      return CompletableFuture.failedFuture(new ClosedChannelException());
    }
    if (activating != null) {
      boolean[] transport = ChannelGuard.transport(activating);
      try {
        TlsRule.check(
            "Redisson connection to " + describe(address),
            "rediss:// address and sslVerificationMode STRICT",
            transport[0],
            transport[1],
            s.plaintextAllowed(),
            s.optOut());
      } catch (IamConfigurationException e) {
        return CompletableFuture.failedFuture(e);
      }
      if (address != null) {
        checked.add(address);
      }
      ChannelGuard.reportTo(
          activating,
          s.tokens().events(),
          s.fallbacks(),
          CONNECTION + " #" + ids.incrementAndGet() + " to " + describe(address));
      if (s.fallbacks().enabled()) {
        // Nothing else may reach the server before the AUTH, which may be retried with the
        // password.
        ChannelGuard.holdUntilAuthenticated(activating);
      }
    } else if (channel == null && (address == null || !checked.contains(address))) {
      // Not inside a connection's activation or renewal, and no connection to this address was
      // checked: the hook that shows the resolver each connection is missing.
      return CompletableFuture.failedFuture(
          new IamConfigurationException(
              "nettyHook: IamCredentialsResolver hands out tokens only on connections whose TLS"
                  + " settings it has checked, through IamNettyHook (expected nettyHook: !<"
                  + IamNettyHook.class.getName()
                  + "> {} in the Redisson configuration, or a Config from IamRedisson); no token"
                  + " was sent to "
                  + describe(address)));
    }
    String description = channel == null ? null : ChannelGuard.description(channel);
    return credentials(s, description == null ? CONNECTION : description)
        .handle(
            (c, e) -> {
              if (e != null) {
                if (activating != null) {
                  ChannelGuard.authenticationAbandoned(activating);
                }
                throw e instanceof CompletionException ce ? ce : new CompletionException(e);
              }
              if (channel != null) {
                ChannelGuard.expectAuth(channel, c);
              }
              return new Credentials(c.user(), c.secret());
            });
  }

  /**
   * A connection's credentials: IAM first, the fallback password when IAM cannot be used (when one
   * is configured); without one, the token, waiting at most the first-token timeout for it.
   */
  private static CompletableFuture<ConnectionCredentials> credentials(State s, String connection) {
    if (!s.fallbacks().enabled()) {
      return s.tokens().tokenAsync(s.firstTokenTimeout()).thenApply(ConnectionCredentials::iam);
    }
    return s.fallbacks().credentialsAsync(connection);
  }

  /**
   * Completes at a connection's next jittered re-authentication instant, when a usable token is
   * cached. Never fails while the token provider lives (failures to get a token are reported as
   * {@link io.github.iamauth4j.core.IamAuthEvent.ReauthenticationFailed} and retried); fails once
   * it is closed, and Redisson then closes that connection. For a connection blocked in {@code
   * BLPOP} and the like, it completes once that command has its reply (so that Redisson renews it
   * with {@code AUTH} instead of reconnecting it, which could lose a popped element), or two
   * intervals before the server's limit at the latest.
   */
  @Override
  public CompletionStage<Void> nextRenewal() {
    State s;
    try {
      s = state();
    } catch (IamConfigurationException e) {
      return CompletableFuture.failedFuture(e);
    }
    Channel channel = ChannelGuard.reading();
    if (channel == null) {
      return s.renewals().next(CONNECTION).thenApply(t -> null);
    }
    String described = ChannelGuard.description(channel);
    String connection = described == null ? CONNECTION : described;
    CompletableFuture<Void> renewal = new CompletableFuture<>();
    awaitRenewal(s, channel, connection, renewal);
    return renewal;
  }

  /**
   * Completes {@code renewal} at the connection's next renewal instant. With a fallback password: a
   * connection on the password stays there while IAM is set aside (it has no limit; IAM is tried at
   * a later renewal), and one on IAM whose renewal finds no usable token renews at once, with the
   * password.
   */
  private void awaitRenewal(
      State s, Channel channel, String connection, CompletableFuture<Void> renewal) {
    CompletableFuture<AuthToken> next = s.renewals().next(connection);
    Renewing.Pending pending =
        s.fallbacks().enabled()
            ? s.renewing().watch(connection, channel, next, () -> renew(s, channel, renewal))
            : null;
    next.whenComplete(
        (t, e) -> {
          if (pending != null && !s.renewing().forget(pending)) {
            // Renewed already, with the password, when no usable token could be had.
            return;
          }
          if (e != null) {
            renewal.completeExceptionally(e);
            return;
          }
          if (!channel.isActive()) {
            // Closed meanwhile: Redisson drops a failed renewal of a closed connection, where a
            // completed one would resolve credentials (and count a fallback) for nothing.
            renewal.completeExceptionally(new ClosedChannelException());
            return;
          }
          PasswordFallbacks fallbacks = s.fallbacks();
          if (fallbacks.enabled()
              && fallbacks.iamSetAsideUntil() != null
              && ChannelGuard.mode(channel) == ConnectionCredentials.Mode.PASSWORD) {
            awaitRenewal(s, channel, connection, renewal);
            return;
          }
          renew(s, channel, renewal);
        });
  }

  private static void renew(State s, Channel channel, CompletableFuture<Void> renewal) {
    // Redisson reconnects a connection blocked in BLPOP & co. to renew it, which can lose an
    // element popped at that moment: wait for the blocking command's reply, but leave two
    // intervals before the server's limit for that reconnection if the wait drags on.
    RenewalPolicy policy = s.renewals().policy();
    Duration wait =
        policy.connectionLimit().minus(policy.reauthenticationInterval().multipliedBy(2));
    long waitNanos = wait.isNegative() ? 0 : wait.toNanos();
    ChannelGuard.whenNotBlocked(channel, System.nanoTime() + waitNanos)
        .thenRun(() -> ChannelGuard.completeRenewal(channel, renewal));
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The token cache behind this resolver (for a resolver built from settings, the shared provider,
   * created on first use).
   *
   * @throws IamConfigurationException if the settings are wrong
   */
  public IamTokenProvider tokenProvider() {
    return state().tokens();
  }

  /** The renewals of this resolver's connections (how many are pending, the policy). */
  public ConnectionRenewals renewals() {
    return state().renewals();
  }

  private State state() {
    State s = state;
    if (s != null) {
      return s;
    }
    synchronized (lock) {
      if (state == null) {
        state = fromSettings();
      }
      return Objects.requireNonNull(state);
    }
  }

  private State fromSettings() {
    List<String> problems = new ArrayList<>();
    IamTarget target = null;
    if (cacheName == null) {
      problems.add("cacheName: missing (expected the replication group, cache or cluster name)");
    }
    if (userId == null) {
      problems.add("userId: missing (expected the IAM-enabled user id)");
    }
    String k = kind == null ? "elasticache" : kind.trim().toLowerCase(Locale.ROOT);
    if (cacheName != null && userId != null) {
      try {
        target =
            switch (k) {
              case "elasticache" -> IamTarget.elastiCache(cacheName, userId);
              case "elasticache-serverless" -> IamTarget.elastiCacheServerless(cacheName, userId);
              case "memorydb" -> IamTarget.memoryDb(cacheName, userId);
              default -> null;
            };
      } catch (IamConfigurationException e) {
        problems.addAll(e.problems());
      }
    }
    if (!List.of("elasticache", "elasticache-serverless", "memorydb").contains(k)) {
      problems.add(
          "kind: \""
              + k
              + "\" is not a kind of cache (expected elasticache, elasticache-serverless or"
              + " memorydb)");
    }
    RenewalPolicy.Builder policy = RenewalPolicy.builder();
    Duration interval = duration(problems, "reauthenticationInterval", reauthenticationInterval);
    if (interval != null) {
      policy.reauthenticationInterval(interval);
    }
    Duration jitter = duration(problems, "reauthenticationJitter", reauthenticationJitter);
    if (jitter != null) {
      policy.reauthenticationJitter(jitter);
    }
    Duration firstToken = duration(problems, "firstTokenTimeout", firstTokenTimeout);
    RenewalPolicy renewalPolicy = null;
    try {
      renewalPolicy = policy.build();
    } catch (IamConfigurationException e) {
      problems.addAll(e.problems());
    }
    IamAuthConfig config = null;
    if (target != null) {
      IamAuthConfig.Builder b = IamAuthConfig.builder().target(target).region(region);
      if (endpoint != null) {
        b.endpoint(endpoint);
      }
      if (firstToken != null) {
        b.firstTokenTimeout(firstToken);
      }
      try {
        config = b.build();
      } catch (IamConfigurationException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      List<String> named = new ArrayList<>();
      for (String p : problems) {
        named.add("IamCredentialsResolver " + p);
      }
      throw new IamConfigurationException(named);
    }
    IamTokenProvider.Lease l = IamTokenProvider.shared(Objects.requireNonNull(config));
    lease = l;
    IamTokenProvider tokens = l.provider().prefetch();
    return new State(
        tokens,
        ConnectionRenewals.of(tokens, Objects.requireNonNull(renewalPolicy)),
        config.firstTokenTimeout(),
        plaintextAllowed,
        YAML_OPT_OUT);
  }

  private static @Nullable Duration duration(
      List<String> problems, String setting, @Nullable String value) {
    if (value == null) {
      return null;
    }
    try {
      Duration d = Duration.parse(value.trim());
      if (d.isNegative() || d.isZero()) {
        problems.add(setting + ": " + value + " is not positive (expected e.g. PT1H)");
        return null;
      }
      return d;
    } catch (DateTimeParseException e) {
      problems.add(
          setting + ": \"" + value + "\" is not an ISO-8601 duration (expected e.g. PT1H)");
      return null;
    }
  }

  private static String describe(@Nullable InetSocketAddress address) {
    if (address == null) {
      return "(address not resolved)";
    }
    return address.getHostString() + ":" + address.getPort();
  }

  /** Gives back the shared token provider's lease, if this resolver took one. */
  @Override
  public void close() {
    State s = state;
    if (s != null) {
      s.renewing().close();
    }
    IamTokenProvider.Lease l;
    synchronized (lock) {
      l = lease;
      lease = null;
    }
    if (l != null) {
      l.close();
    }
  }

  @Override
  public String toString() {
    State s = state;
    if (s != null) {
      return "IamCredentialsResolver["
          + s.tokens().target().description()
          + ", "
          + s.renewals().policy()
          + (s.plaintextAllowed() ? ", PLAINTEXT ALLOWED" : "")
          + "]";
    }
    return "IamCredentialsResolver[kind="
        + (kind == null ? "elasticache" : kind)
        + ", cacheName="
        + cacheName
        + ", userId="
        + userId
        + (plaintextAllowed ? ", PLAINTEXT ALLOWED" : "")
        + ", not started]";
  }
}
