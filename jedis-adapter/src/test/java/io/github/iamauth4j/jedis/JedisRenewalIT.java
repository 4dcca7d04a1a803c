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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.util.Pool;

/**
 * A pool of fifty connections under load from many threads goes through five connection limits
 * without a failed command or a connection closed at the limit, against the kit's standalone
 * emulator.
 */
class JedisRenewalIT extends RedisAdapterCompatibilityKit {
  private static final Logger LOG = LoggerFactory.getLogger(JedisRenewalIT.class);

  JedisRenewalIT() {
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
        IamJedis.builder(settings().config())
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
                    new redis.clients.jedis.HostAndPort(settings().host(), settings().port()),
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
    runFor(
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

  /** Runs {@code task} on {@code threads} threads, each repeating it every {@code pause}. */
  static void runFor(
      Duration duration,
      int threads,
      Duration pause,
      List<Throwable> failures,
      ThrowingRunnable task)
      throws InterruptedException {
    ScheduledExecutorService load = Executors.newScheduledThreadPool(threads);
    for (int i = 0; i < threads; i++) {
      load.scheduleWithFixedDelay(
          () -> {
            try {
              task.run();
            } catch (Throwable e) {
              failures.add(e);
            }
          },
          0,
          pause.toMillis(),
          TimeUnit.MILLISECONDS);
    }
    CountDownLatch ran = new CountDownLatch(1);
    load.schedule(ran::countDown, duration.toMillis(), TimeUnit.MILLISECONDS);
    ran.await();
    load.shutdown();
    Awaitility.await("the load stops").until(() -> load.awaitTermination(1, TimeUnit.SECONDS));
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
