package io.github.iamauth4j.valkey.internal;

import io.valkey.BinaryJedisPubSub;
import io.valkey.Connection;
import io.valkey.JedisPooled;
import io.valkey.JedisPubSub;
import io.valkey.RedisProtocol;

/**
 * The {@link JedisPooled} that {@code IamValkey} hands out: its pool renews connections when they
 * are borrowed and while they are idle, and its subscriptions re-authenticate in band.
 */
public final class IamJedisPooled extends JedisPooled {
  private final IamPooledConnectionProvider connections;
  private final Renewer renewer;

  /**
   * @param connections the renewing pool
   * @param renewer the renewer
   */
  @SuppressWarnings("deprecation") // setProtocol: the only way to declare RESP3 with a provider
  public IamJedisPooled(IamPooledConnectionProvider connections, Renewer renewer) {
    super(connections);
    this.connections = connections;
    this.renewer = renewer;
    setProtocol(RedisProtocol.RESP3);
    connections.startLending();
  }

  @Override
  public void subscribe(JedisPubSub jedisPubSub, String... channels) {
    try (Connection c = connections.getConnection()) {
      renewer.runSubscribed(
          c,
          renewer.authOf(c, c),
          jedisPubSub::isSubscribed,
          () -> jedisPubSub.proceed(c, channels));
    }
  }

  @Override
  public void psubscribe(JedisPubSub jedisPubSub, String... patterns) {
    try (Connection c = connections.getConnection()) {
      renewer.runSubscribed(
          c,
          renewer.authOf(c, c),
          jedisPubSub::isSubscribed,
          () -> jedisPubSub.proceedWithPatterns(c, patterns));
    }
  }

  @Override
  public void subscribe(BinaryJedisPubSub jedisPubSub, byte[]... channels) {
    try (Connection c = connections.getConnection()) {
      renewer.runSubscribed(
          c,
          renewer.authOf(c, c),
          jedisPubSub::isSubscribed,
          () -> jedisPubSub.proceed(c, channels));
    }
  }

  @Override
  public void psubscribe(BinaryJedisPubSub jedisPubSub, byte[]... patterns) {
    try (Connection c = connections.getConnection()) {
      renewer.runSubscribed(
          c,
          renewer.authOf(c, c),
          jedisPubSub::isSubscribed,
          () -> jedisPubSub.proceedWithPatterns(c, patterns));
    }
  }

  @Override
  public String toString() {
    return "IamJedisPooled[" + renewer.tokens().target().description() + "]";
  }
}
