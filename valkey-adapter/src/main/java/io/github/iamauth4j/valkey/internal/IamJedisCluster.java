package io.github.iamauth4j.valkey.internal;

import io.valkey.BinaryJedisPubSub;
import io.valkey.Connection;
import io.valkey.JedisCluster;
import io.valkey.JedisPubSub;
import io.valkey.RedisProtocol;
import java.time.Duration;

/**
 * The {@link JedisCluster} that {@code IamValkey} hands out: every node pool renews its connections
 * when they are borrowed and while they are idle, and subscriptions re-authenticate in band.
 * Sharded subscriptions ({@code ssubscribe}) are left to valkey-java: its sharded subscriber cannot
 * read an {@code AUTH} reply.
 */
public final class IamJedisCluster extends JedisCluster {
  private final IamClusterConnectionProvider connections;
  private final Renewer renewer;

  /**
   * @param connections the renewing node pools
   * @param maxAttempts attempts per command (redirections and connection failures)
   * @param maxTotalRetriesDuration the most time spent retrying one command
   * @param renewer the renewer
   */
  @SuppressWarnings("deprecation") // setProtocol: the only way to declare RESP3 with a provider
  public IamJedisCluster(
      IamClusterConnectionProvider connections,
      int maxAttempts,
      Duration maxTotalRetriesDuration,
      Renewer renewer) {
    super(connections, maxAttempts, maxTotalRetriesDuration);
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
    return "IamJedisCluster[" + renewer.tokens().target().description() + "]";
  }
}
