package io.github.iamauth4j.jedis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.EmulatorCounters;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.util.Pool;

/**
 * The compatibility kit against a replication group (cluster mode off), through {@link IamJedis},
 * plus a pool of fifty connections under load from many threads across five connection limits.
 */
class JedisStandaloneCompatibilityIT extends RedisAdapterCompatibilityKit {
  private static final Logger LOG = LoggerFactory.getLogger(JedisStandaloneCompatibilityIT.class);

  JedisStandaloneCompatibilityIT() {
    super(Topology.STANDALONE);
  }

  @Override
  protected RedisClientUnderTest connect(ClientSettings settings) {
    return JedisClientUnderTest.connect(settings);
  }

  @Override
  protected Class<? extends Throwable> authenticationFailure() {
    return JedisAccessControlException.class;
  }

  /**
   * A pool of fifty connections, all open, used by sixty-four threads for five and a half
   * connection limits: no command fails, no connection is closed at the limit or reopened, and
   * every connection re-authenticated several times.
   */
  @Test
  void aPoolOfFiftyConnectionsUnderLoadFromManyThreadsLosesNothingAtTheLimit() throws Exception {
    IamJedis iam =
        IamJedis.builder()
            .config(settings().config())
            .renewalPolicy(settings().renewalPolicy())
            .trustStore(settings().tls().trustStore())
            .build();
    closeAfterTest(iam);
    var poolConfig = iam.poolConfig();
    poolConfig.setMaxTotal(50);
    poolConfig.setMaxIdle(50);
    poolConfig.setMinIdle(50);
    RedisClient client =
        RedisClient.builder()
            .clientConfig(iam.clientConfig())
            .connectionProvider(
                iam.connectionProvider(
                    new HostAndPort(settings().host(), settings().port()),
                    iam.clientConfig(),
                    poolConfig))
            .build();
    closeAfterTest(client);
    Pool<Connection> pool = client.getPool();
    pool.preparePool();
    assertThat(pool.getNumIdle()).as("connections open before the load").isEqualTo(50);
    EmulatorCounters before = counters();
    int eventsBefore = events().size();

    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicLong commands = new AtomicLong();
    AtomicLong sequence = new AtomicLong();
    Loads.runFor(
        CONNECTION_LIMIT.multipliedBy(11).dividedBy(2),
        64,
        Duration.ofMillis(2),
        failures,
        () -> {
          String key = "pool:" + (sequence.incrementAndGet() % 512);
          client.set(key, "v");
          assertThat(client.get(key)).isNotNull();
          commands.addAndGet(2);
        });

    EmulatorCounters d = counters().minus(before);
    Map<String, Long> perConnection =
        events().subList(eventsBefore, events().size()).stream()
            .filter(e -> e instanceof IamAuthEvent.ConnectionReauthenticated)
            .map(e -> ((IamAuthEvent.ConnectionReauthenticated) e).connection())
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    LOG.info(
        "50-connection pool, 64 threads: {} commands, {} failed, re-authentications {} (emulator),"
            + " per connection {}..{}, closed at the limit {}",
        commands.get(),
        failures.size(),
        d.reauthentications(),
        perConnection.values().stream().mapToLong(Long::longValue).min().orElse(0),
        perConnection.values().stream().mapToLong(Long::longValue).max().orElse(0),
        d.connectionsClosedAtLimit());
    assertThat(failures).as("failed commands (" + commands.get() + " ran)").isEmpty();
    assertThat(commands.get()).as("commands").isGreaterThan(5_000);
    assertThat(d.connectionsClosedAtLimit()).as("connections closed at the limit").isZero();
    assertThat(d.authenticationsRejected()).as("rejected").isZero();
    assertThat(d.connectionsOpened()).as("connections reopened").isZero();
    assertThat(pool.getCreatedCount()).as("pooled connections created").isEqualTo(50);
    assertThat(perConnection).as("connections re-authenticated").hasSize(50);
    assertThat(perConnection.values())
        .as("re-authentications per connection over five and a half limits")
        .allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(5));
  }

  /**
   * The legacy {@link JedisPool} from {@link IamJedis#jedisPool}: pooled {@link Jedis} connections,
   * a subscriber on one of them, and transactions, across two and a half connection limits: nothing
   * fails, no message is lost, nothing is closed at the limit or reopened, and no {@code AUTH}
   * lands inside {@code MULTI}.
   */
  @Test
  @SuppressWarnings("deprecation") // JedisPool, deprecated in Jedis 8
  void aJedisPoolReauthenticatesItsConnectionsAcrossLimitsToo() throws Exception {
    IamJedis iam =
        IamJedis.builder()
            .config(settings().config())
            .renewalPolicy(settings().renewalPolicy())
            .trustStore(settings().tls().trustStore())
            .build();
    closeAfterTest(iam);
    JedisPool pool = iam.jedisPool(settings().host(), settings().port());
    closeAfterTest(pool);
    List<Jedis> warm = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      warm.add(pool.getResource());
    }
    warm.forEach(Jedis::close);
    List<String> received = new CopyOnWriteArrayList<>();
    CountDownLatch subscribed = new CountDownLatch(1);
    JedisPubSub subscriber =
        new JedisPubSub() {
          @Override
          public void onMessage(String channel, String message) {
            received.add(message);
          }

          @Override
          public void onSubscribe(String channel, int count) {
            subscribed.countDown();
          }
        };
    Thread listening =
        new Thread(
            () -> {
              try (Jedis j = pool.getResource()) {
                j.subscribe(subscriber, "pool-channel");
              }
            });
    listening.start();
    assertThat(subscribed.await(30, TimeUnit.SECONDS)).as("subscribed").isTrue();
    EmulatorCounters before = counters();

    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicLong published = new AtomicLong();
    AtomicLong transactions = new AtomicLong();
    AtomicLong sequence = new AtomicLong();
    Loads.runFor(
        CONNECTION_LIMIT.multipliedBy(5).dividedBy(2),
        6,
        Duration.ofMillis(10),
        failures,
        () -> {
          long n = sequence.incrementAndGet();
          try (Jedis j = pool.getResource()) {
            j.set("jp:" + (n % 64), "v" + n);
            assertThat(j.get("jp:" + (n % 64))).isNotNull();
            if (n % 5 == 0) {
              redis.clients.jedis.Transaction tx = j.multi();
              tx.set("{jp}a", "a" + n);
              tx.set("{jp}b", "b" + n);
              assertThat(tx.exec()).hasSize(2);
              transactions.incrementAndGet();
            }
            if (n % 3 == 0) {
              j.publish("pool-channel", "m" + n);
              published.incrementAndGet();
            }
          }
        });
    org.awaitility.Awaitility.await("messages in flight arrive")
        .until(() -> received.size() >= published.get());
    subscriber.unsubscribe();
    listening.join(10_000);

    EmulatorCounters d = counters().minus(before);
    assertThat(failures).as("failed commands").isEmpty();
    assertThat(transactions.get()).as("transactions").isGreaterThan(10);
    assertThat(received).as("messages received across renewals").hasSize((int) published.get());
    assertThat(d.connectionsClosedAtLimit()).as("closed at the limit").isZero();
    assertThat(d.authenticationsRejected()).as("rejected").isZero();
    assertThat(d.authenticationsRejectedInMulti()).as("AUTH refused inside MULTI").isZero();
    assertThat(d.reauthentications()).as("re-authentications").isGreaterThan(8 * 2);
  }
}
