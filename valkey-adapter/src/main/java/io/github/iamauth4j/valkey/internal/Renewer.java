package io.github.iamauth4j.valkey.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamAuthEvents;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.valkey.Connection;
import io.valkey.Protocol;
import io.valkey.exceptions.JedisConnectionException;
import io.valkey.exceptions.JedisException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the pooled connections of one client under the server's connection limit. valkey-java never
 * re-authenticates a live connection, so this class does it at the moments when a pooled connection
 * belongs to nobody:
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
 * open transaction when it is returned. The state of each connection is kept in a weak map, so a
 * connection the pool destroys is forgotten with it. Thread-safe; never blocks on AWS.
 */
public final class Renewer {
  /** When the credentials provider last handed out a token on this thread (a connection opened). */
  private static final ThreadLocal<@Nullable Instant> AUTHENTICATED_AT = new ThreadLocal<>();

  /** Set while a check-out runs on this thread, so that nested check-outs do not check twice. */
  private static final ThreadLocal<@Nullable Boolean> CHECKING_OUT = new ThreadLocal<>();

  /** How many retired connections one check-out discards before handing one out unchecked. */
  private static final int MAX_DISCARDS = 32;

  private final IamTokenProvider tokens;
  private final RenewalPolicy policy;
  private final ConnectionRenewals renewals;
  private final IamAuthEvents events;
  private final Clock clock;
  private final Map<Connection, State> states = Collections.synchronizedMap(new WeakHashMap<>());
  private final AtomicLong ids = new AtomicLong();

  /**
   * @param tokens the token cache of the client's connections
   * @param policy the renewal policy
   */
  public Renewer(IamTokenProvider tokens, RenewalPolicy policy) {
    this.tokens = tokens;
    this.policy = policy;
    this.renewals = ConnectionRenewals.of(tokens, policy);
    this.events = tokens.events();
    this.clock = tokens.clock();
  }

  /** The token cache. */
  public IamTokenProvider tokens() {
    return tokens;
  }

  /** The renewal policy. */
  public RenewalPolicy policy() {
    return policy;
  }

  /**
   * How often the pool's evictor visits idle connections: a tenth of the re-authentication
   * interval, between 100 milliseconds and 1 minute, so an idle connection is re-authenticated at
   * most that long after it falls due.
   */
  public Duration evictionPeriod() {
    Duration tenth = policy.reauthenticationInterval().dividedBy(10);
    if (tenth.compareTo(Duration.ofMillis(100)) < 0) {
      return Duration.ofMillis(100);
    }
    return tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
  }

  /** Records that a connection is authenticating on this thread now (called by the provider). */
  static void authenticating(Instant at) {
    AUTHENTICATED_AT.set(at);
  }

