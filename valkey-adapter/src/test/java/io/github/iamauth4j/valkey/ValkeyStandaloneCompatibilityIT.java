package io.github.iamauth4j.valkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.EmulatorCounters;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Renewal;
import io.github.iamauth4j.testkit.compat.Topology;
import io.valkey.ConnectionPoolConfig;
import io.valkey.Jedis;
import io.valkey.JedisPool;
import io.valkey.JedisPooled;
import io.valkey.JedisPubSub;
import io.valkey.Transaction;
import io.valkey.exceptions.JedisAccessControlException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The compatibility kit against a replication group (cluster mode off), through {@code pooled},
 * plus what the issue asks of valkey-java in particular: a pool of 50 connections under load across
 * five connection limits with a subscriber blocked in {@code subscribe()} throughout, the legacy
 * {@link JedisPool}, and a token that cannot be minted.
 */
class ValkeyStandaloneCompatibilityIT extends RedisAdapterCompatibilityKit {
  private static final int POOL_SIZE = 50;

  ValkeyStandaloneCompatibilityIT() {
    super(Topology.STANDALONE);
  }

  @Override
  protected RedisClientUnderTest connect(ClientSettings settings) {
    return ValkeyClientUnderTest.connect(settings);
  }

  @Override
  protected Class<? extends Throwable> authenticationFailure() {
    return JedisAccessControlException.class;
  }

  @Override
  protected Renewal renewal() {
    return Renewal.REAUTHENTICATE;
  }

