package io.github.iamauth4j.valkey.internal;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.ConnectionRenewal;
import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RefreshScheduler;
import io.github.iamauth4j.core.RenewalPolicy;
import io.valkey.Connection;
import io.valkey.DefaultJedisClientConfig;
import io.valkey.HostAndPort;
import io.valkey.JedisClientConfig;
import io.valkey.Protocol;
import io.valkey.RedisCredentialsProvider;
import io.valkey.exceptions.JedisConnectionException;
import io.valkey.exceptions.JedisException;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the pooled connections of one client under the server's connection limit. valkey-java never
 * re-authenticates a live connection, so this class does it, with each connection's own {@link
 * ConnectionRenewal} saying when, at the moments when a pooled connection belongs to nobody:
 *
 * <ul>
 *   <li>when it is borrowed ({@link #checkOut}): before the app gets it, {@code AUTH} with a fresh
 *       token if re-authentication is due, or retirement (the connection is discarded and another
 *       borrowed) if it has gone its jittered maximum age without authenticating;
 *   <li>when it is idle, at each run of the pool's evictor ({@link RenewingEvictionPolicy}): the
 *       same, so a connection nobody borrows for hours is renewed too;
 *   <li>while it is blocked in {@code subscribe()} ({@link #runSubscribed}): {@code AUTH} sent on
 *       the subscribed connection from a timer, which RESP3 allows in subscriber mode.
 * </ul>
 *
 * <p>A connection is never in {@code MULTI} at those moments: valkey-java's {@code Transaction}
 * holds its connection until {@code EXEC}/{@code DISCARD}, and a pooled {@code Jedis} discards an
 * open transaction when it is returned.
 *
 * <p>The adapter's own pools make {@link Tracked} connections, tracked from the moment they
 * authenticate and closed by the pool's factory when the pool destroys them, so {@link
 * ConnectionRenewals#open()} counts exactly the live ones. A connection of a pool the app built
 * (with the adapter's eviction policy, {@code IamValkey.configurePool}) is tracked when the evictor
 * first visits it, in a weak map, and re-authenticated at once since its last authentication is
 * unknown; it is closed when the evictor evicts it, or else when the garbage collector collects it.
 *
 * <p>During a migration from passwords (a fallback password configured), each connection opens with
 * IAM first and, when the server refuses the token, again with the password inside the same call
 * ({@link #open}); its re-authentications go back to IAM when IAM works again, or to the password
 * when it does not ({@link ConnectionAuth}). Thread-safe; never blocks on AWS.
 */
public final class Renewer {
  /** Set while a check-out runs on this thread, so that nested check-outs do not check twice. */
  private static final ThreadLocal<@Nullable Boolean> CHECKING_OUT = new ThreadLocal<>();

  /** How many retired connections one check-out discards before handing one out unchecked. */
  private static final int MAX_DISCARDS = 32;

  /** The shortest wait of a subscriber's timer (when due but no token is ready yet). */
  private static final Duration MIN_TICK = Duration.ofMillis(50);

  private final ConnectionRenewals renewals;
  private final RefreshScheduler scheduler;
  private final Map<Connection, ConnectionAuth> found =
      Collections.synchronizedMap(new WeakHashMap<>());
  private final AtomicLong ids = new AtomicLong();

  /**
   * @param tokens the token cache of the client's connections
   * @param policy the renewal policy
   */
  public Renewer(IamTokenProvider tokens, RenewalPolicy policy) {
    this(tokens, policy, tokens.scheduler());
  }

  /** As above, with the subscribers' timers on {@code scheduler} (tests drive time by hand). */
  Renewer(IamTokenProvider tokens, RenewalPolicy policy, RefreshScheduler scheduler) {
    this.renewals = ConnectionRenewals.of(tokens, policy, scheduler);
    this.scheduler = scheduler;
  }

  /** The token cache. */
  public IamTokenProvider tokens() {
    return renewals.tokens();
  }

  /** The renewal policy. */
  public RenewalPolicy policy() {
    return renewals.policy();
  }

  /** The renewals of the client's connections: {@code open()} counts those tracked now. */
  public ConnectionRenewals renewals() {
    return renewals;
  }

  /**
   * How often the pool's evictor visits idle connections: a tenth of the re-authentication
   * interval, between 100 milliseconds and 1 minute, so an idle connection is re-authenticated at
   * most that long after it falls due.
   */
  public Duration evictionPeriod() {
    Duration tenth = policy().reauthenticationInterval().dividedBy(10);
    if (tenth.compareTo(Duration.ofMillis(100)) < 0) {
      return Duration.ofMillis(100);
    }
    return tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
  }

  /**
   * Starts tracking a connection of the adapter's own pools that has just authenticated.
   *
   * @param node where it goes
   * @param credentials what it authenticated with
   * @return its authentication state; close it when the connection is destroyed
   */
  ConnectionAuth track(HostAndPort node, ConnectionCredentials credentials) {
    return ConnectionAuth.opened(renewals, name(node), credentials);
  }

  private String name(HostAndPort node) {
    return "valkey-java connection #" + ids.incrementAndGet() + " to " + node;
  }

  /**
   * Opens a connection of the adapter's own pools and starts tracking it: IAM first, or the
   * fallback password when IAM cannot be used. When the server refuses the token ({@code
   * WRONGPASS}) and a fallback password is configured, the refusal is reported ({@link
   * io.github.iamauth4j.core.PasswordFallbacks#refused}, which sets IAM aside for a while) and the
   * connection is opened again at once with the password, so that the pool gets a working
   * connection. valkey-java closes the socket of a failed authentication, so the retry is a second
   * socket inside the same call.
   *
   * @param node where it goes
   * @param config the client configuration (TLS, RESP3, timeouts)
   * @param opener connects and authenticates with the configuration it is given, then calls the
   *     supplier for the connection's authentication state
   * @param <T> a {@code Connection} or a {@code Jedis}
   * @return the connection
   */
  <T> T open(HostAndPort node, JedisClientConfig config, Opener<T> opener) {
    String name = name(node);
    IamCredentialsProvider attempt = new IamCredentialsProvider(tokens(), name);
    JedisClientConfig own = withCredentials(config, attempt);
    Supplier<ConnectionAuth> tracking =
        () ->
            ConnectionAuth.opened(
                renewals,
                name,
                Objects.requireNonNull(attempt.given(), "credentials read while connecting"));
    try {
      return opener.open(own, tracking);
    } catch (JedisException e) {
      ConnectionCredentials tried = attempt.given();
      RuntimeException refusal = Refusals.wrongPass(e);
      if (tried == null || !tried.isIam() || refusal == null) {
        throw e;
      }
      ConnectionCredentials password;
      try {
        password = tokens().passwordFallbacks().refused(name, refusal);
      } catch (io.github.iamauth4j.core.TokenUnavailableException u) {
        e.addSuppressed(u);
        throw e;
      }
      if (password == null) {
        throw e;
      }
      attempt.useNext(password);
      return opener.open(own, tracking);
    }
  }

  /** Connects and authenticates a pooled resource. */
  @FunctionalInterface
  interface Opener<T> {
    /**
     * @param config the configuration to connect with (its credentials provider is the attempt's)
     * @param tracking gives the connection's authentication state, once it has authenticated
     */
    T open(JedisClientConfig config, Supplier<ConnectionAuth> tracking);
  }

  /** A copy of {@code config} (as valkey-java's {@code copyConfig}) with other credentials. */
  static JedisClientConfig withCredentials(
      JedisClientConfig config, RedisCredentialsProvider credentials) {
    return DefaultJedisClientConfig.builder()
        .protocol(config.getRedisProtocol())
        .connectionTimeoutMillis(config.getConnectionTimeoutMillis())
        .socketTimeoutMillis(config.getSocketTimeoutMillis())
        .blockingSocketTimeoutMillis(config.getBlockingSocketTimeoutMillis())
        .credentialsProvider(credentials)
        .database(config.getDatabase())
        .clientName(config.getClientName())
        .ssl(config.isSsl())
        .sslSocketFactory(config.getSslSocketFactory())
        .sslParameters(config.getSslParameters())
        .hostnameVerifier(config.getHostnameVerifier())
        .hostAndPortMapper(config.getHostAndPortMapper())
        .clientSetInfoConfig(config.getClientSetInfoConfig())
        .clientCapaConfig(config.getClientCapaConfig())
        .build();
  }

  /**
   * The authentication state of a pooled resource: its own if the adapter's pools made it, else the
   * one tracked for its connection (started now, due at once, if this is the first visit).
   *
   * @param resource a {@code Connection} or a {@code Jedis}
   * @param connection its connection
   */
  ConnectionAuth authOf(Object resource, Connection connection) {
    if (resource instanceof Tracked t) {
      return t.auth();
    }
    if (connection instanceof Tracked t) {
      return t.auth();
    }
    synchronized (found) {
      ConnectionAuth a = found.get(connection);
      if (a == null) {
        a =
            ConnectionAuth.found(
                renewals, "valkey-java connection #" + ids.incrementAndGet() + " (an app's pool)");
        found.put(connection, a);
        // The connection's own reference must not reach the action, or it is never collected.
        Cleanup.CLEANER.register(connection, a::close);
      }
      return a;
    }
  }

  /**
   * Stops tracking a resource its pool destroys now.
   *
   * @param resource a {@code Connection} or a {@code Jedis}
   * @param connection its connection
   */
  void destroyed(Object resource, Connection connection) {
    ConnectionAuth a;
    if (resource instanceof Tracked t) {
      a = t.auth();
    } else if (connection instanceof Tracked t) {
      a = t.auth();
    } else {
      a = found.remove(connection);
    }
    if (a != null) {
      a.close();
    }
  }

  /**
   * Borrows a resource and renews its connection before handing it out: re-authenticated if due, or
   * discarded and another borrowed if it must retire. Check-outs nested in one another on the same
   * thread (a cluster provider calling itself) are checked once, by the outermost.
   *
   * @param borrow borrows from the pool
   * @param connectionOf the connection of a resource
   * @param discard closes a resource that must not be used (it is destroyed, not pooled again)
   * @param <T> the resource type ({@code Connection} or {@code Jedis})
   * @return a resource whose connection is inside its limit
   */
  public <T> T checkOut(
      Supplier<T> borrow, Function<T, Connection> connectionOf, Consumer<T> discard) {
    if (CHECKING_OUT.get() != null) {
      return borrow.get();
    }
    CHECKING_OUT.set(Boolean.TRUE);
    try {
      for (int discarded = 0; ; discarded++) {
        T resource = borrow.get();
        if (resource == null) {
          return resource;
        }
        Connection c = connectionOf.apply(resource);
        if (discarded >= MAX_DISCARDS || renew(c, authOf(resource, c))) {
          return resource;
        }
        discard.accept(resource);
      }
    } finally {
      CHECKING_OUT.remove();
    }
  }

  /**
   * Renews a connection that belongs to nobody now (just borrowed, or idle under the evictor):
   * {@code AUTH} if its renewal is due and a token is ready (or the fallback password, see {@link
   * ConnectionAuth}). A connection on the fallback password is never retired: the server does not
   * close it.
   *
   * @param connection the connection
   * @param auth its authentication state
   * @return false if the connection must be discarded: too old, or dead
   */
  static boolean renew(Connection connection, ConnectionAuth auth) {
    if (!auth.onPassword() && auth.renewal().retirementDue()) {
      return false;
    }
    ConnectionCredentials credentials = auth.due(false);
    while (credentials != null) {
      try {
        connection.sendCommand(Protocol.Command.AUTH, credentials.user(), credentials.secret());
        connection.getStatusCodeReply();
        auth.accepted(credentials);
        return true;
      } catch (JedisConnectionException e) {
        auth.failed(e);
        return false;
      } catch (JedisException e) {
        // Refused (e.g. WRONGPASS): the connection keeps its earlier authentication; tried again
        // soon, or at once with the password for a refused token.
        credentials = auth.refused(credentials, e);
      }
    }
    return true;
  }

  /**
   * Runs a blocking subscription on a connection the caller has checked out: renews it first (so
   * that it starts with a whole interval), then sends {@code AUTH} on it from a timer whenever its
   * renewal falls due while it is subscribed (RESP3 allows any command in subscriber mode; the
   * subscriber's reader gets the {@code OK} reply as a {@code PONG}). When the subscription ends
   * after at least one such {@code AUTH}, the connection is marked broken so that the pool destroys
   * it instead of lending it with a reply possibly unread.
   *
   * <p>With a fallback password configured, a subscribed connection re-authenticates in band as at
   * any other moment ({@link ConnectionAuth}): on the password when IAM cannot be used, back on IAM
   * when it can. On the adapter's own connections ({@link IamConnection}: {@code JedisPooled},
   * {@code JedisCluster}) a token refused in band is taken out of the subscriber's stream and
   * followed by {@code AUTH} with the password. A {@code Jedis} of a {@code JedisPool} reads its
   * replies itself: there a connection on the password stays on it while it listens, and a token
   * refused in band ends the subscription with the server's {@code WRONGPASS}, as without a
   * fallback, and sets IAM aside, so that the app's next subscription uses the password.
   *
   * @param connection the subscribed connection
   * @param auth its authentication state
   * @param subscribed whether the subscriber is in its reader loop now
   * @param proceed runs the subscription (blocks until it ends)
   */
  void runSubscribed(
      Connection connection, ConnectionAuth auth, BooleanSupplier subscribed, Runnable proceed) {
    auth.renewal().reauthenticateNow();
    if (!renew(connection, auth)) {
      connection.setBroken();
    }
    IamConnection own = connection instanceof IamConnection c && fallbacksEnabled() ? c : null;
    SubscriberRenewal timer = new SubscriberRenewal(connection, auth, subscribed, own == null);
    if (own != null) {
      own.interceptRefusals(timer::refusedInBand);
    }
    timer.start();
    try {
      proceed.run();
    } catch (RuntimeException e) {
      if (timer.sentToken()) {
        auth.refusedInBand(e);
      }
      throw e;
    } finally {
      if (own != null) {
        own.interceptRefusals(null);
      }
      if (timer.stop()) {
        connection.setBroken();
      }
    }
  }

  /** The in-band re-authentication of one subscribed connection, on its renewal's instants. */
  private final class SubscriberRenewal {
    private final Connection connection;
    private final ConnectionAuth auth;
    private final ConnectionRenewal renewal;
    private final BooleanSupplier subscribed;
    private final boolean replyUnseen;
    private boolean sent; // guarded by this
    private boolean sentToken; // guarded by this
    private @Nullable ConnectionCredentials lastToken; // guarded by this
    private boolean stopped; // guarded by this
    private RefreshScheduler.@Nullable Cancellable timer; // guarded by this

    SubscriberRenewal(
        Connection connection,
        ConnectionAuth auth,
        BooleanSupplier subscribed,
        boolean replyUnseen) {
      this.connection = connection;
      this.auth = auth;
      this.renewal = auth.renewal();
      this.subscribed = subscribed;
      this.replyUnseen = replyUnseen;
    }

    /**
     * The subscriber's reader met {@code error}: if it answers a token sent in band, it is handled
     * here (reported, and {@code AUTH} with the password sent in band) and the reader skips it.
     *
     * @return whether the reader should skip it
     */
    boolean refusedInBand(RuntimeException error) {
      synchronized (this) {
        ConnectionCredentials token = lastToken;
        if (token == null || Refusals.wrongPass(error) == null) {
          return false;
        }
        lastToken = null;
        ConnectionCredentials password = auth.refused(token, error);
        if (password != null && !stopped) {
          send(password);
        }
        return true;
      }
    }

    /** Sends {@code AUTH} in band (guarded by this); false if the connection is broken. */
    private boolean send(ConnectionCredentials credentials) {
      sent = true; // even a partly written AUTH leaves a reply to read, or a broken connection
      if (credentials.isIam()) {
        sentToken = true;
        lastToken = credentials;
      }
      try {
        synchronized (connection) {
          connection.sendCommand(Protocol.Command.AUTH, credentials.user(), credentials.secret());
          connection.getMany(0); // flushes without reading: the subscriber's thread reads
        }
      } catch (RuntimeException e) {
        // Broken: the subscriber sees it too.
        auth.failed(e);
        return false;
      }
      auth.accepted(credentials);
      return true;
    }

    /** Whether a token was sent in band. */
    synchronized boolean sentToken() {
      return sentToken;
    }

    synchronized void start() {
      schedule(untilDue());
    }

    /** Stops the timer; answers whether an {@code AUTH} was sent. */
    synchronized boolean stop() {
      stopped = true;
      RefreshScheduler.Cancellable t = timer;
      timer = null;
      if (t != null) {
        t.cancel();
      }
      return sent;
    }

    private void schedule(Duration delay) {
      // guarded by this
      if (!stopped) {
        timer = scheduler.schedule(this::tick, delay);
      }
    }

    private Duration untilDue() {
      Duration d =
          Duration.between(renewals.tokens().clock().instant(), renewal.reauthenticateAt());
      return d.compareTo(MIN_TICK) < 0 ? MIN_TICK : d;
    }

    private void tick() {
      synchronized (this) {
        if (stopped) {
          return;
        }
        if (!renewal.isReauthenticationDue()) {
          schedule(untilDue());
          return;
        }
        if (!subscribed.getAsBoolean()) {
          // Not in the reader loop (yet): nobody would read the reply.
          schedule(renewals.retryDelay());
          return;
        }
      }
      ConnectionCredentials credentials = auth.due(replyUnseen);
      synchronized (this) {
        if (stopped) {
          return;
        }
        if (credentials != null) {
          if (!send(credentials)) {
            return;
          }
        } else if (fallbacksEnabled() && renewal.isReauthenticationDue()) {
          // Staying on the password while subscribed, or a token fetch under way.
          schedule(renewals.retryDelay());
          return;
        }
        schedule(untilDue());
      }
    }
  }

  /**
   * Closes a connection that must not be lent again: marked broken, so that its pool destroys it.
   *
   * @param connection the connection
   */
  public static void discard(Connection connection) {
    connection.setBroken();
    connection.close();
  }

  private boolean fallbacksEnabled() {
    return renewals.tokens().passwordFallbacks().enabled();
  }

  /** A pooled resource made by the adapter's pools, tracked since it authenticated. */
  interface Tracked {
    /** Its authentication state. */
    ConnectionAuth auth();
  }

  /** Started only when a connection of an app's own pool is first seen. */
  private static final class Cleanup {
    static final Cleaner CLEANER = Cleaner.create();
  }
}
