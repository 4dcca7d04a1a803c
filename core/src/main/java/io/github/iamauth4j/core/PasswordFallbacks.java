package io.github.iamauth4j.core;

import io.github.iamauth4j.core.ConnectionCredentials.Mode;
import io.github.iamauth4j.core.IamAuthEvent.PasswordFallback.Reason;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the credentials of each connection during a migration from passwords: IAM first, and the
 * {@linkplain FallbackPassword fallback password} only when IAM cannot be used, as AWS's migration
 * guide asks. One per token provider ({@link IamTokenProvider#passwordFallbacks()}); every adapter
 * goes through it, so every client falls back the same way.
 *
 * <ul>
 *   <li>{@link #credentials(String)} / {@link #credentialsAsync(String)}: the token when a usable
 *       one can be had; else the password ({@link Reason#NO_USABLE_TOKEN}). Without a fallback
 *       configured they behave as {@link IamTokenProvider#token()} / {@link
 *       IamTokenProvider#tokenAsync(java.time.Duration)} did: a failure is thrown.
 *   <li>{@link #refused(String, Throwable)}: the adapter saw the server refuse the token ({@code
 *       WRONGPASS}, PAM, 1045): IAM is set aside for {@link FallbackPassword#retryIamAfter()} and
 *       the password is returned to retry with at once ({@link Reason#TOKEN_REFUSED}). New
 *       connections use the password until then, then try IAM again, so a fixed IAM setup converges
 *       back to IAM without a restart.
 *   <li>{@link #opened(String, ConnectionCredentials)}: counts the connection on IAM or on the
 *       password until its {@link Session} is closed ({@link #stats()}).
 * </ul>
 *
 * <p>Every fallback is reported as {@link IamAuthEvent.PasswordFallback} (a WARN line with the
 * reason and target, never a secret) and counted by reason. Thread-safe; the async form never
 * blocks.
 */
public final class PasswordFallbacks {
  private final IamTokenProvider tokens;
  private final @Nullable FallbackPassword fallback;
  private final Clock clock;
  private volatile long iamSetAsideUntilMillis = Long.MIN_VALUE;
  private volatile String lastRefusal = "";
  private final LongAdder iamAuthentications = new LongAdder();
  private final LongAdder passwordAuthentications = new LongAdder();
  private final Map<Reason, LongAdder> fallbacks = new EnumMap<>(Reason.class);
  private final AtomicInteger openOnIam = new AtomicInteger();
  private final AtomicInteger openOnPassword = new AtomicInteger();

  PasswordFallbacks(IamTokenProvider tokens, @Nullable FallbackPassword fallback) {
    this.tokens = tokens;
    this.fallback = fallback;
    this.clock = tokens.clock();
    for (Reason r : Reason.values()) {
      fallbacks.put(r, new LongAdder());
    }
  }

  /** Whether a fallback password is configured. */
  public boolean enabled() {
    return fallback != null;
  }

  /** The fallback password configured, or null. */
  public @Nullable FallbackPassword fallbackPassword() {
    return fallback;
  }

  /**
   * Until when IAM is set aside after the server refused a token, or null when IAM is tried now.
   */
  public @Nullable Instant iamSetAsideUntil() {
    long until = iamSetAsideUntilMillis;
    return clock.millis() < until ? Instant.ofEpochMilli(until) : null;
  }

  /**
   * The credentials for a connection opening now, waiting at most the first-token timeout for the
   * very first token (for threads that may block: Jedis, JDBC).
   *
   * @param connection a description of the connection, for events (no secrets)
   * @return IAM credentials, or the password ones when IAM cannot be used and a fallback is set
   * @throws TokenUnavailableException when no token can be had and no fallback is set (or the
   *     password cannot be read either)
   */
  public ConnectionCredentials credentials(String connection) {
    if (fallback == null) {
      return ConnectionCredentials.iam(tokens.token());
    }
    ConnectionCredentials setAside = passwordIfIamSetAside(connection);
    if (setAside != null) {
      return setAside;
    }
    try {
      return ConnectionCredentials.iam(tokens.token());
    } catch (TokenUnavailableException e) {
      return fallBack(connection, Reason.NO_USABLE_TOKEN, e);
    }
  }

  /**
   * The credentials for a connection opening now, without blocking the caller (for event loops:
   * Lettuce, Redisson): completed at once when a token is cached, else when one is fetched, giving
   * up on the token after the first-token timeout.
   *
   * @param connection a description of the connection, for events (no secrets)
   * @return IAM credentials, or the password ones when IAM cannot be used and a fallback is set;
   *     failed with {@link TokenUnavailableException} when neither can be had
   */
  public CompletableFuture<ConnectionCredentials> credentialsAsync(String connection) {
    if (fallback == null) {
      return tokens.tokenAsync(tokens.firstTokenTimeout()).thenApply(ConnectionCredentials::iam);
    }
    try {
      ConnectionCredentials setAside = passwordIfIamSetAside(connection);
      if (setAside != null) {
        return CompletableFuture.completedFuture(setAside);
      }
    } catch (TokenUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    return tokens
        .tokenAsync(tokens.firstTokenTimeout())
        .handle(
            (t, e) -> {
              if (e == null) {
                return ConnectionCredentials.iam(t);
              }
              Throwable cause = unwrap(e);
              if (cause instanceof TokenUnavailableException u) {
                return fallBack(connection, Reason.NO_USABLE_TOKEN, u);
              }
              throw new CompletionException(cause);
            });
  }

  /**
   * The server refused the IAM token of {@code connection}: sets IAM aside for {@link
   * FallbackPassword#retryIamAfter()} and returns the password credentials to authenticate with
   * now.
   *
   * @param connection a description of the connection, for events (no secrets)
   * @param cause the server's refusal (its message must carry no secret)
   * @return the password credentials, or null when no fallback is configured (the adapter then
   *     fails as it would without this class)
   * @throws TokenUnavailableException when the password cannot be read
   */
  public @Nullable ConnectionCredentials refused(String connection, Throwable cause) {
    FallbackPassword f = fallback;
    if (f == null) {
      return null;
    }
    lastRefusal = IamAuthEvents.messageOf(cause);
    iamSetAsideUntilMillis = clock.millis() + f.retryIamAfter().toMillis();
    return fallBack(connection, Reason.TOKEN_REFUSED, cause);
  }

  /**
   * Counts a connection that authenticated with {@code credentials} (now, or again by
   * re-authentication) until the session is closed.
   *
   * @param connection a description of the connection
   * @param credentials what it authenticated with
   * @return closing it stops counting the connection
   */
  public Session opened(String connection, ConnectionCredentials credentials) {
    Session s = new Session(connection);
    s.authenticated(credentials);
    return s;
  }

  /**
   * Counts one successful authentication, e.g. where the connection's close is not seen (a JDBC
   * connection): {@link #stats()} counts it among the authentications, not the open connections.
   *
   * @param credentials what it authenticated with
   */
  public void authenticated(ConnectionCredentials credentials) {
    (credentials.isIam() ? iamAuthentications : passwordAuthentications).increment();
  }

  /** The counts now: connections open on IAM and on the password, authentications, fallbacks. */
  public Stats stats() {
    Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
    fallbacks.forEach((r, n) -> byReason.put(r, n.sum()));
    return new Stats(
        openOnIam.get(),
        openOnPassword.get(),
        iamAuthentications.sum(),
        passwordAuthentications.sum(),
        Map.copyOf(byReason),
        iamSetAsideUntil());
  }

  private @Nullable ConnectionCredentials passwordIfIamSetAside(String connection) {
    if (clock.millis() >= iamSetAsideUntilMillis) {
      return null;
    }
    return fallBack(
        connection,
        Reason.TOKEN_REFUSED,
        "IAM set aside until "
            + Instant.ofEpochMilli(iamSetAsideUntilMillis)
            + " after the server refused a token: "
            + lastRefusal);
  }

  private ConnectionCredentials fallBack(String connection, Reason reason, Throwable cause) {
    return fallBack(connection, reason, IamAuthEvents.messageOf(cause));
  }

  private ConnectionCredentials fallBack(String connection, Reason reason, String detail) {
    FallbackPassword f = Objects.requireNonNull(fallback);
    String password;
    try {
      password = f.password();
    } catch (TokenUnavailableException e) {
      throw new TokenUnavailableException(
          "IAM cannot be used for "
              + tokens.target().description()
              + " ("
              + detail
              + "), and "
              + e.getMessage(),
          null);
    }
    fallbacks.get(reason).increment();
    tokens
        .events()
        .publish(
            new IamAuthEvent.PasswordFallback(
                tokens.target(), clock.instant(), connection, reason, f.user(), detail));
    return ConnectionCredentials.password(f.user(), password, reason);
  }

  private static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  @Override
  public String toString() {
    return "PasswordFallbacks["
        + tokens.target().description()
        + ", "
        + (fallback == null ? "off" : fallback.toString())
        + ", "
        + stats()
        + "]";
  }

  /**
   * One connection counted on IAM or on the password. Thread-safe; {@link #close()} is idempotent.
   */
  public final class Session implements AutoCloseable {
    private final String connection;
    private @Nullable Mode mode; // guarded by this

    private Session(String connection) {
      this.connection = connection;
    }

    /** The connection's description. */
    public String connection() {
      return connection;
    }

    /** How the connection last authenticated, or null once closed. */
    public synchronized @Nullable Mode mode() {
      return mode;
    }

    /**
     * The connection authenticated again (re-authentication), perhaps in the other mode.
     *
     * @param credentials what it authenticated with
     */
    public void authenticated(ConnectionCredentials credentials) {
      PasswordFallbacks.this.authenticated(credentials);
      synchronized (this) {
        Mode was = mode;
        mode = credentials.mode();
        if (was == mode) {
          return;
        }
        if (was != null) {
          counter(was).decrementAndGet();
        }
        counter(mode).incrementAndGet();
      }
    }

    /** The connection closed. */
    @Override
    public void close() {
      synchronized (this) {
        if (mode != null) {
          counter(mode).decrementAndGet();
          mode = null;
        }
      }
    }

    @Override
    public synchronized String toString() {
      return "Session[" + connection + ", " + (mode == null ? "closed" : mode) + "]";
    }
  }

  private AtomicInteger counter(Mode mode) {
    return mode == Mode.IAM ? openOnIam : openOnPassword;
  }

  /**
   * The counts at one moment.
   *
   * @param openOnIam connections open whose last authentication used IAM
   * @param openOnPassword connections open whose last authentication used the password
   * @param iamAuthentications successful IAM authentications so far (connects and
   *     re-authentications)
   * @param passwordAuthentications successful password authentications so far
   * @param fallbacks fallbacks to the password so far, by reason
   * @param iamSetAsideUntil until when IAM is set aside after a refusal, or null
   */
  public record Stats(
      int openOnIam,
      int openOnPassword,
      long iamAuthentications,
      long passwordAuthentications,
      Map<Reason, Long> fallbacks,
      @Nullable Instant iamSetAsideUntil) {

    /** Fallbacks for every reason. */
    public long totalFallbacks() {
      return fallbacks.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