  /**
   * 50 pooled connections, all opened up front, under load from 24 threads for five and a half
   * connection limits, while a subscriber stays blocked in {@code subscribe()} and a publisher
   * sends a numbered message every 20 ms: no failed command, no connection closed at the limit,
   * every message received in order, the subscriber's connection re-authenticated in band, and the
   * pool not turned over (connections renewed in place, not replaced).
   */
  @Test
  void aPoolOfFiftyAndASubscriberStayUpAcrossFiveConnectionLimits() throws Exception {
    IamValkey iam = ValkeyClientUnderTest.iam(settings());
    closeAfterTest(iam);
    ConnectionPoolConfig poolConfig = iam.poolConfig();
    poolConfig.setMaxTotal(POOL_SIZE + 10);
    poolConfig.setMaxIdle(POOL_SIZE + 10);
    poolConfig.setMinIdle(POOL_SIZE);
    JedisPooled valkey =
        iam.pooled(
            new io.valkey.HostAndPort(settings().host(), settings().port()),
            io.valkey.DefaultJedisClientConfig.builder().ssl(true).build(),
            poolConfig);
    closeAfterTest(valkey);
    valkey.getPool().preparePool();
    assertThat(valkey.getPool().getCreatedCount())
        .as("connections opened up front")
        .isGreaterThanOrEqualTo(POOL_SIZE);

    List<String> received = new CopyOnWriteArrayList<>();
    List<String> published = new CopyOnWriteArrayList<>();
    Subscriber subscriber = Subscriber.start(valkey::subscribe, "pool-channel", received::add);
    closeAfterTest(subscriber::close);
    EmulatorCounters before = counters();
    long created = valkey.getPool().getCreatedCount();

    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicLong commands = new AtomicLong();
    AtomicLong transactions = new AtomicLong();
    int threads = 24;
    ScheduledExecutorService load = Executors.newScheduledThreadPool(threads + 2);
    for (int w = 0; w < threads; w++) {
      String key = "pool:w" + w;
      AtomicInteger i = new AtomicInteger();
      every(
          load,
          failures,
          Duration.ofMillis(5),
          () -> {
            String value = "v" + i.incrementAndGet();
            valkey.set(key, value);
            assertThat(valkey.get(key)).isEqualTo(value);
            commands.addAndGet(2);
          });
    }
    every(
        load,
        failures,
        Duration.ofMillis(50),
        () -> {
          try (Transaction tx = (Transaction) valkey.multi()) {
            tx.set("{tx}a", "a");
            tx.set("{tx}b", "b");
            assertThat(tx.exec()).hasSize(2);
          }
          transactions.incrementAndGet();
        });
    every(
        load,
        failures,
        Duration.ofMillis(20),
        () -> {
          String message = "m" + published.size();
          valkey.publish("pool-channel", message);
          published.add(message);
        });
    runFor(load, CONNECTION_LIMIT.multipliedBy(11).dividedBy(2));
    Awaitility.await("every published message received")
        .atMost(Duration.ofSeconds(10))
        .until(() -> received.size() >= published.size());

    EmulatorCounters d = counters().minus(before);
    long retired = count(IamAuthEvent.ConnectionRetired.class);
    // Each in-band AUTH's reply reaches the subscriber's reader as a plain reply: onPong("OK").
    long subscriberAuths = subscriber.authReplies();
    org.slf4j.LoggerFactory.getLogger(getClass())
        .info(
            "pool of {} for {}: {} commands, {} transactions, {}/{} messages, {} failed, {}"
                + " retired, {} subscriber re-authentications, {} created; {}",
            POOL_SIZE,
            CONNECTION_LIMIT.multipliedBy(11).dividedBy(2),
            commands.get(),
            transactions.get(),
            received.size(),
            published.size(),
            failures.size(),
            retired,
            subscriberAuths,
            valkey.getPool().getCreatedCount() - created,
            d);
    assertThat(failures).as("failed commands").isEmpty();
    assertThat(commands.get()).as("key/value commands").isGreaterThan(1000);
    assertThat(transactions.get()).as("transactions").isGreaterThan(20);
    assertThat(d.connectionsClosedAtLimit()).as("connections closed at the limit").isZero();
    assertThat(d.authenticationsRejected()).as("authentications rejected").isZero();
    assertThat(d.authenticationsRejectedInMulti()).as("AUTH inside MULTI").isZero();
    assertThat(received).as("messages received across five limits").isEqualTo(published);
    assertThat(subscriber.failure()).as("the subscriber's failure").isNull();
    assertThat(subscriberAuths)
        .as("in-band re-authentications of the blocked subscriber (more than one per limit)")
        .isGreaterThanOrEqualTo(5);
    assertThat(d.reauthentications())
        .as("re-authentications: every one of 50 connections about once a second")
        .isGreaterThan(POOL_SIZE * 5L);
    // Turning the pool over at each limit would create about POOL_SIZE connections per limit (some
    // 250 here); renewing in place creates a few, for connections the pool itself replaces. Seen
    // on a loaded 2-core machine: 6, 7, 9 and 10 over the run, so the bound sits above those.
    assertThat(valkey.getPool().getCreatedCount() - created)
        .as("connections created to replace others: renewed in place, not turned over")
        .isLessThan(POOL_SIZE / 4);
    // Polled: the pool's evictor may be between its decision and the destruction of a connection.
    Awaitility.await("connections tracked: exactly those in the pool, none leaked")
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(iam.renewals().open())
                    .isEqualTo(valkey.getPool().getNumActive() + valkey.getPool().getNumIdle()));
    subscriber.close();
    valkey.close();
    assertThat(iam.renewals().open()).as("connections tracked once the pool is closed").isZero();
  }

  /**
   * The legacy {@link JedisPool}: borrowed {@code Jedis} objects, a {@code Jedis} transaction and a
   * {@code Jedis} blocked in {@code subscribe()} across three and a half connection limits.
   */
  @Test
  void aJedisPoolAndItsSubscriberStayUpAcrossThreeConnectionLimits() throws Exception {
    IamValkey iam = ValkeyClientUnderTest.iam(settings());
    closeAfterTest(iam);
    JedisPool pool = iam.pool(settings().host(), settings().port());
    closeAfterTest(pool);
    List<String> received = new CopyOnWriteArrayList<>();
    List<String> published = new CopyOnWriteArrayList<>();
    Subscriber subscriber =
        Subscriber.start(
            (pubSub, channel) -> {
              try (Jedis jedis = pool.getResource()) {
                jedis.subscribe(pubSub, channel);
              }
            },
            "jedis-channel",
            received::add);
    closeAfterTest(subscriber::close);
    EmulatorCounters before = counters();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    ScheduledExecutorService load = Executors.newScheduledThreadPool(4);
    for (int w = 0; w < 2; w++) {
      String key = "jedis:w" + w;
      every(
          load,
          failures,
          Duration.ofMillis(10),
          () -> {
            try (Jedis jedis = pool.getResource()) {
              jedis.set(key, "v");
              assertThat(jedis.get(key)).isEqualTo("v");
            }
          });
    }
    every(
        load,
        failures,
        Duration.ofMillis(50),
        () -> {
          try (Jedis jedis = pool.getResource()) {
            io.valkey.Transaction tx = jedis.multi();
            tx.set("{tx}j", "1");
            assertThat(tx.exec()).hasSize(1);
            String message = "j" + published.size();
            jedis.publish("jedis-channel", message);
            published.add(message);
          }
        });
    runFor(load, CONNECTION_LIMIT.multipliedBy(7).dividedBy(2));
    Awaitility.await("every published message received")
        .atMost(Duration.ofSeconds(10))
        .until(() -> received.size() >= published.size());

    EmulatorCounters d = counters().minus(before);
    assertThat(failures).as("failed commands").isEmpty();
    assertThat(d.connectionsClosedAtLimit()).as("connections closed at the limit").isZero();
    assertThat(d.authenticationsRejectedInMulti()).as("AUTH inside MULTI").isZero();
    assertThat(d.reauthentications()).as("re-authentications").isPositive();
    assertThat(received).as("messages received").isEqualTo(published);
    assertThat(subscriber.failure()).as("the subscriber's failure").isNull();
    assertThat(subscriber.authReplies()).as("in-band re-authentications").isGreaterThanOrEqualTo(3);
    Awaitility.await("Jedis objects tracked: exactly those in the pool")
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(iam.renewals().open())
                    .isEqualTo(pool.getNumActive() + pool.getNumIdle()));
    subscriber.close();
    pool.close();
    assertThat(iam.renewals().open()).as("Jedis objects tracked once the pool is closed").isZero();
  }

  /**
   * AWS credentials that cannot sign: connecting fails at once with valkey-java's connection error
   * caused by the core's typed error naming the cache and user, and nothing reaches the server.
   */
  @Test
  void aTokenThatCannotBeMintedIsATypedErrorNamingTheCacheAndUser() {
    AwsCredentialsProvider none =
        () -> {
          throw new IllegalStateException("no AWS credentials in the chain");
        };
    IamValkey failing =
        IamValkey.builder()
            .target(IamTarget.elastiCache(CACHE, USER))
            .region(REGION)
            .credentialsProvider(none)
            .trustStore(settings().tls().trustStore())
            .build();
    closeAfterTest(failing);
    JedisPooled valkey = failing.pooled(settings().host(), settings().port());
    closeAfterTest(valkey);
    EmulatorCounters before = counters();

    Throwable thrown = catchThrowable(() -> valkey.get("k"));

    Throwable cause = thrown;
    while (cause != null && !(cause instanceof TokenUnavailableException)) {
      cause = cause.getCause();
    }
    assertThat(cause)
        .as("the typed cause of " + thrown)
        .isInstanceOf(TokenUnavailableException.class);
    assertThat(cause.getMessage())
        .contains("ElastiCache cache \"orders\"")
        .contains("user \"app\"")
        .contains("no AWS credentials in the chain");
    assertThat(counters().minus(before).authenticationsAccepted()).isZero();
  }

  private long count(Class<? extends IamAuthEvent> type) {
    return events().stream().filter(type::isInstance).count();
  }

  private static void runFor(ScheduledExecutorService load, Duration duration) throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    load.schedule(ran::countDown, duration.toMillis(), TimeUnit.MILLISECONDS);
    ran.await();
    load.shutdown();
    assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).as("the load stopped").isTrue();
  }

  private static void every(
      ScheduledExecutorService executor,
      List<Throwable> failures,
      Duration period,
      ThrowingRunnable task) {
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            task.run();
          } catch (Throwable e) {
            failures.add(e);
          }
        },
        0,
        period.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** How a test subscribes: blocks until unsubscribed. */
  @FunctionalInterface
  interface Subscribe {
    void subscribe(JedisPubSub pubSub, String channel) throws Exception;
  }

  /** A thread blocked in {@code subscribe()} until closed. */
  static final class Subscriber {
    private final JedisPubSub pubSub;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong authReplies;

    private Subscriber(JedisPubSub pubSub, AtomicLong authReplies, Subscribe how, String channel) {
      this.authReplies = authReplies;
      this.pubSub = pubSub;
      this.thread =
          new Thread(
              () -> {
                try {
                  how.subscribe(pubSub, channel);
                } catch (Throwable e) {
                  failure.set(e);
                }
              },
              "subscriber-" + channel);
      thread.setDaemon(true);
    }

    static Subscriber start(Subscribe how, String channel, java.util.function.Consumer<String> sink)
        throws InterruptedException {
      CountDownLatch subscribed = new CountDownLatch(1);
      AtomicLong authReplies = new AtomicLong();
      JedisPubSub pubSub =
          new JedisPubSub() {
            @Override
            public void onSubscribe(String ch, int count) {
              subscribed.countDown();
            }

            @Override
            public void onMessage(String ch, String message) {
              sink.accept(message);
            }

            @Override
            public void onPong(String reply) {
              if ("OK".equals(reply)) {
                authReplies.incrementAndGet();
              }
            }
          };
      Subscriber s = new Subscriber(pubSub, authReplies, how, channel);
      s.thread.start();
      assertThat(subscribed.await(30, TimeUnit.SECONDS)).as("subscribed").isTrue();
      return s;
    }

    Throwable failure() {
      return failure.get();
    }

    /** The replies to in-band re-authentications the subscriber's reader saw. */
    long authReplies() {
      return authReplies.get();
    }

    void close() throws InterruptedException {
      if (pubSub.isSubscribed()) {
        pubSub.unsubscribe();
      }
      thread.join(10_000);
    }
  }

  static List<String> copy(List<String> l) {
    return new ArrayList<>(l);
  }
}
