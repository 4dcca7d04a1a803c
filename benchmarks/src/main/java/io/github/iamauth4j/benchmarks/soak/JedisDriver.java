package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.jedis.IamJedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.util.KeyValue;

/**
 * Jedis through {@code IamJedis}: a {@code RedisClient} over the adapter's connection provider with
 * a fixed pool of the run's number of connections, plus one for the subscriber (which holds its
 * connection while it listens) and one for the consumer's blocking pop. The connect comparison
 * borrows from pools that keep no idle connection, so that every borrow opens one: the adapter's
 * connection provider against Jedis's own with a static password.
 */
final class JedisDriver extends RedisDriver {
  private @Nullable IamJedis iam;
  private @Nullable RedisClient client;
  private @Nullable JedisClientConfig config;
  private @Nullable JedisPubSub subscription;
  private @Nullable Thread subscriber;
  private volatile boolean subscribing;

  JedisDriver(Environment env, Flows flows, Failures failures) {
    super(env, flows, failures);
  }

  private HostAndPort node() {
    return new HostAndPort(env.host(), env.port());
  }

  @Override
  @SuppressWarnings("deprecation") // ssl(true): the TLS setting Jedis 7 and 8 both honour
  public void start() throws Exception {
    IamJedis adapter =
        IamJedis.builder()
            .config(env.config())
            .renewalPolicy(settings.policy())
            .trustStore(env.trustStore())
            .build();
    iam = adapter;
    JedisClientConfig c =
        adapter.clientConfig(
            DefaultJedisClientConfig.builder().ssl(true).socketTimeoutMillis(10_000).build());
    config = c;
    int size = settings.connections() + 2;
    ConnectionPoolConfig pool = adapter.poolConfig(new ConnectionPoolConfig());
    pool.setMaxTotal(size);
    pool.setMaxIdle(size);
    pool.setMinIdle(size);
    RedisClient r =
        RedisClient.builder()
            .clientConfig(c)
            .connectionProvider(adapter.connectionProvider(node(), c, pool))
            .build();
    client = r;
    r.getPool().preparePool();
    startSubscriber(r);
    startConsumer();
  }

  private void startSubscriber(RedisClient r) throws InterruptedException {
    JedisPubSub sub =
        new JedisPubSub() {
          @Override
          public void onMessage(String channel, String message) {
            flows.received.incrementAndGet();
          }
        };
    subscription = sub;
    subscribing = true;
    Thread t =
        new Thread(
            () -> {
              while (subscribing) {
                try {
                  r.subscribe(sub, channel());
                } catch (RuntimeException e) {
                  // The subscriber lost its connection (a fault): subscribe again, as an app does.
                  if (subscribing) {
                    flows.resubscribed.incrementAndGet();
                    sleep(20);
                  }
                }
              }
            },
            "soak-subscriber");
    t.setDaemon(true);
    t.start();
    subscriber = t;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!sub.isSubscribed() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private RedisClient client() {
    RedisClient c = client;
    if (c == null) {
      throw new IllegalStateException("not started");
    }
    return c;
  }

  @Override
  Commands commands(int thread) {
    RedisClient c = client();
    return new Commands() {
      @Override
      public void set(String key, String value) {
        c.set(key, value);
      }

      @Override
      public @Nullable String get(String key) {
        return c.get(key);
      }

      @Override
      public List<?> multi(String keyA, String keyB, String value) {
        try (AbstractTransaction tx = c.multi()) {
          tx.set(keyA, value);
          tx.set(keyB, value);
          List<Object> replies = tx.exec();
          return replies == null ? List.of() : replies;
        }
      }

      @Override
      public long publish(String channel, String message) {
        return c.publish(channel, message);
      }

      @Override
      public void push(String list, String element) {
        c.lpush(list, element);
      }
    };
  }

  @Override
  @Nullable String blockingPop(String queue, Duration timeout) {
    KeyValue<String, String> kv = client().brpop(timeout.toMillis() / 1000.0, queue);
    return kv == null ? null : kv.getValue();
  }

  @Override
  long queueLength(String queue) {
    return client().llen(queue);
  }

  @Override
  void stopSubscriber() throws InterruptedException {
    subscribing = false;
    JedisPubSub sub = subscription;
    if (sub != null && sub.isSubscribed()) {
      sub.unsubscribe();
    }
    Thread t = subscriber;
    if (t != null) {
      t.join(5000);
    }
  }

  /** A pool that keeps no idle connection: every borrow opens a connection. */
  private static ConnectionPoolConfig openEveryTime() {
    ConnectionPoolConfig p = new ConnectionPoolConfig();
    p.setMaxTotal(1);
    p.setMaxIdle(0);
    p.setMinIdle(0);
    return p;
  }

  @Override
  public ConnectProbe iamProbe() {
    IamJedis adapter = iam;
    JedisClientConfig c = config;
    if (adapter == null || c == null) {
      throw new IllegalStateException("not started");
    }
    return probe(adapter.connectionProvider(node(), c, adapter.poolConfig(openEveryTime())));
  }

  @Override
  @SuppressWarnings("deprecation") // ssl(true), as the adapter's own configuration
  public ConnectProbe staticProbe() {
    SSLParameters https = new SSLParameters();
    https.setEndpointIdentificationAlgorithm("HTTPS");
    JedisClientConfig plain =
        DefaultJedisClientConfig.builder()
            .ssl(true)
            .sslSocketFactory(env.sslContext().getSocketFactory())
            .sslParameters(https)
            .socketTimeoutMillis(10_000)
            .protocol(RedisProtocol.RESP3)
            .user(env.staticUser())
            .password(env.staticPassword())
            .build();
    return probe(new PooledConnectionProvider(node(), plain, openEveryTime()));
  }

  private static ConnectProbe probe(PooledConnectionProvider provider) {
    return new ConnectProbe() {
      @Override
      public long connectNanos() {
        long start = System.nanoTime();
        Connection c = provider.getConnection();
        long took;
        try {
          if (!c.ping()) {
            throw new Failures.WrongReply("PING did not answer PONG");
          }
          took = System.nanoTime() - start;
        } finally {
          c.close();
        }
        return took;
      }

      @Override
      public void close() {
        provider.close();
      }
    };
  }

  @Override
  public void close() {
    subscribing = false;
    List<AutoCloseable> closing = new ArrayList<>();
    if (client != null) {
      closing.add(client);
    }
    if (iam != null) {
      closing.add(iam);
    }
    for (AutoCloseable c : closing) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing anyway.
      }
    }
  }
}
