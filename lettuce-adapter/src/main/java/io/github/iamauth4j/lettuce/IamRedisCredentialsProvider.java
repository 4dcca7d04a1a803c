package io.github.iamauth4j.lettuce;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.github.iamauth4j.lettuce.internal.LettuceFallback;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * A Lettuce {@link RedisCredentialsProvider} backed by the core's {@link IamTokenProvider}: the
 * target's user name with a current IAM token as the password, or, during a migration from
 * passwords with a {@linkplain io.github.iamauth4j.core.FallbackPassword fallback password}
 * configured, the password when IAM cannot be used ({@link PasswordFallbacks}).
 *
 * <ul>
 *   <li>{@link #resolveCredentials()} never blocks its caller, which is often a Netty event loop:
 *       it completes at once from the token cache, and before the first token exists it completes
 *       when the core's own threads have fetched it (or, after the first-token timeout, fails with
 *       a {@link TokenUnavailableException} naming the cache and user, or falls back to the
 *       password).
 *   <li>{@link #credentials()} streams fresh credentials to each connection that subscribes
 *       (Lettuce subscribes every connection when it becomes active and unsubscribes it when it
 *       goes down), on the {@link RenewalPolicy}'s jittered re-authentication interval, never at
 *       subscription. Lettuce answers each with {@code AUTH} on the live connection, which renews
 *       the server's 12-hour limit; it holds that {@code AUTH} while a {@code MULTI} is open and
 *       sends it after {@code EXEC}/{@code DISCARD}. This needs {@code
 *       ReauthenticateBehavior.ON_NEW_CREDENTIALS} (and RESP3 for pub/sub connections), which
 *       {@link IamLettuce} sets up. Each stream counts its connection on IAM or on the password
 *       ({@link PasswordFallbacks#stats()}) while it is open.
 *   <li>The stream never fails: when no usable token can be had, it reports an {@link
 *       IamAuthEvent.ReauthenticationFailed} through the token provider and tries again after a
 *       tenth of the interval (at least 1 second), many times before the limit.
 *   <li>With a fallback password: while IAM is set aside after the server refused a token, a
 *       connection on IAM re-authenticates with the password when due, and one on the password
 *       stays as it is; otherwise IAM is sent, so a password connection moves back to IAM once IAM
 *       works again.
 * </ul>
 *
 * <p>Obtained only from {@link IamLettuce}, through methods that see the connection's {@link
 * RedisURI} and refuse to attach it without verified TLS ({@link
 * IamLettuce#credentialsProvider(RedisURI)}, {@link IamLettuce#redisUri(RedisURI)}), so that no
 * token is handed to a plaintext connection. The timers are the core's {@link
 * io.github.iamauth4j.core.ConnectionRenewals}. Thread-safe.
 */
public final class IamRedisCredentialsProvider implements RedisCredentialsProvider {
  private static final String CONNECTION = "a Lettuce connection";
  private static final String LETTUCE_URI = "io.lettuce.core.RedisURI";
  private static final StackWalker STACK = StackWalker.getInstance();
  private static final Logger log = LoggerFactory.getLogger(IamRedisCredentialsProvider.class);

  private final ConnectionRenewals renewals;
  private final IamTokenProvider tokens;
  private final LettuceFallback fallback;

  IamRedisCredentialsProvider(ConnectionRenewals renewals) {
    this.renewals = Objects.requireNonNull(renewals, "renewals");
    this.tokens = renewals.tokens();
    this.fallback = new LettuceFallback(tokens);
  }

  /** The token cache behind this provider. */
  public IamTokenProvider tokenProvider() {
    return tokens;
  }

  /** The renewal policy that paces the re-authentications. */
  public RenewalPolicy renewalPolicy() {
    return renewals.policy();
  }

  /**
   * How long {@link #resolveCredentials()} waits for the very first token before failing with a
   * {@link TokenUnavailableException} (or falling back to the password); kept below Lettuce's
   * connect timeout (10 seconds by default) so that the failure names the cache instead of reading
   * "connection initialization timed out".
   */
  public Duration firstTokenTimeout() {
    return tokens.firstTokenTimeout();
  }

  /**
   * The number of credential streams open now: one per live Lettuce connection that
   * re-authenticates with this provider.
   */
  public int openStreams() {
    return renewals.open();
  }

  /** What the adapter's clients and event reporters tell about refusals. */
  LettuceFallback fallback() {
    return fallback;
  }

  /**
   * The current credentials, without blocking: completed at once when a usable token is cached,
   * otherwise when the core's threads have fetched one. With a fallback password, the password when
   * IAM cannot be used (no usable token, or IAM set aside after a refusal).
   *
   * @return a {@link Mono} of the user name and a current token (or the password); it fails with a
   *     {@link TokenUnavailableException} naming the cache and user when neither can be had
   */
  @Override
  public Mono<RedisCredentials> resolveCredentials() {
    if (fallback.fallbacks().enabled() && calledByRedisUri()) {
      // Lettuce 7 renders the RedisURI (for its events) by resolving the credentials, only to
      // print one asterisk per character: no connection authenticates with these, so no choice
      // between IAM and the password is made (it would be reported as a fallback of its own).
      return Mono.just(new Rendering(tokens.userName()));
    }
    return Mono.defer(
        () ->
            Mono.fromFuture(fallback.handshake(CONNECTION))
                .map(c -> new IamRedisCredentials(c, tokens.target())));
  }

  private static boolean calledByRedisUri() {
    String self = IamRedisCredentialsProvider.class.getName();
    return STACK.walk(
        frames ->
            frames
                .dropWhile(f -> f.getClassName().equals(self))
                .findFirst()
                .map(f -> f.getClassName().equals(LETTUCE_URI))
                .orElse(false));
  }

  /** Always true: this provider streams renewed credentials, see {@link #credentials()}. */
  @Override
  public boolean supportsStreaming() {
    return true;
  }

  /**
   * A stream of fresh credentials for one connection: the first after the renewal policy's jittered
   * {@linkplain RenewalPolicy#nextReauthenticationDelay() re-authentication delay}, then again
   * after each further delay, until the subscriber cancels. Each subscriber gets its own timer, so
   * the connections of a pool re-authenticate at spread-out instants. Never fails and never blocks.
   */
  @Override
  public Flux<RedisCredentials> credentials() {
    return Flux.create(
        sink -> {
          Renewal renewal = new Renewal(sink);
          fallback.track(renewal);
          AutoCloseable stream =
              renewals.stream(renewal.connection(), renewal::due, sink::complete);
          sink.onDispose(
              () -> {
                fallback.forget(renewal);
                closeQuietly(stream);
                renewal.close();
              });
        });
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // A stream handle's close does not throw.
    }
  }

  /** Stops following the token provider's events (the adapter is closed). */
  void close() {
    fallback.close();
  }

  /** The delay before retrying when no token could be had for a re-authentication. */
  Duration retryDelay() {
    return renewals.retryDelay();
  }

  @Override
  public String toString() {
    return "IamRedisCredentialsProvider["
        + tokens.target().description()
        + ", "
        + renewals.policy()
        + ", open streams="
        + renewals.open()
        + (fallback.fallbacks().enabled() ? ", password fallback on" : "")
        + "]";
  }

  /** One connection's re-authentications, and its count on IAM or on the password. */
  private final class Renewal implements LettuceFallback.Renewed {
    private final String connection = fallback.describe();
    private final FluxSink<RedisCredentials> sink;
    private volatile PasswordFallbacks.@Nullable Session session;
    private volatile long lastIamNanos = Long.MIN_VALUE;
    private volatile boolean closed;

    Renewal(FluxSink<RedisCredentials> sink) {
      this.sink = sink;
      // Lettuce subscribes once the handshake succeeded; the handshake it most likely had is the
      // latest one (Lettuce does not say which resolution was this connection's).
      ConnectionCredentials opened = fallback.lastHandshake();
      if (opened != null) {
        session = fallback.fallbacks().opened(connection, opened);
      }
    }

    @Override
    public String connection() {
      return connection;
    }

    @Override
    public void renewalFoundNoToken() {
      PasswordFallbacks.Session s = session;
      if (s == null || s.mode() != ConnectionCredentials.Mode.PASSWORD) {
        moveToPassword(null);
      }
    }

    void due(AuthToken token) {
      PasswordFallbacks fallbacks = fallback.fallbacks();
      if (fallbacks.enabled() && fallbacks.iamSetAsideUntil() != null) {
        PasswordFallbacks.Session s = session;
        if (s != null && s.mode() == ConnectionCredentials.Mode.PASSWORD) {
          // On the password already, which has no limit: IAM is tried at a later renewal.
          return;
        }
        moveToPassword(null);
        return;
      }
      send(ConnectionCredentials.iam(token));
    }

    @Override
    public long lastIamNanos() {
      return lastIamNanos;
    }

    @Override
    public void moveToPassword(@Nullable ConnectionCredentials password) {
      if (password != null) {
        send(password);
        return;
      }
      fallback
          .fallbacks()
          .credentialsAsync(connection)
          .whenComplete(
              (c, e) -> {
                if (c != null) {
                  send(c);
                } else {
                  // Neither a token nor the password: nothing changes; the renewal goes on.
                  log.warn(
                      "{} to {} could not move to the fallback password: {}",
                      connection,
                      tokens.target().description(),
                      e.getMessage());
                }
              });
    }

    private void send(ConnectionCredentials c) {
      if (closed) {
        return;
      }
      lastIamNanos = c.isIam() ? System.nanoTime() : Long.MIN_VALUE;
      PasswordFallbacks.Session s = session;
      if (s == null) {
        session = fallback.fallbacks().opened(connection, c);
      } else {
        s.authenticated(c);
      }
      sink.next(new IamRedisCredentials(c, tokens.target()));
    }

    void close() {
      closed = true;
      PasswordFallbacks.Session s = session;
      if (s != null) {
        s.close();
      }
    }
  }

  /** What Lettuce 7 prints for a {@link RedisURI}: the user and asterisks, never a secret. */
  private record Rendering(String user) implements RedisCredentials {
    @Override
    public String getUsername() {
      return user;
    }

    @Override
    public boolean hasUsername() {
      return true;
    }

    @Override
    public char[] getPassword() {
      return "********".toCharArray();
    }

    @Override
    public boolean hasPassword() {
      return true;
    }
  }
}
