package io.github.iamauth4j.valkey.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.valkey.DefaultRedisCredentials;
import io.valkey.RedisCredentials;
import io.valkey.RedisCredentialsProvider;
import io.valkey.exceptions.JedisConnectionException;

/**
 * valkey-java's {@link RedisCredentialsProvider}, read when a connection opens: the target's user
 * name and the cached IAM token. After the first token it never waits; before it, it waits at most
 * the token provider's first-token timeout. When no token can be had, the connection fails with a
 * {@link JedisConnectionException} (so that valkey-java closes the socket) caused by the core's
 * {@link TokenUnavailableException}, which names the cache and user.
 *
 * <p>Reachable only through {@code IamValkey}'s client configurations, which check TLS first.
 */
public final class IamCredentialsProvider implements RedisCredentialsProvider {
  private final IamTokenProvider tokens;

  /**
   * @param tokens the token cache
   */
  public IamCredentialsProvider(IamTokenProvider tokens) {
    this.tokens = tokens;
  }

  @Override
  public RedisCredentials get() {
    AuthToken token;
    try {
      token = tokens.token();
    } catch (TokenUnavailableException e) {
      throw new JedisConnectionException(
          "no IAM token for " + tokens.target().description() + ": " + e.getMessage(), e);
    }
    return new DefaultRedisCredentials(token.userName(), token.valueChars());
  }

  @Override
  public String toString() {
    return "IamCredentialsProvider[" + tokens.target().description() + "]";
  }
}
