package io.github.iamauth4j.jedis.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.TokenUnavailableException;
import java.util.Objects;
import redis.clients.jedis.RedisCredentials;
import redis.clients.jedis.RedisCredentialsProvider;
import redis.clients.jedis.authentication.JedisAuthenticationException;

/**
 * Jedis's {@link RedisCredentialsProvider}, read each time a connection opens: the target's user
 * name and the cached IAM token. Returns at once once a token exists (the token cache refreshes it
 * in the background); only before the very first token does it wait, at most the first-token
 * timeout. A token that cannot be had is thrown as Jedis's {@link JedisAuthenticationException} (so
 * that Jedis closes the half-open socket) caused by the core's {@link TokenUnavailableException},
 * which names the cache and user.
 *
 * <p>Reachable only inside a {@code JedisClientConfig} built by {@code IamJedis}, which checks the
 * connection's TLS settings first.
 */
public final class IamCredentialsProvider implements RedisCredentialsProvider {
  private final IamTokenProvider tokens;

  /**
   * @param tokens the token cache
   */
  public IamCredentialsProvider(IamTokenProvider tokens) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  /** The token cache behind these credentials. */
  public IamTokenProvider tokens() {
    return tokens;
  }

  @Override
  public RedisCredentials get() {
    AuthToken token;
    try {
      token = tokens.token();
    } catch (TokenUnavailableException e) {
      throw new JedisAuthenticationException(
          "no IAM token to authenticate a Jedis connection to "
              + tokens.target().description()
              + ": "
              + e.getMessage(),
          e);
    }
    return new TokenCredentials(token);
  }

  @Override
  public String toString() {
    return "IamCredentialsProvider[" + tokens.target().description() + "]";
  }

  /** A user name and token; the token never appears in {@code toString()}. */
  static final class TokenCredentials implements RedisCredentials {
    private final String user;
    private final char[] password;

    TokenCredentials(AuthToken token) {
      this.user = token.userName();
      this.password = token.valueChars();
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
      return "TokenCredentials[" + user + ", token hidden]";
    }
  }
}
