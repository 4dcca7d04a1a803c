package io.github.iamauth4j.lettuce.internal;

import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RedisClient} whose {@code connect…()} methods connect once more, with the fallback
 * password, when the server refused the IAM token (see {@link LettuceFallback}), so that an app
 * migrating from passwords gets a connection instead of a {@code WRONGPASS}. Without a fallback
 * password configured it behaves exactly as a {@link RedisClient}. ({@code connect()} calls {@code
 * connect(codec)} in Lettuce 6.6 to 7.7, so it is not overridden.)
 */
public final class IamRedisClient extends RedisClient {
  private final LettuceFallback fallback;
  private final RedisURI defaultUri;

  /**
   * @param resources the client resources, or null for the client's own
   * @param uri the default URI
   * @param fallback told when the server refuses a token
   */
  public IamRedisClient(
      @Nullable ClientResources resources, RedisURI uri, LettuceFallback fallback) {
    super(resources, uri);
    this.fallback = fallback;
    this.defaultUri = uri;
  }

  @Override
  public <K, V> StatefulRedisConnection<K, V> connect(RedisCodec<K, V> codec) {
    return Retry.connect(fallback, describe(defaultUri), () -> super.connect(codec));
  }

  @Override
  public StatefulRedisConnection<String, String> connect(RedisURI uri) {
    return Retry.connect(fallback, describe(uri), () -> super.connect(uri));
  }

  @Override
  public <K, V> StatefulRedisConnection<K, V> connect(RedisCodec<K, V> codec, RedisURI uri) {
    return Retry.connect(fallback, describe(uri), () -> super.connect(codec, uri));
  }

  @Override
  public <K, V> ConnectionFuture<StatefulRedisConnection<K, V>> connectAsync(
      RedisCodec<K, V> codec, RedisURI uri) {
    return Retry.connectionFuture(fallback, describe(uri), () -> super.connectAsync(codec, uri));
  }

  @Override
  public StatefulRedisPubSubConnection<String, String> connectPubSub() {
    return Retry.connect(fallback, describe(defaultUri), () -> super.connectPubSub());
  }

  @Override
  public StatefulRedisPubSubConnection<String, String> connectPubSub(RedisURI uri) {
    return Retry.connect(fallback, describe(uri), () -> super.connectPubSub(uri));
  }

  @Override
  public <K, V> StatefulRedisPubSubConnection<K, V> connectPubSub(RedisCodec<K, V> codec) {
    return Retry.connect(fallback, describe(defaultUri), () -> super.connectPubSub(codec));
  }

  @Override
  public <K, V> StatefulRedisPubSubConnection<K, V> connectPubSub(
      RedisCodec<K, V> codec, RedisURI uri) {
    return Retry.connect(fallback, describe(uri), () -> super.connectPubSub(codec, uri));
  }

  @Override
  public <K, V> ConnectionFuture<StatefulRedisPubSubConnection<K, V>> connectPubSubAsync(
      RedisCodec<K, V> codec, RedisURI uri) {
    return Retry.connectionFuture(
        fallback, describe(uri), () -> super.connectPubSubAsync(codec, uri));
  }

  private static String describe(RedisURI uri) {
    return "Lettuce connection to " + uri.getHost() + ":" + uri.getPort();
  }
}
