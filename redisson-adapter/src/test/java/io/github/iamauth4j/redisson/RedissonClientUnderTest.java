package io.github.iamauth4j.redisson;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.BatchOptions;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.RedisStrictCommand;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.SingleServerConfig;

/**
 * The compatibility kit's view of a Redisson client set up through {@link IamRedisson}, the way the
 * README tells an app to: {@code iam.singleServer(host, port)} or {@code iam.cluster(host, port)},
 * trusting the emulator's CA, with smaller pools than Redisson's defaults.
 */
final class RedissonClientUnderTest implements RedisClientUnderTest {
  private static final RedisStrictCommand<Object> ACL_WHOAMI =
      new RedisStrictCommand<>("ACL", "WHOAMI");

  // Fixed pools (no connection opened on demand) and a short constant reconnection delay
  // (Redisson's default backs off up to 10 s, and each connection reconnects on its own timer):
  // after the kit drops every connection and refuses new ones for a while, the connections come
  // back together rather than one by one after the first command already works, which the kit's
  // "no reconnections once recovered" check would count.
  private static final ConstantDelay RECONNECT = new ConstantDelay(Duration.ofMillis(10));

  private final IamRedisson iam;
  private final RedissonClient redisson;

  private RedissonClientUnderTest(IamRedisson iam, RedissonClient redisson) {
    this.iam = iam;
    this.redisson = redisson;
  }

  /** The adapter set up from the kit's settings. */
  static IamRedisson iam(ClientSettings s) {
    IamRedisson.Builder b =
        IamRedisson.builder()
            .config(s.config())
            .renewalPolicy(s.renewalPolicy())
            .trustStore(s.tls().trustStore());
    if (s.plaintextAllowed()) {
      b.allowPlaintextForLocalTesting();
    }
    return b.build();
  }

  /** The configuration an app would build for the kit's endpoint. */
  static Config config(IamRedisson iam, ClientSettings s) {
    Config config;
    if (s.plaintextRequested()) {
      // The app asks for plaintext the way a Redisson user would: a redis:// address.
      Config own = new Config();
      String address = "redis://" + s.host() + ":" + s.port();
      if (s.topology() == Topology.CLUSTER) {
        own.useClusterServers().addNodeAddress(address);
      } else {
        own.useSingleServer().setAddress(address);
      }
      config = iam.configure(own);
    } else if (s.topology() == Topology.CLUSTER) {
      config = iam.cluster(s.host(), s.port());
    } else {
      config = iam.singleServer(s.host(), s.port());
    }
    return smallPools(config, s.topology());
  }

  @SuppressWarnings("deprecation") // getters of the server section: the same on 3.x and 4.x
  static Config smallPools(Config config, Topology topology) {
    if (topology == Topology.CLUSTER) {
      ClusterServersConfig c = config.useClusterServers();
      c.setMasterConnectionMinimumIdleSize(4)
          .setMasterConnectionPoolSize(4)
          .setSlaveConnectionMinimumIdleSize(1)
          .setSlaveConnectionPoolSize(4)
          .setSubscriptionConnectionMinimumIdleSize(1)
          .setSubscriptionConnectionPoolSize(1)
          .setReconnectionDelay(RECONNECT)
          .setRetryAttempts(1);
    } else {
      SingleServerConfig c = config.useSingleServer();
      c.setConnectionMinimumIdleSize(4)
          .setConnectionPoolSize(4)
          .setSubscriptionConnectionMinimumIdleSize(1)
          .setSubscriptionConnectionPoolSize(1)
          .setReconnectionDelay(RECONNECT)
          .setRetryAttempts(1);
    }
    return config;
  }

  static RedissonClientUnderTest connect(ClientSettings s) {
    IamRedisson iam = iam(s);
    try {
      return new RedissonClientUnderTest(iam, Redisson.create(config(iam, s)));
    } catch (RuntimeException e) {
      iam.close();
      throw e;
    }
  }

  RedissonClient redisson() {
    return redisson;
  }

  IamRedisson iam() {
    return iam;
  }

  @Override
  public void set(String key, String value) {
    redisson.getBucket(key, StringCodec.INSTANCE).set(value);
  }

  @Override
  public @Nullable String get(String key) {
    Object v = redisson.getBucket(key, StringCodec.INSTANCE).get();
    return v == null ? null : v.toString();
  }

  @Override
  public String whoAmI() {
    Redisson r = (Redisson) redisson;
    Object who =
        r.getCommandExecutor()
            .get(r.getCommandExecutor().readRandomAsync(StringCodec.INSTANCE, ACL_WHOAMI));
    return String.valueOf(who);
  }

  /**
   * A Redisson batch in {@code REDIS_WRITE_ATOMIC} mode: {@code MULTI} goes out with the first
   * command and each command is queued on the server as it is added, on a connection Redisson pins
   * for the batch, until {@code EXEC}, so a renewal can fall due while the {@code MULTI} is open.
   */
  @Override
  public Transaction multi() {
    RBatch batch =
        redisson.createBatch(
            BatchOptions.defaults().executionMode(BatchOptions.ExecutionMode.REDIS_WRITE_ATOMIC));
    return new Transaction() {
      @Override
      public void set(String key, String value) {
        batch.getBucket(key, StringCodec.INSTANCE).setAsync(value);
      }

      @Override
      public List<String> exec() {
        BatchResult<?> result = batch.execute();
        List<String> replies = new ArrayList<>();
        for (Object reply : result.getResponses()) {
          // RBucket.set reports the server's OK as no value.
          replies.add(reply == null ? "OK" : String.valueOf(reply));
        }
        return replies;
      }
    };
  }

  @Override
  public Subscription subscribe(String channel, Consumer<String> onMessage) {
    RTopic topic = redisson.getTopic(channel, StringCodec.INSTANCE);
    int id = topic.addListener(String.class, (ch, message) -> onMessage.accept(message));
    return () -> topic.removeListener(id);
  }

  @Override
  public long publish(String channel, String message) {
    return redisson.getTopic(channel, StringCodec.INSTANCE).publish(message);
  }

  @Override
  public void close() {
    redisson.shutdown(0, 2, TimeUnit.SECONDS);
    iam.close();
  }
}
