package io.github.iamauth4j.valkey.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.ConnectionRenewal;
import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RefreshScheduler;
import io.github.iamauth4j.core.RenewalPolicy;
import io.valkey.Connection;
import io.valkey.HostAndPort;
import io.valkey.Protocol;
import io.valkey.exceptions.JedisConnectionException;
import io.valkey.exceptions.JedisException;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
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
 * Thread-safe; never blocks on AWS.
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
  private final Map<Connection, ConnectionRenewal> found =
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
   * @return its renewal; close it when the connection is destroyed
   */
  ConnectionRenewal track(HostAndPort node) {
    return renewals.track("valkey-java connection #" + ids.incrementAndGet() + " to " + node);
  }

  /**
   * The renewal of a pooled resource: its own if the adapter's pools made it, else the one tracked
   * for its connection (started now, due at once, if this is the first visit).
   *
   * @param resource a {@code Connection} or a {@code Jedis}
   * @param connection its connection
   */
  ConnectionRenewal renewalOf(Object resource, Connection connection) {
    if (resource instanceof Tracked t) {
      return t.renewal();
    }
    if (connection instanceof Tracked t) {
      return t.renewal();
    }
    synchronized (found) {
      ConnectionRenewal r = found.get(connection);
      if (r == null) {
        r = renewals.track("valkey-java connection #" + ids.incrementAndGet() + " (an app's pool)");
        r.reauthenticateNow();
        found.put(connection, r);
        // The connection's own reference must not reach the action, or it is never collected.
        Cleanup.CLEANER.register(connection, r::close);
      }
      return r;
    }
  }

  /**
   * Stops tracking a resource its pool destroys now.
   *
   * @param resource a {@code Connection} or a {@code Jedis}
   * @param connection its connection
   */
  void destroyed(Object resource, Connection connection) {
    ConnectionRenewal r;
    if (resource instanceof Tracked t) {
      r = t.renewal();
    } else if (connection instanceof Tracked t) {
      r = t.renewal();
    } else {
      r = found.remove(connection);
    }
    if (r != null) {
      r.close();
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
        if (discarded >= MAX_DISCARDS || renew(c, renewalOf(resource, c))) {
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
   * {@code AUTH} if its renewal is due and a token is ready.
   *
   * @param connection the connection
   * @param renewal its renewal
   * @return false if the connection must be discarded: too old, or dead
   */
  static boolean renew(Connection connection, ConnectionRenewal renewal) {
    if (renewal.retirementDue()) {
      return false;
    }
    AuthToken token = renewal.reauthenticationDue();
    if (token == null) {
      return true;
    }
    try {
      connection.sendCommand(Protocol.Command.AUTH, token.userName(), token.value());
      connection.getStatusCodeReply();
    } catch (JedisConnectionException e) {
      renewal.reauthenticationFailed(e);
      return false;
    } catch (JedisException e) {
      // Refused (e.g. WRONGPASS): the connection keeps its earlier authentication; tried again
      // soon.
      renewal.reauthenticationFailed(e);
      return true;
    }
    renewal.reauthenticated();
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
   * @param connection the subscribed connection
   * @param renewal its renewal
   * @param subscribed whether the subscriber is in its reader loop now
   * @param proceed runs the subscription (blocks until it ends)
   */
  public void runSubscribed(
      Connection connection,
      ConnectionRenewal renewal,
      BooleanSupplier subscribed,
      Runnable proceed) {
    renewal.reauthenticateNow();
    if (!renew(connection, renewal)) {
      connection.setBroken();
    }
    SubscriberRenewal timer = new SubscriberRenewal(connection, renewal, subscribed);
    timer.start();
    try {
      proceed.run();
    } finally {
      if (timer.stop()) {
        connection.setBroken();
      }
    }
  }

  /** The in-band re-authentication of one subscribed connection, on its renewal's instants. */
  private final class SubscriberRenewal {
    private final Connection connection;
    private final ConnectionRenewal renewal;
    private final BooleanSupplier subscribed;
    private boolean sent; // guarded by this
    private boolean stopped; // guarded by this
    private RefreshScheduler.@Nullable Cancellable timer; // guarded by this

    SubscriberRenewal(
        Connection connection, ConnectionRenewal renewal, BooleanSupplier subscribed) {
      this.connection = connection;
      this.renewal = renewal;
      this.subscribed = subscribed;
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
      AuthToken token = renewal.reauthenticationDue();
      synchronized (this) {
        if (stopped) {
          return;
        }
        if (token != null) {
          sent = true; // even a partly written AUTH leaves a reply to read, or a broken connection
          try {
            synchronized (connection) {
              connection.sendCommand(Protocol.Command.AUTH, token.userName(), token.value());
              connection.getMany(0); // flushes without reading: the subscriber's thread reads
            }
          } catch (RuntimeException e) {
            // Broken: the subscriber sees it too.
            renewal.reauthenticationFailed(e);
            return;
          }
          renewal.reauthenticated();
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

  /** A pooled resource made by the adapter's pools, tracked since it authenticated. */
  interface Tracked {
    /** Its renewal. */
    ConnectionRenewal renewal();
  }

  /** Started only when a connection of an app's own pool is first seen. */
  private static final class Cleanup {
    static final Cleaner CLEANER = Cleaner.create();
  }
}