  /** The number of connections tracked now (for tests). */
  public int tracked() {
    return states.size();
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
        AUTHENTICATED_AT.remove();
        T resource = borrow.get();
        if (resource == null) {
          return resource;
        }
        Instant openedNow = AUTHENTICATED_AT.get();
        if (discarded >= MAX_DISCARDS || renew(connectionOf.apply(resource), openedNow)) {
          return resource;
        }
        discard.accept(resource);
      }
    } finally {
      CHECKING_OUT.remove();
      AUTHENTICATED_AT.remove();
    }
  }

  /**
   * Renews a connection that belongs to nobody now (just borrowed, or idle under the evictor).
   *
   * @param connection the connection
   * @param authenticatedAt when it authenticated, if it was opened just now; null if unknown
   * @return false if the connection must be discarded: too old, or dead
   */
  boolean renew(Connection connection, @Nullable Instant authenticatedAt) {
    State s = stateOf(connection, authenticatedAt);
    Instant now = clock.instant();
    if (s.retirementDue(now)) {
      events.retired(s.name, Duration.between(s.openedAt, now));
      return false;
    }
    if (!s.reauthenticationDue(now)) {
      return true;
    }
    AuthToken token = readyToken(s, now);
    if (token == null) {
      return true;
    }
    try {
      connection.sendCommand(Protocol.Command.AUTH, token.userName(), token.value());
      connection.getStatusCodeReply();
    } catch (JedisConnectionException e) {
      events.reauthenticationFailed(s.name, e);
      return false;
    } catch (JedisException e) {
      // Refused (e.g. WRONGPASS): the connection keeps its earlier authentication; try again soon.
      s.postpone(now.plus(renewals.retryDelay()));
      events.reauthenticationFailed(s.name, e);
      return true;
    }
    s.authenticated(now, policy.nextReauthenticationDelay());
    events.reauthenticated(s.name);
    return true;
  }

  /** The cached token, or null (reported, postponed) when none is usable; never waits. */
  private @Nullable AuthToken readyToken(State s, Instant now) {
    CompletableFuture<AuthToken> f = tokens.tokenAsync();
    if (!f.isDone()) {
      return null; // the first fetch or a refresh is under way: the next safe moment will do
    }
    try {
      return f.join();
    } catch (RuntimeException e) {
      s.postpone(now.plus(renewals.retryDelay()));
      events.reauthenticationFailed(s.name + " (no usable token)", unwrap(e));
      return null;
    }
  }

  /**
   * Runs a blocking subscription on a connection the caller has checked out, sending {@code AUTH}
   * on it from a timer at the policy's jittered interval while it is subscribed (RESP3 allows any
   * command in subscriber mode; the subscriber's reader gets the {@code OK} reply as a {@code
   * PONG}). When the subscription ends after at least one such {@code AUTH}, the connection is
   * marked broken so that the pool destroys it instead of lending it with a reply possibly unread.
   *
   * @param connection the subscribed connection
   * @param subscribed whether the subscriber is in its reader loop now
   * @param proceed runs the subscription (blocks until it ends)
   */
  public void runSubscribed(Connection connection, BooleanSupplier subscribed, Runnable proceed) {
    State s = stateOf(connection, null);
    SubscriberRenewal renewal = new SubscriberRenewal(connection, s, subscribed);
    // Authenticated just before subscribing, so the first timed AUTH has a whole interval to spare.
    s.postpone(clock.instant());
    if (!renew(connection, null)) {
      connection.setBroken();
    }
    AutoCloseable timer = renewals.stream(s.name + " (subscriber)", renewal::send, () -> {});
    try {
      proceed.run();
    } finally {
      try {
        timer.close();
      } catch (Exception e) {
        // closing a stream does not throw
      }
      if (renewal.sent()) {
        connection.setBroken();
      }
    }
  }

  /** The in-band re-authentication of one subscribed connection. */
  private final class SubscriberRenewal {
    private final Connection connection;
    private final State state;
    private final BooleanSupplier subscribed;
    private volatile boolean sent;

    SubscriberRenewal(Connection connection, State state, BooleanSupplier subscribed) {
      this.connection = connection;
      this.state = state;
      this.subscribed = subscribed;
    }

    void send(AuthToken token) {
      if (!subscribed.getAsBoolean()) {
        return; // not in the reader loop (yet, or any more): nobody would read the reply
      }
      synchronized (connection) {
        sent = true;
        connection.sendCommand(Protocol.Command.AUTH, token.userName(), token.value());
        connection.getMany(0); // flushes without reading: the subscriber's thread reads the reply
      }
      state.authenticated(clock.instant(), policy.nextReauthenticationDelay());
      events.reauthenticated(state.name + " (subscriber)");
    }

    boolean sent() {
      return sent;
    }
  }

  private State stateOf(Connection connection, @Nullable Instant authenticatedAt) {
    synchronized (states) {
      State s = states.get(connection);
      if (s == null) {
        Instant now = clock.instant();
        s =
            new State(
                "valkey-java connection #" + ids.incrementAndGet() + " " + connection,
                now,
                authenticatedAt,
                policy);
        states.put(connection, s);
      }
      return s;
    }
  }

  /** The renewal state of one connection. */
  static final class State {
    final String name;
    final Instant openedAt;
    private final Duration maxAge;
    private Instant authenticatedAt; // guarded by this
    private Instant reauthenticateAt; // guarded by this

    /**
     * @param authenticatedAt when it authenticated; null if unknown (it is then re-authenticated at
     *     once, which also proves it alive)
     */
    State(String name, Instant now, @Nullable Instant authenticatedAt, RenewalPolicy policy) {
      this.name = name;
      this.openedAt = authenticatedAt != null ? authenticatedAt : now;
      this.maxAge = policy.nextMaxConnectionAge();
      this.authenticatedAt = this.openedAt;
      this.reauthenticateAt =
          authenticatedAt != null ? authenticatedAt.plus(policy.nextReauthenticationDelay()) : now;
    }

    /**
     * Whether the connection has gone its jittered maximum age since it last authenticated: only a
     * connection that could not be re-authenticated in all that time (borrowed throughout, or
     * refused) gets there.
     */
    synchronized boolean retirementDue(Instant now) {
      return !now.isBefore(authenticatedAt.plus(maxAge));
    }

    synchronized boolean reauthenticationDue(Instant now) {
      return !now.isBefore(reauthenticateAt);
    }

    synchronized void authenticated(Instant at, Duration next) {
      authenticatedAt = at;
      reauthenticateAt = at.plus(next);
    }

    synchronized void postpone(Instant until) {
      reauthenticateAt = until;
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

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
