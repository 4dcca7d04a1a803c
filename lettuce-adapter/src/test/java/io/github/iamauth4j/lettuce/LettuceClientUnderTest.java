package io.github.iamauth4j.lettuce;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The compatibility kit's view of a Lettuce client set up through {@link IamLettuce}, the way the
 * README tells an app to: {@code iam.redisClient(host, port)} or {@code iam.clusterClient(host,
 * port)}, trusting the emulator's CA.
 */
final class LettuceClientUnderTest implements RedisClientUnderTest {
  private final IamLettuce iam;
  private final AbstractRedisClient client;
  private final @Nullable StatefulRedisConnection<String, String> standalone;
  private final @Nullable StatefulRedisClusterConnection<String, String> cluster;
  private final List<AutoCloseable> extra = new ArrayList<>();
  private @Nullable StatefulRedisConnection<String, String> transactions;

  private LettuceClientUnderTest(
      IamLettuce iam,
      AbstractRedisClient client,
      @Nullable StatefulRedisConnection<String, String> standalone,
      @Nullable StatefulRedisClusterConnection<String, String> cluster) {
    this.iam = iam;
    this.client = client;
    this.standalone = standalone;
    this.cluster = cluster;
  }

  /** The adapter set up from the kit's settings. */
  static IamLettuce iam(ClientSettings s) {
    IamLettuce.Builder b =
        IamLettuce.builder()
            .config(s.config())
            .renewalPolicy(s.renewalPolicy())
            .trustStore(s.tls().trustStore());
    if (s.plaintextAllowed()) {
      b.allowPlaintextForLocalTesting();
    }
    return b.build();
  }

  static LettuceClientUnderTest connect(ClientSettings s) {
    IamLettuce iam = iam(s);
    RedisURI plaintext = RedisURI.create("redis://" + s.host() + ":" + s.port());
    if (s.topology() == Topology.CLUSTER) {
      RedisClusterClient client =
          s.plaintextRequested()
              ? iam.clusterClient(List.of(plaintext))
              : iam.clusterClient(s.host(), s.port());
      try {
        return new LettuceClientUnderTest(iam, client, null, client.connect());
      } catch (RuntimeException e) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        throw e;
      }
    }
    RedisClient client =
        s.plaintextRequested() ? iam.redisClient(plaintext) : iam.redisClient(s.host(), s.port());
    try {
      return new LettuceClientUnderTest(iam, client, client.connect(), null);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw e;
    }
  }

  IamLettuce iam() {
    return iam;
  }

  AbstractRedisClient client() {
    return client;
  }

  private RedisCommands<String, String> standaloneSync() {
    StatefulRedisConnection<String, String> c = standalone;
    if (c == null) {
      throw new IllegalStateException("not a standalone client");
    }
    return c.sync();
  }

  private RedisAdvancedClusterCommands<String, String> clusterSync() {
    StatefulRedisClusterConnection<String, String> c = cluster;
    if (c == null) {
      throw new IllegalStateException("not a cluster client");
    }
    return c.sync();
  }

  @Override
  public void set(String key, String value) {
    if (cluster != null) {
      clusterSync().set(key, value);
    } else {
      standaloneSync().set(key, value);
    }
  }

  @Override
  public @Nullable String get(String key) {
    return cluster != null ? clusterSync().get(key) : standaloneSync().get(key);
  }

  @Override
  public String whoAmI() {
    return cluster != null ? clusterSync().aclWhoami() : standaloneSync().aclWhoami();
  }

  @Override
  public synchronized Transaction multi() {
    StatefulRedisConnection<String, String> c = transactions;
    if (c == null) {
      if (client instanceof RedisClusterClient clusterClient) {
        // A cluster connection of its own, so that no routed command joins the transaction.
        StatefulRedisClusterConnection<String, String> own = clusterClient.connect();
        extra.add(own);
        int slot = SlotHash.getSlot("{tx}a");
        c = own.getConnection(own.getPartitions().getPartitionBySlot(slot).getNodeId());
      } else {
        c = ((RedisClient) client).connect();
        extra.add(c);
      }
      transactions = c;
    }
    RedisCommands<String, String> tx = c.sync();
    tx.multi();
    return new Transaction() {
      @Override
      public void set(String key, String value) {
        tx.set(key, value);
      }

      @Override
      public List<String> exec() {
        TransactionResult result = tx.exec();
        if (result.wasDiscarded()) {
          throw new IllegalStateException("the transaction was discarded");
        }
        List<String> replies = new ArrayList<>();
        for (Object reply : result) {
          replies.add(String.valueOf(reply));
        }
        return replies;
      }
    };
  }

  @Override
  public Subscription subscribe(String channel, Consumer<String> onMessage) {
    StatefulRedisPubSubConnection<String, String> pubSub =
        client instanceof RedisClusterClient c
            ? c.connectPubSub()
            : ((RedisClient) client).connectPubSub();
    pubSub.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String ch, String message) {
            onMessage.accept(message);
          }
        });
    pubSub.sync().subscribe(channel);
    return pubSub::close;
  }

  @Override
  public long publish(String channel, String message) {
    Long n =
        cluster != null
            ? clusterSync().publish(channel, message)
            : standaloneSync().publish(channel, message);
    return n == null ? 0 : n;
  }

  @Override
  public void close() {
    for (AutoCloseable c : extra) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing anyway.
      }
    }
    if (standalone != null) {
      standalone.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    iam.close();
  }
}
