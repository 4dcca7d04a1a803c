package io.github.iamauth4j.valkey.internal;

import io.valkey.BinaryJedisPubSub;
import io.valkey.Jedis;
import io.valkey.JedisClientConfig;
import io.valkey.JedisPubSub;
import io.valkey.JedisSocketFactory;
import java.util.function.Supplier;

/**
 * A pooled {@link Jedis} of an {@code IamValkey} pool, with its own authentication state ({@link
 * ConnectionAuth}) from the moment it authenticated: its subscriptions re-authenticate in band.
 */
final class IamJedis extends Jedis implements Renewer.Tracked {
  private final Renewer renewer;
  private final ConnectionAuth auth;

  /** Connects and authenticates (the credentials provider of {@code clientConfig}), then tracks. */
  IamJedis(
      JedisSocketFactory socketFactory,
      JedisClientConfig clientConfig,
      Renewer renewer,
      Supplier<ConnectionAuth> tracking) {
    super(socketFactory, clientConfig);
    this.renewer = renewer;
    this.auth = tracking.get();
  }

  @Override
  public ConnectionAuth auth() {
    return auth;
  }

  @Override
  public void subscribe(JedisPubSub jedisPubSub, String... channels) {
    renewer.runSubscribed(
        getConnection(),
        auth,
        jedisPubSub::isSubscribed,
        () -> super.subscribe(jedisPubSub, channels));
  }

  @Override
  public void psubscribe(JedisPubSub jedisPubSub, String... patterns) {
    renewer.runSubscribed(
        getConnection(),
        auth,
        jedisPubSub::isSubscribed,
        () -> super.psubscribe(jedisPubSub, patterns));
  }

  @Override
  public void subscribe(BinaryJedisPubSub jedisPubSub, byte[]... channels) {
    renewer.runSubscribed(
        getConnection(),
        auth,
        jedisPubSub::isSubscribed,
        () -> super.subscribe(jedisPubSub, channels));
  }

  @Override
  public void psubscribe(BinaryJedisPubSub jedisPubSub, byte[]... patterns) {
    renewer.runSubscribed(
        getConnection(),
        auth,
        jedisPubSub::isSubscribed,
        () -> super.psubscribe(jedisPubSub, patterns));
  }
}
