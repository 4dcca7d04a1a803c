package io.github.iamauth4j.valkey.internal;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.valkey.DefaultRedisCredentials;
import io.valkey.RedisCredentials;
import io.valkey.RedisCredentialsProvider;
import io.valkey.exceptions.JedisConnectionException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * valkey-java's {@link RedisCredentialsProvider}, read when a connection opens: the target's user
 * name and the cached IAM token, or, during a migration from passwords, the fallback password when
 * IAM cannot be used ({@link PasswordFallbacks#credentials(String)}). After the first token it
 * never waits; before it, it waits at most the token provider's first-token timeout. When neither
 * can be had, the connection fails with a {@link JedisConnectionException} (so that valkey-java
 * closes the socket) caused by the core's {@link TokenUnavailableException}, which names the cache
 * and user.
 *
 * <p>The adapter's connection factories give each connection its own instance, to learn what the
 * connection authenticated with and to retry a refused token with the password ({@link
 * #useNext(ConnectionCredentials)}); the one in {@code IamValkey}'s client configurations serves
 * the connections valkey-java opens itself (a cluster's topology discovery) and an app's own.
 *
 * <p>Reachable only through {@code IamValkey}'s client configurations, which check TLS first.
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
    this(tokens, "a valkey-java connection to " + tokens.target().description());
  }

  /**
   * @param tokens the token cache
   * @param connection what the connections are, for events (no secrets)
   */
  public IamCredentialsProvider(IamTokenProvider tokens, String connection) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.connection = Objects.requireNonNull(connection, "connection");
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
      try {
        c = tokens.passwordFallbacks().credentials(connection);
      } catch (TokenUnavailableException e) {
        throw new JedisConnectionException(
            "no IAM token for " + tokens.target().description() + ": " + e.getMessage(), e);
      }
    }
    given = c;
    return new DefaultRedisCredentials(c.user(), c.secret().toCharArray());
  }

  @Override
  public String toString() {
    return "IamCredentialsProvider[" + tokens.target().description() + "]";
  }
}
