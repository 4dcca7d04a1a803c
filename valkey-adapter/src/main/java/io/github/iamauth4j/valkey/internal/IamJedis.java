package io.github.iamauth4j.valkey.internal;

import io.github.iamauth4j.core.ConnectionRenewal;
import io.valkey.BinaryJedisPubSub;
import io.valkey.HostAndPort;
import io.valkey.Jedis;
import io.valkey.JedisClientConfig;
import io.valkey.JedisPubSub;
import io.valkey.JedisSocketFactory;

/**
 * A pooled {@link Jedis} of an {@code IamValkey} pool, with its own {@link ConnectionRenewal} from
 * the moment it authenticated: its subscriptions re-authenticate in band.
 */
final class IamJedis extends Jedis implements Renewer.Tracked {
  private final Renewer renewer;
  private final ConnectionRenewal renewal;

  /** Connects and authenticates (the IAM credentials of {@code clientConfig}), then tracks. */
  IamJedis(
      JedisSocketFactory socketFactory,
      JedisClientConfig clientConfig,
      Renewer renewer,
      HostAndPort node) {
    super(socketFactory, clientConfig);
    this.renewer = renewer;
    this.renewal = renewer.track(node);
  }

  @Override
  public ConnectionRenewal renewal() {
    return renewal;
  }

  @Override
  public void subscribe(JedisPubSub jedisPubSub, String... channels) {
    renewer.runSubscribed(
        getConnection(),
        renewal,
        jedisPubSub::isSubscribed,
        () -> super.subscribe(jedisPubSub, channels));
  }

  @Override
  public void psubscribe(JedisPubSub jedisPubSub, String... patterns) {
    renewer.runSubscribed(
        getConnection(),
        renewal,
        jedisPubSub::isSubscribed,
        () -> super.psubscribe(jedisPubSub, patterns));
  }

  @Override
  public void subscribe(BinaryJedisPubSub jedisPubSub, byte[]... channels) {
    renewer.runSubscribed(
        getConnection(),
        renewal,
        jedisPubSub::isSubscribed,
        () -> super.subscribe(jedisPubSub, channels));
  }

  @Override
  public void psubscribe(BinaryJedisPubSub jedisPubSub, byte[]... patterns) {
    renewer.runSubscribed(
        getConnection(),
        renewal,
        jedisPubSub::isSubscribed,
        () -> super.psubscribe(jedisPubSub, patterns));
  }
}
