package io.github.iamauth4j.valkey.internal;

import io.valkey.BinaryJedisPubSub;
import io.valkey.Jedis;
import io.valkey.JedisClientConfig;
import io.valkey.JedisPubSub;
import io.valkey.JedisSocketFactory;

/**
 * A pooled {@link Jedis} of an {@code IamValkey} pool: its subscriptions re-authenticate in band.
 */
final class IamJedis extends Jedis {
  private final Renewer renewer;

  IamJedis(JedisSocketFactory socketFactory, JedisClientConfig clientConfig, Renewer renewer) {
    super(socketFactory, clientConfig);
    this.renewer = renewer;
  }

  @Override
  public void subscribe(JedisPubSub jedisPubSub, String... channels) {
    renewer.runSubscribed(
        getConnection(), jedisPubSub::isSubscribed, () -> super.subscribe(jedisPubSub, channels));
  }

  @Override
  public void psubscribe(JedisPubSub jedisPubSub, String... patterns) {
    renewer.runSubscribed(
        getConnection(), jedisPubSub::isSubscribed, () -> super.psubscribe(jedisPubSub, patterns));
  }

  @Override
  public void subscribe(BinaryJedisPubSub jedisPubSub, byte[]... channels) {
    renewer.runSubscribed(
        getConnection(), jedisPubSub::isSubscribed, () -> super.subscribe(jedisPubSub, channels));
  }

  @Override
  public void psubscribe(BinaryJedisPubSub jedisPubSub, byte[]... patterns) {
    renewer.runSubscribed(
        getConnection(), jedisPubSub::isSubscribed, () -> super.psubscribe(jedisPubSub, patterns));
  }
}
