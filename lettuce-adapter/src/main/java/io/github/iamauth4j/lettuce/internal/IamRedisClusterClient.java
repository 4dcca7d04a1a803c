package io.github.iamauth4j.lettuce.internal;

import io.github.iamauth4j.core.IamAuthEvents;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterPushHandler;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.StatefulRedisClusterConnectionImpl;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.json.JsonParser;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RedisClusterClient} whose cluster connections also re-authenticate their default node
 * channel (see {@link ClusterConnectionReauthenticator}), through the hook Lettuce offers
 * subclasses for creating cluster connections (the variant with a JSON parser, the one Lettuce 6.6
 * to 7.7 call); and whose {@code connect…()} methods connect once more, with the fallback password,
 * when the server refused the IAM token (see {@link LettuceFallback}).
 */
public final class IamRedisClusterClient extends RedisClusterClient {
  private final RedisCredentialsProvider credentials;
  private final IamAuthEvents events;
  private final LettuceFallback fallback;

  /**
   * @param resources the client resources, or null for the client's own
   * @param seeds the seed URIs
   * @param credentials the streaming credentials provider
   * @param events where to report re-authentication outcomes
   * @param fallback told when the server refuses a token
   */
  public IamRedisClusterClient(
      @Nullable ClientResources resources,
      Iterable<RedisURI> seeds,
      RedisCredentialsProvider credentials,
      IamAuthEvents events,
      LettuceFallback fallback) {
    super(resources, seeds);
    this.credentials = credentials;
    this.events = events;
    this.fallback = fallback;
  }

  @Override
  public <K, V> StatefulRedisClusterConnection<K, V> connect(RedisCodec<K, V> codec) {
    return Retry.connect(fallback, describe(), () -> super.connect(codec));
  }

  @Override
  public <K, V> CompletableFuture<StatefulRedisClusterConnection<K, V>> connectAsync(
      RedisCodec<K, V> codec) {
    return Retry.connectAsync(fallback, describe(), () -> super.connectAsync(codec));
  }

  @Override
  public <K, V> StatefulRedisClusterPubSubConnection<K, V> connectPubSub(RedisCodec<K, V> codec) {
    return Retry.connect(fallback, describe(), () -> super.connectPubSub(codec));
  }

  @Override
  public <K, V> CompletableFuture<StatefulRedisClusterPubSubConnection<K, V>> connectPubSubAsync(
      RedisCodec<K, V> codec) {
    return Retry.connectAsync(fallback, describe(), () -> super.connectPubSubAsync(codec));
  }

  private String describe() {
    RedisURI first = getFirstUri();
    return "Lettuce cluster connection to " + first.getHost() + ":" + first.getPort();
  }

  @Override
  protected <V, K> StatefulRedisClusterConnectionImpl<K, V> newStatefulRedisClusterConnection(
      RedisChannelWriter channelWriter,
      ClusterPushHandler pushHandler,
      RedisCodec<K, V> codec,
      Duration timeout,
      Supplier<JsonParser> parser) {
    StatefulRedisClusterConnectionImpl<K, V> connection =
        super.newStatefulRedisClusterConnection(channelWriter, pushHandler, codec, timeout, parser);
    ClusterConnectionReauthenticator.attach(connection, credentials, events, fallback);
    return connection;
  }
}
