package io.github.iamauth4j.jedis;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The compatibility kit's view of a Jedis client set up through {@link IamJedis}, the way the
 * README tells an app to: {@code iam.redisClient(host, port)} or {@code iam.clusterClient(host,
 * port)}, trusting the emulator's CA.
 */
final class JedisClientUnderTest implements RedisClientUnderTest {
  private static final Logger LOG = LoggerFactory.getLogger(JedisClientUnderTest.class);
  private final IamJedis iam;
  private final UnifiedJedis client;

  private JedisClientUnderTest(IamJedis iam, UnifiedJedis client) {
    this.iam = iam;
    this.client = client;
  }

  /** The adapter set up from the kit's settings. */
  static IamJedis iam(ClientSettings s) {
    IamJedis.Builder b =
        IamJedis.builder()
            .config(s.config())
            .renewalPolicy(s.renewalPolicy())
            .trustStore(s.tls().trustStore());
    if (s.plaintextAllowed()) {
      b.allowPlaintextForLocalTesting();
    }
    return b.build();
  }

  static JedisClientUnderTest connect(ClientSettings s) {
    IamJedis iam = iam(s);
    HostAndPort node = new HostAndPort(s.host(), s.port());
    // The way an app asks Jedis for plaintext: a configuration without ssl(true).
    DefaultJedisClientConfig plaintext = DefaultJedisClientConfig.builder().build();
    UnifiedJedis client;
    if (s.topology() == Topology.CLUSTER) {
      client =
          s.plaintextRequested()
              ? iam.clusterClient(Set.of(node), plaintext)
              : iam.clusterClient(s.host(), s.port());
    } else {
      client =
          s.plaintextRequested()
              ? iam.redisClient(node, plaintext)
              : iam.redisClient(s.host(), s.port());
    }
    try {
      // Eagerly: a pooled client connects on first use.
      client.ping();
      return new JedisClientUnderTest(iam, client);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  UnifiedJedis client() {
    return client;
  }

  IamJedis iam() {
    return iam;
  }

  @Override
  public void set(String key, String value) {
    client.set(key, value);
  }

  @Override
  public @Nullable String get(String key) {
    return client.get(key);
  }

  @Override
  @SuppressWarnings("deprecation") // UnifiedJedis has no typed ACL WHOAMI; the raw command it is
  public String whoAmI() {
    Object reply = client.sendCommand(Protocol.Command.ACL, "WHOAMI");
    return reply instanceof byte[] b ? SafeEncoder.encode(b) : String.valueOf(reply);
  }

  @Override
  public Transaction multi() {
    AbstractTransaction tx;
    if (client instanceof RedisClusterClient cluster) {
      // A connection to the node that owns the transaction's keys, held until EXEC.
      Connection c = cluster.getConnectionFromSlot(JedisClusterCRC16.getSlot("{tx}a"));
      tx = new redis.clients.jedis.Transaction(c, true, true);
    } else {
      tx = client.multi();
    }
    return new Transaction() {
      @Override
      public void set(String key, String value) {
        tx.set(key, value);
      }

      @Override
      public List<String> exec() {
        try {
          List<Object> replies = tx.exec();
          if (replies == null) {
            throw new IllegalStateException("the transaction was discarded");
          }
          List<String> result = new ArrayList<>();
          for (Object r : replies) {
            result.add(r instanceof byte[] b ? SafeEncoder.encode(b) : String.valueOf(r));
          }
          return result;
        } finally {
          tx.close();
        }
      }
    };
  }

  @Override
  public Subscription subscribe(String channel, Consumer<String> onMessage) {
    CountDownLatch subscribed = new CountDownLatch(1);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    JedisPubSub pubSub =
        new JedisPubSub() {
          @Override
          public void onMessage(String ch, String message) {
            onMessage.accept(message);
          }

          @Override
          public void onSubscribe(String ch, int count) {
            subscribed.countDown();
          }
        };
    Thread listener =
        new Thread(
            () -> {
              try {
                client.subscribe(pubSub, channel);
              } catch (RuntimeException e) {
                LOG.warn("the subscriber on {} stopped", channel, e);
                failed.set(e);
                subscribed.countDown();
              }
            },
            "jedis-subscriber");
    listener.setDaemon(true);
    listener.start();
    try {
      if (!subscribed.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("no subscription confirmed within 30 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (failed.get() != null) {
      throw new IllegalStateException("subscribing failed", failed.get());
    }
    return () -> {
      if (pubSub.isSubscribed()) {
        pubSub.unsubscribe();
      }
      try {
        listener.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  @Override
  public long publish(String channel, String message) {
    return client.publish(channel, message);
  }

  @Override
  public void close() {
    client.close();
    iam.close();
  }
}
