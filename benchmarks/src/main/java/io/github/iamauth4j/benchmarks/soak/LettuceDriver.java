package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.lettuce.IamLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Lettuce through {@code IamLettuce}: one {@code RedisClient} (from {@code iam.redisClient}) with
 * the run's number of connections, each load thread owning its share of them so that a {@code
 * MULTI}/{@code EXEC} is never interleaved with another thread's commands; a pub/sub connection; a
 * connection for the consumer's {@code BLPOP}.
 */
final class LettuceDriver extends RedisDriver {
  private @Nullable IamLettuce iam;
  private @Nullable ClientResources resources;
  private @Nullable SslOptions ssl;
  private @Nullable RedisClient client;
  private @Nullable RedisURI uri;
  private final List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
  private @Nullable StatefulRedisConnection<String, String> consumer;
  private @Nullable StatefulRedisPubSubConnection<String, String> subscriber;
  private final List<RedisClient> probeClients = new ArrayList<>();

  LettuceDriver(Environment env, Flows flows, Failures failures) {
    super(env, flows, failures);
  }

  @Override
  public void start() throws Exception {
    SslOptions sslOptions =
        SslOptions.builder().jdkSslProvider().trustManager(env.trustManagers()).build();
    ssl = sslOptions;
    IamLettuce adapter =
        IamLettuce.builder()
            .config(env.config())
            .renewalPolicy(settings.policy())
            .sslOptions(sslOptions)
            .build();
    iam = adapter;
    ClientResources res = DefaultClientResources.builder().build();
    resources = res;
    RedisURI secured = adapter.redisUri(env.host(), env.port());
    uri = secured;
    RedisClient c = adapter.redisClient(res, secured);
    client = c;
    // In batches, as a service that opens its connections at start-up would.
    int batch = 50;
    for (int from = 0; from < settings.connections(); from += batch) {
      List<ConnectionFuture<StatefulRedisConnection<String, String>>> pending = new ArrayList<>();
      for (int i = from; i < Math.min(settings.connections(), from + batch); i++) {
        pending.add(c.connectAsync(StringCodec.UTF8, secured));
      }
      for (ConnectionFuture<StatefulRedisConnection<String, String>> f : pending) {
        connections.add(f.get(60, TimeUnit.SECONDS));
      }
    }
    consumer = c.connect(StringCodec.UTF8, secured);
    StatefulRedisPubSubConnection<String, String> pubSub =
        c.connectPubSub(StringCodec.UTF8, secured);
    pubSub.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            flows.received.incrementAndGet();
          }
        });
    pubSub.sync().subscribe(channel());
    subscriber = pubSub;
    startConsumer();
  }

  @Override
  Commands commands(int thread) {
    List<RedisCommands<String, String>> mine = new ArrayList<>();
    for (int i = thread; i < connections.size(); i += settings.threads()) {
      mine.add(connections.get(i).sync());
    }
    int[] next = {0};
    return new Commands() {
      private RedisCommands<String, String> next() {
        RedisCommands<String, String> c = mine.get(next[0]);
        next[0] = (next[0] + 1) % mine.size();
        return c;
      }

      @Override
      public void set(String key, String value) {
        next().set(key, value);
      }

      @Override
      public @Nullable String get(String key) {
        return next().get(key);
      }

      @Override
      public List<?> multi(String keyA, String keyB, String value) {
        RedisCommands<String, String> c = next();
        c.multi();
        c.set(keyA, value);
        c.set(keyB, value);
        TransactionResult result = c.exec();
        if (result.wasDiscarded()) {
          throw new Failures.WrongReply("the transaction was discarded");
        }
        List<Object> replies = new ArrayList<>();
        result.forEach(replies::add);
        return replies;
      }

      @Override
      public long publish(String channel, String message) {
        Long n = next().publish(channel, message);
        return n == null ? 0 : n;
      }

      @Override
      public void push(String list, String element) {
        next().lpush(list, element);
      }
    };
  }

  @Override
  @Nullable String blockingPop(String queue, Duration timeout) {
    StatefulRedisConnection<String, String> c = consumer;
    if (c == null) {
      throw new IllegalStateException("not started");
    }
    KeyValue<String, String> kv = c.sync().brpop(timeout.toMillis() / 1000.0, queue);
    return kv == null || !kv.hasValue() ? null : kv.getValue();
  }

  @Override
  long queueLength(String queue) {
    Long n = connections.get(0).sync().llen(queue);
    return n == null ? 0 : n;
  }

  @Override
  void stopSubscriber() {
    StatefulRedisPubSubConnection<String, String> s = subscriber;
    if (s != null) {
      s.sync().unsubscribe(channel());
      s.close();
      subscriber = null;
    }
  }

  @Override
  public ConnectProbe iamProbe() {
    RedisClient c = client;
    RedisURI u = uri;
    if (c == null || u == null) {
      throw new IllegalStateException("not started");
    }
    return probe(c, u);
  }

  @Override
  public ConnectProbe staticProbe() {
    ClientResources res = resources;
    SslOptions sslOptions = ssl;
    if (res == null || sslOptions == null) {
      throw new IllegalStateException("not started");
    }
    RedisURI u =
        RedisURI.builder()
            .withHost(env.host())
            .withPort(env.port())
            .withSsl(true)
            .withVerifyPeer(SslVerifyMode.FULL)
            .withAuthentication(env.staticUser(), env.staticPassword())
            .build();
    RedisClient c = RedisClient.create(res, u);
    c.setOptions(
        ClientOptions.builder()
            .protocolVersion(ProtocolVersion.RESP3)
            .sslOptions(sslOptions)
            .build());
    probeClients.add(c);
    return probe(c, u);
  }

  private static ConnectProbe probe(RedisClient c, RedisURI u) {
    return new ConnectProbe() {
      @Override
      public long connectNanos() {
        long start = System.nanoTime();
        StatefulRedisConnection<String, String> connection = c.connect(StringCodec.UTF8, u);
        connection.sync().ping();
        long took = System.nanoTime() - start;
        connection.close();
        return took;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void close() {
    for (StatefulRedisConnection<String, String> c : connections) {
      if (c.isOpen()) {
        c.closeAsync();
      }
    }
    if (consumer != null && consumer.isOpen()) {
      consumer.closeAsync();
    }
    if (subscriber != null && subscriber.isOpen()) {
      subscriber.closeAsync();
    }
    for (RedisClient c : probeClients) {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (resources != null) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
    if (iam != null) {
      iam.close();
    }
  }
}
