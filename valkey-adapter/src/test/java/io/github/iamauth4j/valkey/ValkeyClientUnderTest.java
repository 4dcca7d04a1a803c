package io.github.iamauth4j.valkey;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import io.valkey.AbstractTransaction;
import io.valkey.Connection;
import io.valkey.DefaultJedisClientConfig;
import io.valkey.HostAndPort;
import io.valkey.JedisCluster;
import io.valkey.JedisPubSub;
import io.valkey.Protocol;
import io.valkey.Transaction;
import io.valkey.UnifiedJedis;
import io.valkey.util.JedisClusterCRC16;
import io.valkey.util.SafeEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A valkey-java client set up through {@link IamValkey} as an app would: {@code iam.pooled(host,
 * port)} standalone, {@code iam.cluster(host, port)} in cluster mode; with the app's own settings
 * ({@code ssl(false)}) when the kit asks for plaintext.
 */
final class ValkeyClientUnderTest implements RedisClientUnderTest {
  private final IamValkey iam;
  private final UnifiedJedis client;
  private final boolean cluster;

  private ValkeyClientUnderTest(IamValkey iam, UnifiedJedis client, boolean cluster) {
    this.iam = iam;
    this.client = client;
    this.cluster = cluster;
  }

  /** The adapter as the tests set it up: the kit's token provider, policy and CA. */
  static IamValkey iam(ClientSettings s) {
    IamValkey.Builder b =
        IamValkey.builder()
            .config(s.config())
            .renewalPolicy(s.renewalPolicy())
            .trustStore(s.tls().trustStore());
    if (s.plaintextAllowed()) {
      b.allowPlaintextForLocalTesting();
    }
    return b.build();
  }

  static ValkeyClientUnderTest connect(ClientSettings s) {
    IamValkey iam = iam(s);
    boolean cluster = s.topology() == Topology.CLUSTER;
    UnifiedJedis client;
    if (s.plaintextRequested()) {
      HostAndPort endpoint = new HostAndPort(s.host(), s.port());
      DefaultJedisClientConfig plain = DefaultJedisClientConfig.builder().ssl(false).build();
      client =
          cluster
              ? iam.cluster(Set.of(endpoint), plain, iam.poolConfig())
              : iam.pooled(endpoint, plain, iam.poolConfig());
    } else {
      client = cluster ? iam.cluster(s.host(), s.port()) : iam.pooled(s.host(), s.port());
    }
    ValkeyClientUnderTest under = new ValkeyClientUnderTest(iam, client, cluster);
    try {
      under.whoAmI();
      return under;
    } catch (RuntimeException e) {
      under.close();
      throw e;
    }
  }

  UnifiedJedis client() {
    return client;
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
  public String whoAmI() {
    Object reply = client.sendCommand(Protocol.Command.ACL, "WHOAMI");
    return SafeEncoder.encode((byte[]) reply);
  }

  @Override
  public Transaction multi() {
    AbstractTransaction tx;
    if (cluster) {
      Connection c =
          ((JedisCluster) client).getConnectionFromSlot(JedisClusterCRC16.getSlot("{tx}"));
      tx = new io.valkey.Transaction(c, true, true);
    } else {
      tx = client.multi();
    }
    AbstractTransaction open = tx;
    return new Transaction() {
      @Override
      public void set(String key, String value) {
        open.set(key, value);
      }

      @Override
      public List<String> exec() {
        try {
          List<String> replies = new ArrayList<>();
          for (Object o : open.exec()) {
            replies.add(String.valueOf(o));
          }
          return replies;
        } finally {
          open.close();
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
          public void onSubscribe(String ch, int count) {
            subscribed.countDown();
          }

          @Override
          public void onMessage(String ch, String message) {
            onMessage.accept(message);
          }
        };
    Thread t =
        new Thread(
            () -> {
              try {
                client.subscribe(pubSub, channel);
              } catch (Throwable e) {
                failed.set(e);
                subscribed.countDown();
              }
            },
            "valkey-subscriber-" + channel);
    t.setDaemon(true);
    t.start();
    try {
      if (!subscribed.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("not subscribed within 30 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (failed.get() != null) {
      throw new IllegalStateException("subscribe failed", failed.get());
    }
    return () -> {
      if (pubSub.isSubscribed()) {
        pubSub.unsubscribe();
      }
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failed.get() != null) {
        throw new IllegalStateException("the subscriber failed", failed.get());
      }
    };
  }

  @Override
  public long publish(String channel, String message) {
    return client.publish(channel, message);
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      iam.close();
    }
  }
}
