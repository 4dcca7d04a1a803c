package io.github.iamauth4j.jedis.internal;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.ConnectionRenewal;
import io.github.iamauth4j.core.RefreshScheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.authentication.JedisAuthenticationException;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A Jedis {@link Connection} that knows when it is due to re-authenticate (its own {@link
 * ConnectionRenewal}, on the renewal policy's jittered interval from its last authentication) and
 * does so only at safe moments.
 *
 * <ul>
 *   <li>In a pool ({@link IamConnectionFactory}): when it is borrowed, returned, or checked while
 *       idle by the pool's evictor. Never inside {@code MULTI}/{@code EXEC}: a Jedis transaction
 *       holds its connection until {@code EXEC}/{@code DISCARD} and only then returns it.
 *   <li>While a {@code JedisPubSub} listens on it (which holds the connection for as long as it
 *       listens): inline, from a timer, when its renewal falls due. Over RESP3 (which {@code
 *       IamJedis} sets) {@code AUTH} is allowed while subscribed; its reply is taken out of the
 *       stream here, before the subscriber's loop sees it, by keeping the order of the replies the
 *       subscriber expects ({@code PING}) and this connection's own. Writes are serialised with the
 *       subscriber's ({@code SUBSCRIBE}, {@code UNSUBSCRIBE}, {@code PING}). Jedis's own inline
 *       re-authentication ({@code JedisSafeAuthenticator}) queues its reply handler only after the
 *       {@code AUTH} is written, so a fast server's reply can reach the subscriber first and end
 *       the subscription with "Unexpected message: OK"; this connection does not use it. A
 *       connection returned with an {@code AUTH} reply still unread is closed instead of pooled.
 * </ul>
 *
 * <p>During a migration from passwords, {@link ConnectionAuth} says whether the connection is on
 * IAM or the fallback password and what each re-authentication sends; a token refused at a safe
 * moment or in band is followed at once by {@code AUTH} with the password on the same connection.
 */
public final class IamConnection extends Connection {
  private static final Duration MIN_TICK = Duration.ofMillis(50);

  /** In {@link #expected}: the reply to the subscriber's own {@code PING}. */
  private static final Object SUBSCRIBER_REPLY = new Object();

  private final ConnectionAuth auth;
  private final ConnectionRenewal renewal;
  private final boolean fallbackEnabled;
  private final RefreshScheduler scheduler;
  private final Clock clock;
  private final Duration retryDelay;
  private final Object lock = new Object();
  // Written by the thread using the connection (SUBSCRIBE, passivate), read by the timer.
  private volatile boolean subscribed;
  // The non-push replies due while subscribed, in order: SUBSCRIBER_REPLY, or the credentials of
  // this connection's own AUTH.
  private final ArrayDeque<Object> expected = new ArrayDeque<>(); // guarded by lock
  private int authsInFlight; // guarded by lock
  private boolean closed; // guarded by lock
  private RefreshScheduler.@Nullable Cancellable timer; // guarded by lock

  /**
   * Connects and authenticates ({@code credentials}, the credentials provider of {@code config},
   * gives the token or the fallback password), then starts tracking the renewal and counting the
   * connection on IAM or on the password.
   */
  IamConnection(
      JedisSocketFactory socketFactory,
      JedisClientConfig config,
      IamConnectionFactory factory,
      String description,
      IamCredentialsProvider credentials) {
    super(socketFactory, config);
    ConnectionCredentials used =
        Objects.requireNonNull(credentials.given(), "credentials read while connecting");
    this.auth = new ConnectionAuth(factory.renewals(), description, used);
    this.renewal = auth.renewal();
    this.fallbackEnabled = factory.renewals().tokens().passwordFallbacks().enabled();
    this.scheduler = factory.scheduler();
    this.clock = factory.renewals().tokens().clock();
    this.retryDelay = factory.renewals().retryDelay();
  }

  /** This connection's renewal state. */
  public ConnectionRenewal renewal() {
    return renewal;
  }

  /** Whether it authenticated (last) with the fallback password rather than IAM. */
  public boolean onPassword() {
    return auth.onPassword();
  }

  /** Whether a subscriber listens on it now. */
  public boolean isSubscribed() {
    return subscribed;
  }

  /** Borrowed from its pool (also when the pool's evictor tests it): re-authenticate if due. */
  void activated() {
    reauthenticateIfDue();
  }

  /**
   * Returned to its pool: end any subscription's renewal, then re-authenticate if due.
   *
   * @throws IllegalStateException to have the pool destroy it, when the reply to an inline {@code
   *     AUTH} is still unread
   */
  void passivated() {
    int unread;
    synchronized (lock) {
      unread = authsInFlight;
      endSubscriptionLocked();
    }
    if (unread > 0) {
      throw new IllegalStateException(
          "closing "
              + renewal.connection()
              + ": its subscriber stopped before the reply to a re-authentication arrived");
    }
    reauthenticateIfDue();
  }

  /** The pool destroys it. */
  void destroyed() {
    synchronized (lock) {
      closed = true;
      endSubscriptionLocked();
    }
    auth.close();
  }

  private void endSubscriptionLocked() {
    subscribed = false;
    expected.clear();
    authsInFlight = 0;
    RefreshScheduler.Cancellable t = timer;
    timer = null;
    if (t != null) {
      t.cancel();
    }
  }

  /**
   * Sends {@code AUTH} with a fresh token if this connection is due (or with the fallback password,
   * see {@link ConnectionAuth}). Only called at safe moments (nothing in flight, no transaction
   * open). A refusal ({@code WRONGPASS}) leaves the connection authenticated as before and is
   * retried later, or, for a refused token with a fallback configured, is followed at once by
   * {@code AUTH} with the password; a broken connection is thrown.
   */
  void reauthenticateIfDue() {
    ConnectionCredentials credentials = auth.due();
    while (credentials != null) {
      try {
        setCredentials(new IamCredentialsProvider.Secret(credentials));
        String reply = reAuthenticate();
        if (reply == null || "OK".equals(reply)) {
          auth.accepted(credentials);
          return;
        }
        credentials =
            auth.refused(
                credentials, new JedisAuthenticationException("AUTH was answered " + reply));
      } catch (JedisDataException e) {
        credentials = auth.refused(credentials, e);
      } catch (JedisConnectionException e) {
        auth.failed(e);
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Pub/sub.

  @Override
  public void sendCommand(CommandArguments args) {
    ProtocolCommand command = args.getCommand();
    boolean subscribing =
        command == Command.SUBSCRIBE
            || command == Command.PSUBSCRIBE
            || command == Command.SSUBSCRIBE;
    if (!subscribed && !subscribing) {
      super.sendCommand(args);
      return;
    }
    synchronized (lock) {
      super.sendCommand(args);
      if (subscribing && !subscribed && !closed) {
        subscribed = true;
        scheduleLocked(untilDue());
      } else if (command == Command.PING) {
        // Answered with a plain reply (not a push) while subscribed: the subscriber's.
        expected.add(SUBSCRIBER_REPLY);
      }
    }
  }

  @Override
  protected void flush() {
    if (!subscribed) {
      super.flush();
      return;
    }
    synchronized (lock) {
      super.flush();
    }
  }

  @Override
  public Object getUnflushedObject() {
    while (true) {
      Object reply;
      try {
        reply = super.getUnflushedObject();
      } catch (JedisDataException e) {
        ConnectionCredentials own = takeOwnReply();
        if (own != null) {
          ConnectionCredentials password = auth.refused(own, e);
          if (password != null) {
            sendInBand(password);
          }
          continue;
        }
        throw e;
      }
      if (!(reply instanceof List)) {
        ConnectionCredentials own = takeOwnReply();
        if (own != null) {
          auth.accepted(own);
          continue;
        }
      }
      return reply;
    }
  }

  /**
   * The credentials of this connection's own {@code AUTH} if the next plain reply answers it
   * (taking it), else null.
   */
  private @Nullable ConnectionCredentials takeOwnReply() {
    if (!subscribed) {
      return null;
    }
    synchronized (lock) {
      Object next = expected.peek();
      if (next instanceof ConnectionCredentials own) {
        expected.poll();
        authsInFlight--;
        return own;
      }
      if (next != null) {
        expected.poll();
      }
      return null;
    }
  }

  /**
   * Writes {@code AUTH} on the subscribed connection; its reply is taken out of the stream by
   * {@link #getUnflushedObject()}.
   *
   * @return false if the connection is broken (the subscriber sees it too)
   */
  private boolean sendInBand(ConnectionCredentials credentials) {
    synchronized (lock) {
      if (!subscribed || closed) {
        return true;
      }
      try {
        super.sendCommand(
            new CommandArguments(Command.AUTH).add(credentials.user()).add(credentials.secret()));
        super.flush();
        expected.add(credentials);
        authsInFlight++;
        return true;
      } catch (RuntimeException e) {
        auth.failed(e);
        return false;
      }
    }
  }

  private Duration untilDue() {
    Duration d = Duration.between(clock.instant(), renewal.reauthenticateAt());
    return d.compareTo(MIN_TICK) < 0 ? MIN_TICK : d;
  }

  private void scheduleLocked(Duration delay) {
    timer = scheduler.schedule(this::subscriptionTick, delay);
  }

  /** Sends {@code AUTH} on the subscribed connection when it is due. */
  private void subscriptionTick() {
    synchronized (lock) {
      if (!subscribed || closed) {
        return;
      }
      if (authsInFlight > 0) {
        // The last one is not answered yet: the subscriber's loop reads it.
        scheduleLocked(retryDelay);
        return;
      }
    }
    ConnectionCredentials credentials = auth.due();
    synchronized (lock) {
      if (!subscribed || closed) {
        return;
      }
      if (credentials != null) {
        if (!sendInBand(credentials)) {
          // Broken: the subscriber sees it too.
          return;
        }
        scheduleLocked(retryDelay);
      } else if (fallbackEnabled && renewal.isReauthenticationDue()) {
        // Staying on the password for now, or a token fetch under way.
        scheduleLocked(retryDelay);
      } else {
        scheduleLocked(untilDue());
      }
    }
  }

  @Override
  public String toString() {
    return "IamConnection[" + renewal.connection() + "]";
  }
}
