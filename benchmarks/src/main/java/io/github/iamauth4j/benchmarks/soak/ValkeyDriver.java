package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.valkey.IamValkey;
import io.valkey.AbstractTransaction;
import io.valkey.Connection;
import io.valkey.ConnectionPoolConfig;
import io.valkey.DefaultJedisClientConfig;
import io.valkey.HostAndPort;
import io.valkey.JedisClientConfig;
import io.valkey.JedisPooled;
import io.valkey.JedisPubSub;
import io.valkey.RedisProtocol;
import io.valkey.util.KeyValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * valkey-java through {@code IamValkey}: {@code iam.pooled(endpoint, settings, pool)}, a {@code
 * JedisPooled} with a fixed pool of the run's number of connections, plus one for the subscriber
 * and one for the consumer's blocking pop. The connect comparison borrows from pools that keep no
 * idle connection: the adapter's {@code JedisPooled} against valkey-java's own with a static
 * password.
 */
final class ValkeyDriver extends RedisDriver {
  private @Nullable IamValkey iam;
  private @Nullable JedisPooled client;
  private @Nullable JedisClientConfig base;
  private @Nullable JedisPubSub subscription;
  private @Nullable Thread subscriber;
  private final List<JedisPooled> probeClients = new ArrayList<>();
  private volatile boolean subscribing;

  ValkeyDriver(Environment env, Flows flows, Failures failures) {
    super(env, flows, failures);
  }

  private HostAndPort node() {
    return new HostAndPort(env.host(), env.port());
  }

  @Override
  public void start() throws Exception {
    IamValkey adapter =
        IamValkey.builder()
            .config(env.config())
            .renewalPolicy(settings.policy())
            .trustStore(env.trustStore())
            .build();
    iam = adapter;
    JedisClientConfig settingsOfApp =
        DefaultJedisClientConfig.builder().ssl(true).socketTimeoutMillis(10_000).build();
    base = settingsOfApp;
    int size = settings.connections() + 2;
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(size);
    pool.setMaxIdle(size);
    pool.setMinIdle(size);
    JedisPooled pooled = adapter.pooled(node(), settingsOfApp, pool);
    client = pooled;
    pooled.getPool().preparePool();
    startSubscriber(pooled);
    startConsumer();
  }

  private void startSubscriber(JedisPooled pooled) throws InterruptedException {
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
                  pooled.subscribe(sub, channel());
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

  private JedisPooled client() {
    JedisPooled c = client;
    if (c == null) {
      throw new IllegalStateException("not started");
    }
    return c;
  }

  @Override
  Commands commands(int thread) {
    JedisPooled c = client();
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
    IamValkey adapter = iam;
    JedisClientConfig b = base;
    if (adapter == null || b == null) {
      throw new IllegalStateException("not started");
    }
    return probe(adapter.pooled(node(), b, openEveryTime()));
  }

  @Override
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
    return probe(new JedisPooled(node(), plain, openEveryTime()));
  }

  private ConnectProbe probe(JedisPooled pooled) {
    probeClients.add(pooled);
    return new ConnectProbe() {
      @Override
      public long connectNanos() {
        long start = System.nanoTime();
        Connection c = pooled.getPool().getResource();
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
        pooled.close();
      }
    };
  }

  @Override
  public void close() {
    subscribing = false;
    for (JedisPooled p : probeClients) {
      p.close();
    }
    if (client != null) {
      client.close();
    }
    if (iam != null) {
      iam.close();
    }
  }
}
