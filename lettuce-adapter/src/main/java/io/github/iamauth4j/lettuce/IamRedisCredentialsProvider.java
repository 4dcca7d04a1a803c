package io.github.iamauth4j.lettuce;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A Lettuce {@link RedisCredentialsProvider} backed by the core's {@link IamTokenProvider}: the
 * target's user name with a current IAM token as the password.
 *
 * <ul>
 *   <li>{@link #resolveCredentials()} never blocks its caller, which is often a Netty event loop:
 *       it completes at once from the token cache, and before the first token exists it completes
 *       when the core's own threads have fetched it (or fails with a {@link
 *       TokenUnavailableException} naming the cache and user after the first-token timeout).
 *   <li>{@link #credentials()} streams fresh credentials to each connection that subscribes
 *       (Lettuce subscribes every connection when it becomes active and unsubscribes it when it
 *       goes down), on the {@link RenewalPolicy}'s jittered re-authentication interval, never at
 *       subscription. Lettuce answers each with {@code AUTH} on the live connection, which renews
 *       the server's 12-hour limit; it holds that {@code AUTH} while a {@code MULTI} is open and
 *       sends it after {@code EXEC}/{@code DISCARD}. This needs {@code
 *       ReauthenticateBehavior.ON_NEW_CREDENTIALS} (and RESP3 for pub/sub connections), which
 *       {@link IamLettuce} sets up.
 *   <li>The stream never fails: when no usable token can be had, it reports an {@link
 *       IamAuthEvent.ReauthenticationFailed} through the token provider and tries again after a
 *       tenth of the interval (at least 1 second), many times before the limit.
 * </ul>
 *
 * <p>Obtained only from {@link IamLettuce}, through methods that see the connection's {@link
 * RedisURI} and refuse to attach it without verified TLS ({@link
 * IamLettuce#credentialsProvider(RedisURI)}, {@link IamLettuce#redisUri(RedisURI)}), so that no
 * token is handed to a plaintext connection. The timers are the core's {@link
 * io.github.iamauth4j.core.ConnectionRenewals}. Thread-safe.
 */
public final class IamRedisCredentialsProvider implements RedisCredentialsProvider {
  private static final Logger log = LoggerFactory.getLogger(IamRedisCredentialsProvider.class);

  private final ConnectionRenewals renewals;
  private final IamTokenProvider tokens;

  IamRedisCredentialsProvider(ConnectionRenewals renewals) {
    this.renewals = Objects.requireNonNull(renewals, "renewals");
    this.tokens = renewals.tokens();
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
   * {@link TokenUnavailableException}; kept below Lettuce's connect timeout (10 seconds by default)
   * so that the failure names the cache instead of reading "connection initialization timed out".
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

  /**
   * The current credentials, without blocking: completed at once when a usable token is cached,
   * otherwise when the core's threads have fetched one.
   *
   * @return a {@link Mono} of the target's user name and a current token; it fails with a {@link
   *     TokenUnavailableException} naming the cache and user when no token can be had
   */
  @Override
  public Mono<RedisCredentials> resolveCredentials() {
    return Mono.defer(
        () -> {
          CompletableFuture<AuthToken> token = tokens.tokenAsync();
          Mono<RedisCredentials> credentials =
              Mono.fromFuture(token).map(IamRedisCredentialsProvider::credentialsOf);
          if (token.isDone()) {
            return credentials;
          }
          Duration timeout = tokens.firstTokenTimeout();
          return credentials.timeout(timeout, Mono.error(() -> firstTokenTimedOut(timeout)));
        });
  }

  private TokenUnavailableException firstTokenTimedOut(Duration waited) {
    // Logged too: Lettuce's handshake handler can report its own "connection closed prematurely"
    // instead of the cause it was given when the TLS connection closes at the same moment.
    log.warn(
        "a Lettuce connection to {} gave up waiting {} for its first token: the AWS credentials"
            + " provider has not answered",
        tokens.target().description(),
        waited);
    return new TokenUnavailableException(
        "no token for "
            + tokens.target().description()
            + " after waiting "
            + waited
            + " (IamAuthConfig firstTokenTimeout): the AWS credentials provider has not"
            + " answered; the fetch goes on in the background and the next connection attempt"
            + " uses its token",
        null);
  }

  private static RedisCredentials credentialsOf(AuthToken token) {
    return new IamRedisCredentials(token);
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
          AutoCloseable stream =
              renewals.stream(
                  "a Lettuce connection", token -> sink.next(credentialsOf(token)), sink::complete);
          sink.onDispose(() -> closeQuietly(stream));
        });
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // A stream handle's close does not throw.
    }
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
        + "]";
  }
}
