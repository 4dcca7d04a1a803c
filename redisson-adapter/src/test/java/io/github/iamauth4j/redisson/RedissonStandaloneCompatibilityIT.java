package io.github.iamauth4j.redisson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.EmulatorCounters;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RBlockingQueue;
import org.redisson.api.RMap;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisWrongPasswordException;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The compatibility kit against a replication group (cluster mode off), through IamRedisson. */
class RedissonStandaloneCompatibilityIT extends RedisAdapterCompatibilityKit {
  private static final Logger LOG =
      LoggerFactory.getLogger(RedissonStandaloneCompatibilityIT.class);

  RedissonStandaloneCompatibilityIT() {
    super(Topology.STANDALONE);
  }

  @Override
  protected RedisClientUnderTest connect(ClientSettings settings) {
    return RedissonClientUnderTest.connect(settings);
  }

  @Override
  protected Class<? extends Throwable> authenticationFailure() {
    return RedisWrongPasswordException.class;
  }

  /**
   * The load: an {@code RMap}, an {@code RTopic} and a blocking queue whose consumer sits
   * in {@code BLPOP}, across five and a half connection limits. Nothing fails, every message and
   * every queued element arrives in order, nothing is closed at the limit, and the
   * re-authentications reach the core's listeners.
   */
  @Test
  void mapTopicAndBlockingQueueStayAuthenticatedAcrossFiveLimits() throws Exception {
    RedissonClientUnderTest client = (RedissonClientUnderTest) open(settings());
    RedissonClient redisson = client.redisson();
    RMap<String, String> map = redisson.getMap("load:map", StringCodec.INSTANCE);
    RTopic topic = redisson.getTopic("load:topic", StringCodec.INSTANCE);
    RBlockingQueue<String> queue = redisson.getBlockingQueue("load:queue", StringCodec.INSTANCE);
    queue.delete();
    List<String> messages = new CopyOnWriteArrayList<>();
    int listener = topic.addListener(String.class, (ch, m) -> messages.add(m));
    closeAfterTest(() -> topic.removeListener(listener));
    List<String> taken = new CopyOnWriteArrayList<>();
    ExecutorService consumer = Executors.newSingleThreadExecutor();
    closeAfterTest(consumer::shutdownNow);
    Future<?> consuming =
        consumer.submit(
            () -> {
              while (true) {
                String v = queue.take(); // BLPOP with no timeout: blocked between elements
                if (v.equals("stop")) {
                  return null;
                }
                taken.add(v);
              }
            });
    EmulatorCounters before = counters();

    AtomicLong mapOps = new AtomicLong();
    List<String> published = new CopyOnWriteArrayList<>();
    List<String> offered = new CopyOnWriteArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    ScheduledExecutorService load = Executors.newScheduledThreadPool(3);
    every(
        load,
        failures,
        10,
        () -> {
          long i = mapOps.incrementAndGet();
          String key = "k" + (i % 64);
          map.put(key, "v" + i);
          assertThat(map.get(key)).isEqualTo("v" + i);
        });
    every(
        load,
        failures,
        50,
        () -> {
          String m = "m" + published.size();
          topic.publish(m);
          published.add(m);
        });
    // Slower than the renewals, so that the consumer is blocked in BLPOP when most fall due.
    every(
        load,
        failures,
        300,
        () -> {
          String e = "e" + offered.size();
          queue.offer(e);
          offered.add(e);
        });
    CountDownLatch ran = new CountDownLatch(1);
    load.schedule(
        ran::countDown,
        CONNECTION_LIMIT.multipliedBy(11).dividedBy(2).toMillis(),
        TimeUnit.MILLISECONDS);
    ran.await();
    load.shutdown();
    assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    queue.offer("stop");
    consuming.get(30, TimeUnit.SECONDS);
    try {
      Awaitility.await("every message delivered")
          .atMost(Duration.ofSeconds(10))
          .until(() -> messages.size() >= published.size());
    } catch (ConditionTimeoutException e) {
      // Asserted below, with the messages that never came.
    }
    List<String> missing = new ArrayList<>(published);
    missing.removeAll(messages);

    EmulatorCounters d = counters().minus(before);
    LOG.info(
        "RMap/RTopic/RBlockingQueue for {}: {} map round trips, {}/{} messages, {}/{} queue"
            + " elements, {} failed; {}",
        CONNECTION_LIMIT.multipliedBy(11).dividedBy(2),
        mapOps.get(),
        messages.size(),
        published.size(),
        taken.size(),
        offered.size(),
        failures.size(),
        d);
    assertThat(failures).as("failed operations").isEmpty();
    assertThat(mapOps.get()).as("map round trips").isGreaterThan(200);
    assertThat(missing).as("topic messages never delivered, of " + published.size()).isEmpty();
    assertThat(messages).as("topic messages").isEqualTo(published);
    assertThat(taken).as("queue elements taken (BLPOP)").isEqualTo(offered);
    assertThat(d.connectionsClosedAtLimit()).as("connections closed at the limit").isZero();
    assertThat(d.authenticationsRejected()).as("authentications rejected").isZero();
    assertThat(d.reauthentications()).as("re-authentications").isGreaterThan(10);
    // The consumer's connection was renewed with AUTH between two BLPOPs, never reconnected (an
    // element arrives every 300 ms, well within the wait the adapter allows).
    assertThat(d.connectionsOpened()).as("connections reopened").isZero();
    assertThat(events())
        .as("re-authentications reported to the listeners")
        .filteredOn(e -> e instanceof IamAuthEvent.ConnectionReauthenticated)
        .isNotEmpty();
    assertThat(events())
        .filteredOn(e -> e instanceof IamAuthEvent.ReauthenticationFailed)
        .as("failed re-authentications")
        .isEmpty();
  }

