package io.github.iamauth4j.testkit.server;

/**
 * An error reply from Redis to a command sent with {@link RedisServer#command(String...)} or {@link
 * RedisCluster#command(RedisCluster.Node, String...)}, e.g. {@code NOAUTH Authentication required.}
 * or {@code MOVED 3999 127.0.0.1:7001}.
 *
 * <p>The message is the error text exactly as Redis sent it; {@link #code()} is its first word.
 */
public final class RedisReplyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param reply the error text as Redis sent it, without the leading {@code -}
   */
  public RedisReplyException(String reply) {
    super(reply);
  }

  /**
   * Returns the error code: the first word of the reply, e.g. {@code NOAUTH}, {@code WRONGPASS},
   * {@code MOVED}, {@code ERR}.
   *
   * @return the error code
   */
  public String code() {
    String reply = String.valueOf(getMessage());
    int space = reply.indexOf(' ');
    return space < 0 ? reply : reply.substring(0, space);
  }
}
