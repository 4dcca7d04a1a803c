package io.github.iamauth4j.lettuce.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.TokenUnavailableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The Lettuce side of the core's {@link PasswordFallbacks}: which credentials a connection's
 * handshake gets, and what to do when the server refuses an IAM token ({@code WRONGPASS}).
 *
 * <p>Lettuce resolves a connection's credentials, then sends {@code HELLO}/{@code AUTH} itself and
 * fails the connection attempt on an error: the credentials provider never sees the reply, and
 * nothing ties a reply to the call that resolved its credentials. So a refusal is learned where
 * Lettuce reports it, and the retry happens where Lettuce connects again:
 *
 * <ul>
 *   <li>a {@code connect…()} of a client built by {@code IamLettuce} fails: its client catches the
 *       {@code WRONGPASS} and calls {@link #connectRefused}, then connects again;
 *   <li>the reconnect watchdog fails ({@code ReconnectFailedEvent}): {@link #connectRefused}, and
 *       Lettuce's next reconnect attempt gets the password;
 *   <li>a re-authentication fails ({@code ReauthenticationFailedEvent}, or the cluster connection's
 *       own {@code AUTH}): {@link #reauthenticationRefused}, and the connections that sent an IAM
 *       token recently re-authenticate with the password at once.
 * </ul>
 *
 * <p>The token was refused (rather than the password) when IAM was not set aside and a usable token
 * was cached: only then is {@link PasswordFallbacks#refused} called. The password credentials it
 * returns (one fallback event) go to the next handshake, so that each connection moving to the
 * password is reported once. Thread-safe.
 */
public final class LettuceFallback {
  /** How long after sending an IAM token a connection counts as awaiting its re-auth reply. */
  private static final long RECENT_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** At most this many password credentials wait for a connection attempt to take them. */
  private static final int MAX_READY = 16;

  private final IamTokenProvider tokens;
  private final PasswordFallbacks fallbacks;
  private final ConcurrentLinkedQueue<ConnectionCredentials> ready = new ConcurrentLinkedQueue<>();
  private final Map<String, Renewed> connections = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final AutoCloseable listening;
  private volatile @Nullable ConnectionCredentials lastHandshake;

  /**
   * A live connection whose re-authentications the adapter streams: the fallback moves it to the
   * password when an IAM re-authentication it may have sent was refused.
   */
  public interface Renewed {
    /** The connection's description in events, from {@link LettuceFallback#describe()}. */
    String connection();

    /**
     * When the connection last sent an IAM token ({@link System#nanoTime()}), or {@link
     * Long#MIN_VALUE} if its last credentials were the password.
     */
    long lastIamNanos();

    /**
     * Re-authenticate with the password now.
     *
     * @param password the credentials {@link PasswordFallbacks#refused} returned, or null to get
     *     them from {@link PasswordFallbacks#credentialsAsync}
     */
    void moveToPassword(@Nullable ConnectionCredentials password);

    /**
     * A renewal found no usable token (the core keeps retrying): a connection on IAM moves to the
     * password, so that it is not cut at the server's limit; one on the password stays.
     */
    void renewalFoundNoToken();
  }

  /**
   * @param tokens the token provider whose {@link IamTokenProvider#passwordFallbacks()} decide
   */
  public LettuceFallback(IamTokenProvider tokens) {
    this.tokens = tokens;
    this.fallbacks = tokens.passwordFallbacks();
    this.listening = fallbacks.enabled() ? tokens.events().listen(this::onEvent) : () -> {};
  }

  /**
   * A description of a new renewed connection, unique in this fallback, e.g. {@code Lettuce
   * connection #3}: the core names it in its events.
   */
  public String describe() {
    return "Lettuce connection #" + ids.incrementAndGet();
  }

  /**
   * The core's renewal reports, for one connection, that it found no usable token (it retries on
   * its own): with a fallback, that connection moves to the password.
   */
  private void onEvent(IamAuthEvent event) {
    if (event instanceof IamAuthEvent.ReauthenticationFailed f
        && f.cause() instanceof TokenUnavailableException) {
      String c = f.connection();
      int detail = c.indexOf(" (");
      Renewed r = connections.get(detail < 0 ? c : c.substring(0, detail));
      if (r != null) {
        r.renewalFoundNoToken();
      }
    }
  }

  /** The core's fallback state. */
  public PasswordFallbacks fallbacks() {
    return fallbacks;
  }

  /**
   * The credentials for a connection's handshake: password credentials a refusal left for the next
   * attempt, else the core's choice (IAM first). Never blocks.
   *
   * @param connection a description for events
   */
  public CompletableFuture<ConnectionCredentials> handshake(String connection) {
    ConnectionCredentials retry = takeReady();
    CompletableFuture<ConnectionCredentials> chosen =
        retry != null
            ? CompletableFuture.completedFuture(retry)
            : fallbacks.credentialsAsync(connection);
    return chosen.whenComplete(
        (c, e) -> {
          if (c != null) {
            lastHandshake = c;
          }
        });
  }

  /**
   * The credentials of the most recent handshake, or null before the first: what a connection that
   * activates now most likely authenticated with (Lettuce does not tell which call was its own).
   */
  public @Nullable ConnectionCredentials lastHandshake() {
    return lastHandshake;
  }

  /**
   * A connection attempt failed with {@code failure}. When the server refused an IAM token and a
   * fallback is configured, IAM is set aside ({@link PasswordFallbacks#refused}) and the password
   * waits for the next attempt.
   *
   * @param connection a description for events
   * @param failure what the attempt failed with
   * @return whether connecting again now would use the password
   */
  public boolean connectRefused(String connection, Throwable failure) {
    Throwable refusal = refusal(failure);
    if (refusal == null || !fallbacks.enabled()) {
      return false;
    }
    if (fallbacks.iamSetAsideUntil() != null) {
      // Set aside in the meantime (another connection's refusal): the next attempt gets the
      // password anyway.
      return true;
    }
    if (!tokenUsable()) {
      // No token to be had: this attempt authenticated with the password, which was refused.
      return false;
    }
    try {
      ConnectionCredentials password = fallbacks.refused(connection, refusal);
      if (password == null) {
        return false;
      }
      offer(password);
      return true;
    } catch (RuntimeException e) {
      // The password cannot be read: the attempt fails as it would without a fallback.
      return false;
    }
  }

  /**
   * A re-authentication failed with {@code failure}. When the server refused an IAM token, IAM is
   * set aside and the connections that sent an IAM token recently re-authenticate with the
   * password: the refused one is among them, and would otherwise stay on its old token until the
   * server's limit.
   *
   * @param connection a description for events
   * @param failure what the re-authentication failed with
   */
  public void reauthenticationRefused(String connection, Throwable failure) {
    Throwable refusal = refusal(failure);
    if (refusal == null || !fallbacks.enabled()) {
      return;
    }
    long since = System.nanoTime() - RECENT_NANOS;
    List<Renewed> recent = new ArrayList<>();
    for (Renewed r : connections.values()) {
      long sent = r.lastIamNanos();
      if (sent != Long.MIN_VALUE && sent - since > 0) {
        recent.add(r);
      }
    }
    if (recent.isEmpty()) {
      // No IAM re-authentication is awaiting its reply: the password was refused, or it was not
      // one of this adapter's connections.
      return;
    }
    ConnectionCredentials password = null;
    if (fallbacks.iamSetAsideUntil() == null) {
      try {
        password = fallbacks.refused(connection, refusal);
      } catch (RuntimeException e) {
        return;
      }
    }
    for (Renewed r : recent) {
      r.moveToPassword(password);
      password = null;
    }
  }

  /**
   * Tracks a renewed connection until {@link #forget(Renewed)}.
   *
   * @param connection the connection
   */
  public void track(Renewed connection) {
    connections.put(connection.connection(), connection);
  }

  /**
   * Stops tracking a connection.
   *
   * @param connection the connection
   */
  public void forget(Renewed connection) {
    connections.remove(connection.connection(), connection);
  }

  /** Stops listening to the token provider's events (the adapter is closed). */
  public void close() {
    try {
      listening.close();
    } catch (Exception e) {
      // Removing a listener does not throw.
    }
  }

  private boolean tokenUsable() {
    CompletableFuture<AuthToken> t = tokens.tokenAsync();
    return t.isDone() && !t.isCompletedExceptionally();
  }

  private void offer(ConnectionCredentials password) {
    if (ready.size() < MAX_READY) {
      ready.add(password);
    }
  }

  private @Nullable ConnectionCredentials takeReady() {
    ConnectionCredentials c = ready.poll();
    if (c != null && fallbacks.iamSetAsideUntil() == null) {
      // IAM is tried again: what a refusal left is stale.
      ready.clear();
      return null;
    }
    return c;
  }

  /**
   * The server's refusal of a token or password in {@code failure} (its causes and suppressed
   * exceptions included): an error reply starting with {@code WRONGPASS}, or null.
   *
   * @param failure what failed
   */
  public static @Nullable Throwable refusal(@Nullable Throwable failure) {
    return find(failure, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static @Nullable Throwable find(@Nullable Throwable t, Set<Throwable> seen) {
    if (t == null || !seen.add(t) || seen.size() > 32) {
      return null;
    }
    String message = t.getMessage();
    if (message != null && message.toUpperCase(Locale.ROOT).startsWith("WRONGPASS")) {
      return t;
    }
    Throwable found = find(t.getCause(), seen);
    if (found != null) {
      return found;
    }
    for (Throwable s : t.getSuppressed()) {
      found = find(s, seen);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "LettuceFallback[" + fallbacks + "]";
  }
}