  /**
   * An app that configures Redisson from YAML alone: the resolver and the hook named in the file
   * authenticate with IAM over verified TLS; without the hook, the resolver hands out no token and
   * the connection fails with the adapter's typed error.
   */
  @Test
  void aYamlConfigurationNamingTheResolverAndTheHookNeedsNoCode(@TempDir Path dir)
      throws Exception {
    Path trust = settings().tls().writeTrustStore(dir.resolve("trust.p12"));
    String server =
        "singleServerConfig:\n"
            + "  address: rediss://"
            + settings().host()
            + ":"
            + settings().port()
            + "\n"
            + "  sslTruststore: "
            + trust.toUri()
            + "\n"
            + "  sslTruststorePassword: "
            + settings().tls().trustStorePassword()
            + "\n"
            + "  connectionMinimumIdleSize: 2\n"
            + "  subscriptionConnectionMinimumIdleSize: 1\n"
            + "  credentialsResolver: !<io.github.iamauth4j.redisson.IamCredentialsResolver>\n"
            + "    cacheName: "
            + CACHE
            + "\n"
            + "    userId: "
            + USER
            + "\n"
            + "    region: "
            + REGION
            + "\n"
            + "    reauthenticationInterval: PT1S\n"
            + "    reauthenticationJitter: PT0.3S\n";
    String withHook =
        server + "nettyHook: !<io.github.iamauth4j.redisson.IamNettyHook> {}\nprotocol: RESP3\n";
    TrustedCredentials aws = TrustedCredentials.example();
    System.setProperty("aws.accessKeyId", aws.accessKeyId());
    System.setProperty("aws.secretAccessKey", aws.secretAccessKey());
    try {
      Config config = Config.fromYAML(withHook);
      IamCredentialsResolver resolver = resolverOf(config);
      closeAfterTest(resolver);
      EmulatorCounters before = counters();
      RedissonClient redisson = Redisson.create(config);
      closeAfterTest(() -> redisson.shutdown(0, 2, TimeUnit.SECONDS));
      redisson.getBucket("yaml", StringCodec.INSTANCE).set("works");
      assertThat(redisson.getBucket("yaml", StringCodec.INSTANCE).get()).isEqualTo("works");
      Awaitility.await("a re-authentication of a connection configured from YAML")
          .atMost(Duration.ofSeconds(30))
          .until(() -> counters().minus(before).reauthentications() > 0);
      assertThat(counters().minus(before).authenticationsRejected()).isZero();
      redisson.shutdown(0, 2, TimeUnit.SECONDS);

      Config noHook = Config.fromYAML(server);
      closeAfterTest(resolverOf(noHook));
      long accepted = counters().authenticationsAccepted();
      Throwable refused = catchThrowable(() -> Redisson.create(noHook).shutdown());
      assertThat(refused).as("connecting without IamNettyHook").isNotNull();
      assertThat(find(refused, IamConfigurationException.class))
          .as("the cause")
          .isNotNull()
          .satisfies(e -> assertThat(e.getMessage()).contains("nettyHook"));
      assertThat(counters().authenticationsAccepted())
          .as("authentications without the hook")
          .isEqualTo(accepted);
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
      Files.deleteIfExists(trust);
    }
  }

  @SuppressWarnings("deprecation") // the server section's resolver: the same on 3.x and 4.x
  private static IamCredentialsResolver resolverOf(Config config) {
    return (IamCredentialsResolver) config.useSingleServer().getCredentialsResolver();
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable e = t; e != null; e = e.getCause()) {
      if (type.isInstance(e)) {
        return type.cast(e);
      }
    }
    return null;
  }

  private static void every(
      ScheduledExecutorService executor, List<Throwable> failures, long millis, Task task) {
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            task.run();
          } catch (Throwable e) {
            failures.add(e);
          }
        },
        0,
        millis,
        TimeUnit.MILLISECONDS);
  }

  @FunctionalInterface
  private interface Task {
    void run() throws Exception;
  }
}
