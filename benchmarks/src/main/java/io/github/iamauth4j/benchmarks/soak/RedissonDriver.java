package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.redisson.IamNettyHook;
import io.github.iamauth4j.redisson.IamRedisson;
import io.netty.resolver.DefaultAddressResolverGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.BatchOptions;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.api.RBlockingQueue;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisClient;
import org.redisson.client.RedisClientConfig;
import org.redisson.client.RedisConnection;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.RedisCommands;
import org.redisson.config.Config;
import org.redisson.config.Protocol;
import org.redisson.config.SingleServerConfig;
import org.redisson.config.SslVerificationMode;

/**
 * Redisson through {@code IamRedisson}: {@code Redisson.create(iam.singleServer(host, port))} with
 * a fixed pool of the run's number of connections; {@code RTopic} for pub/sub, {@code
 * RBlockingQueue} ({@code RPUSH}, and {@code BLPOP} on the consumer), {@code REDIS_WRITE_ATOMIC}
 * batches for {@code MULTI}/{@code EXEC} (the mode that keeps a {@code MULTI} open on a pinned
 * connection, where the adapter's hook must hold an {@code AUTH}). The connect comparison uses
 * Redisson's own connection class ({@code org.redisson.client.RedisClient}), with the adapter's
 * resolver and hook against a static user name and password.
 */
final class RedissonDriver extends RedisDriver {
  private @Nullable IamRedisson iam;
  private @Nullable RedissonClient redisson;
  private @Nullable RTopic topic;
  private int listener = -1;
  private @Nullable RBlockingQueue<String> blockingQueue;
  private final List<RedisClient> probeClients = new ArrayList<>();

  RedissonDriver(Environment env, Flows flows, Failures failures) {
    super(env, flows, failures);
  }

  @Override
  @SuppressWarnings("deprecation") // the server section's pool settings: the same on 3.x and 4.x
  public void start() {
    IamRedisson adapter =
        IamRedisson.builder()
            .config(env.config())
            .renewalPolicy(settings.policy())
            .trustStore(env.trustStore())
            .build();
    iam = adapter;
    Config config = adapter.singleServer(env.host(), env.port());
    SingleServerConfig server = config.useSingleServer();
    server
        .setConnectionPoolSize(settings.connections())
        .setConnectionMinimumIdleSize(settings.connections())
        .setSubscriptionConnectionPoolSize(2)
        .setSubscriptionConnectionMinimumIdleSize(1);
    config.setCodec(StringCodec.INSTANCE);
    RedissonClient client = Redisson.create(config);
    redisson = client;
    RTopic t = client.getTopic(channel(), StringCodec.INSTANCE);
    listener = t.addListener(String.class, (ch, msg) -> flows.received.incrementAndGet());
    topic = t;
    blockingQueue = client.getBlockingQueue(queue(), StringCodec.INSTANCE);
    startConsumer();
  }

  private RedissonClient client() {
    RedissonClient c = redisson;
    if (c == null) {
      throw new IllegalStateException("not started");
    }
    return c;
  }

  @Override
  Commands commands(int thread) {
    RedissonClient c = client();
    return new Commands() {
      @Override
      public void set(String key, String value) {
        c.<String>getBucket(key, StringCodec.INSTANCE).set(value);
      }

      @Override
      public @Nullable String get(String key) {
        return c.<String>getBucket(key, StringCodec.INSTANCE).get();
      }

      @Override
      public List<?> multi(String keyA, String keyB, String value) {
        RBatch batch =
            c.createBatch(
                BatchOptions.defaults()
                    .executionMode(BatchOptions.ExecutionMode.REDIS_WRITE_ATOMIC));
        batch.<String>getBucket(keyA, StringCodec.INSTANCE).setAsync(value);
        batch.<String>getBucket(keyB, StringCodec.INSTANCE).setAsync(value);
        BatchResult<?> result = batch.execute();
        return result.getResponses();
      }

      @Override
      public long publish(String channel, String message) {
        return c.getTopic(channel, StringCodec.INSTANCE).publish(message);
      }

      @Override
      public void push(String list, String element) {
        c.<String>getQueue(list, StringCodec.INSTANCE).add(element);
      }
    };
  }

  @Override
  @Nullable String blockingPop(String queue, Duration timeout) throws InterruptedException {
    RBlockingQueue<String> q = blockingQueue;
    if (q == null) {
      throw new IllegalStateException("not started");
    }
    return q.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  long queueLength(String queue) {
    return client().getQueue(queue, StringCodec.INSTANCE).size();
  }

  @Override
  void stopSubscriber() {
    RTopic t = topic;
    if (t != null && listener >= 0) {
      t.removeListener(listener);
      listener = -1;
    }
  }

  private RedisClientConfig probeConfig() {
    return new RedisClientConfig()
        .setAddress("rediss://" + env.host() + ":" + env.port())
        .setSslTrustManagerFactory(env.trustManagers())
        .setSslVerificationMode(SslVerificationMode.STRICT)
        .setProtocol(Protocol.RESP3)
        .setConnectTimeout(10_000)
        .setCommandTimeout(10_000)
        // Else RedisClient picks a DNS resolver by probing for Netty's epoll transport classes.
        .setResolverGroup(DefaultAddressResolverGroup.INSTANCE);
  }

  @Override
  public ConnectProbe iamProbe() {
    IamRedisson adapter = iam;
    if (adapter == null) {
      throw new IllegalStateException("not started");
    }
    return probe(
        probeConfig()
            .setCredentialsResolver(adapter.credentialsResolver())
            .setNettyHook(new IamNettyHook()));
  }

  @Override
  public ConnectProbe staticProbe() {
    return probe(probeConfig().setUsername(env.staticUser()).setPassword(env.staticPassword()));
  }

  private ConnectProbe probe(RedisClientConfig config) {
    RedisClient client = RedisClient.create(config);
    probeClients.add(client);
    return new ConnectProbe() {
      @Override
      public long connectNanos() {
        long start = System.nanoTime();
        RedisConnection c = client.connect();
        c.sync(RedisCommands.PING);
        long took = System.nanoTime() - start;
        c.closeAsync();
        return took;
      }

      @Override
      public void close() {
        client.shutdown();
      }
    };
  }

  @Override
  public void close() {
    for (RedisClient c : probeClients) {
      if (!c.isShutdown()) {
        c.shutdown();
      }
    }
    if (redisson != null) {
      redisson.shutdown(0, 2, TimeUnit.SECONDS);
    }
    if (iam != null) {
      iam.close();
    }
  }
}
