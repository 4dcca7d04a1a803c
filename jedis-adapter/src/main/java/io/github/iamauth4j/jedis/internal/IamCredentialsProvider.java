package io.github.iamauth4j.jedis.internal;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.TokenUnavailableException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.RedisCredentials;
import redis.clients.jedis.RedisCredentialsProvider;
import redis.clients.jedis.authentication.JedisAuthenticationException;

/**
 * Jedis's {@link RedisCredentialsProvider}, read each time a connection opens: the target's user
 * name and the cached IAM token, or, during a migration from passwords, the fallback password when
 * IAM cannot be used ({@link PasswordFallbacks#credentials(String)}). Returns at once once a token
 * exists (the token cache refreshes it in the background); only before the very first token does it
 * wait, at most the first-token timeout. When neither can be had, it throws Jedis's {@link
 * JedisAuthenticationException} (so that Jedis closes the half-open socket) caused by the core's
 * {@link TokenUnavailableException}, which names the cache and user.
 *
 * <p>The adapter's connection factory gives each connection its own instance, to learn what the
 * connection authenticated with and to retry a refused token with the password ({@link
 * #useNext(ConnectionCredentials)}); the one in {@code IamJedis}'s client configuration serves the
 * connections Jedis opens itself (a cluster's topology discovery) and an app's plain ones.
 *
 * <p>Reachable only inside a {@code JedisClientConfig} built by {@code IamJedis}, which checks the
 * connection's TLS settings first.
 */
public final class IamCredentialsProvider implements RedisCredentialsProvider {
  private final IamTokenProvider tokens;
  private final String connection;
  private volatile @Nullable ConnectionCredentials next;
  private volatile @Nullable ConnectionCredentials given;

  /**
   * @param tokens the token cache
   */
  public IamCredentialsProvider(IamTokenProvider tokens) {
    this(tokens, "a Jedis connection to " + tokens.target().description());
  }

  /**
   * @param tokens the token cache
   * @param connection what the connections are, for events (no secrets)
   */
  public IamCredentialsProvider(IamTokenProvider tokens, String connection) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.connection = Objects.requireNonNull(connection, "connection");
  }

  /** The token cache behind these credentials. */
  public IamTokenProvider tokens() {
    return tokens;
  }

  /** What the last {@link #get()} handed out, or null before the first. */
  public @Nullable ConnectionCredentials given() {
    return given;
  }

  /**
   * Makes the next {@link #get()} answer {@code credentials} (once), e.g. the password to retry a
   * refused token with.
   *
   * @param credentials what to answer
   */
  public void useNext(ConnectionCredentials credentials) {
    this.next = Objects.requireNonNull(credentials, "credentials");
  }

  @Override
  public RedisCredentials get() {
    ConnectionCredentials c = next;
    if (c != null) {
      next = null;
    } else {
      c = credentials(tokens, connection);
    }
    given = c;
    return new Secret(c);
  }

  /**
   * The credentials for a connection opening now: IAM, or the fallback password when IAM cannot be
   * used and one is configured.
   *
   * @throws JedisAuthenticationException caused by the core's {@link TokenUnavailableException}
   *     when neither can be had
   */
  static ConnectionCredentials credentials(IamTokenProvider tokens, String connection) {
    try {
      return tokens.passwordFallbacks().credentials(connection);
    } catch (TokenUnavailableException e) {
      throw new JedisAuthenticationException(
          "no IAM token to authenticate a Jedis connection to "
              + tokens.target().description()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public String toString() {
    return "IamCredentialsProvider[" + tokens.target().description() + "]";
  }

  /** A user name and token or password; the secret never appears in {@code toString()}. */
  static final class Secret implements RedisCredentials {
    private final String user;
    private final char[] password;
    private final String mode;

    Secret(ConnectionCredentials credentials) {
      this.user = credentials.user();
      this.password = credentials.secret().toCharArray();
      this.mode = credentials.isIam() ? "token" : "password";
    }

    @Override
    public String getUser() {
      return user;
    }

    @Override
    public char[] getPassword() {
      return password;
    }

    @Override
    public String toString() {
      return "Credentials[" + user + ", " + mode + " hidden]";
    }
  }
}
