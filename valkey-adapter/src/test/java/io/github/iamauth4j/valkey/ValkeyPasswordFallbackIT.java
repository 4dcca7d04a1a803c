package io.github.iamauth4j.valkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.FallbackPassword;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthEvent.PasswordFallback.Reason;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.testkit.net.AuthMetrics;
import io.github.iamauth4j.testkit.redis.ElastiCacheClusterEmulator;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.server.RedisCluster;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import io.valkey.Jedis;
import io.valkey.JedisCluster;
import io.valkey.JedisPool;
import io.valkey.JedisPooled;
import io.valkey.JedisPubSub;
import io.valkey.Protocol;
import io.valkey.UnifiedJedis;
import io.valkey.util.SafeEncoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * A migration from a Redis password to IAM (issue 13) through {@link IamValkey}, against the
 * ElastiCache emulator holding the migration's user group: the IAM user {@code app} and the
 * password user {@code app-legacy}. IAM first, with zero fallbacks; IAM broken three ways (a token
 * signed for the wrong region, AWS credentials gone past the token's life, the IAM user removed
 * from the group) and every command still succeeds on the password, pooled connections and a
 * subscriber alike, each fallback reported once, logged once and counted by reason; IAM fixed and
 * every connection is back on IAM at its next re-authentication, without a restart. Compressed
 * times: a 6-second connection limit, re-authentication every 1.5 seconds, IAM tried again 1 second
 * after a refusal. No password and no token in the captured log (slf4j-simple writes to {@code
 * System.err}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValkeyPasswordFallbackIT {
  private static final String USER = "app";
  private static final String LEGACY = "app-legacy";
  private static final String PASSWORD = "Legacy-Pa55-not-in-logs";
  private static final String ADMIN = "fallback-admin";
  private static final Duration LIMIT = Duration.ofSeconds(6);
  private static final Duration RETRY_IAM = Duration.ofSeconds(1);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final RenewalPolicy POLICY =
      RenewalPolicy.builder()
          .connectionLimit(LIMIT)
          .reauthenticationInterval(Duration.ofMillis(1500))
          .reauthenticationJitter(Duration.ofMillis(300))
          .maxConnectionAge(Duration.ofSeconds(3))
          .maxConnectionAgeJitter(Duration.ofMillis(300))
          .build();

  private final String adminPassword = UUID.randomUUID().toString();
  private final AtomicBoolean credentialsGone = new AtomicBoolean();
  private final AwsCredentialsProvider switchable =
      new AwsCredentialsProvider() {
        final AwsCredentialsProvider real = TrustedCredentials.example().asProvider();

        @Override
        public AwsCredentials resolveCredentials() {
          if (credentialsGone.get()) {
            throw new IllegalStateException("credentials gone");
          }
          return real.resolveCredentials();
        }
      };
  private final List<IamAuthEvent.PasswordFallback> fallbacks = new CopyOnWriteArrayList<>();
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private RedisServer redis;
  private ElastiCacheEmulator emulator;
  private PrintStream err;
  private ByteArrayOutputStream captured;

  @BeforeAll
  void start() {
    redis =
        RedisServer.builder()
            .config("user " + ADMIN + " on >" + adminPassword + " ~* &* +@all")
            .auth(ADMIN, adminPassword)
            .start();
    emulator =
        ElastiCacheEmulator.builder()
            .backend(redis.host(), redis.port())
            .backendAdmin(ADMIN, adminPassword)
            .cacheName("orders")
            .region("us-east-1")
            .trust(TrustedCredentials.example())
            .connectionLimit(LIMIT)
            .iamUser(USER)
            .passwordUser(LEGACY, PASSWORD)
            .start();
  }

  @AfterAll
  void stop() {
    if (emulator != null) {
      emulator.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void captureLog() {
    fallbacks.clear();
    tokens.clear();
    err = System.err;
    captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void noSecretLogged() {
    System.setErr(err);
    credentialsGone.set(false);
    emulator.addIamUser(USER);
    String log = log();
    assertThat(log).doesNotContain(PASSWORD).doesNotContain("X-Amz-Signature");
    assertThat(tokens).isNotEmpty().allSatisfy(t -> assertThat(log).doesNotContain(t));
    // Each fallback logged once: one WARN line per event.
    assertThat(log.split("instead of IAM", -1).length - 1)
        .as("fallback lines logged")
        .isEqualTo(fallbacks.size());
  }

  private String log() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  private IamValkey iam(String region, Duration tokenLife) {
    IamAuthConfig config =
        IamAuthConfig.builder()
            .target(IamTarget.elastiCache("orders", USER))
            .region(region)
            .credentialsProvider(switchable)
            .expiry(tokenLife)
            .refreshBeforeExpiry(tokenLife.dividedBy(2))
            // Wide enough that a token handed out near its end still reaches the server in time.
            .safetyMargin(Duration.ofMillis(700))
            .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .firstTokenTimeout(Duration.ofSeconds(2))
            .listener(
                e -> {
                  if (e instanceof IamAuthEvent.PasswordFallback f) {
                    fallbacks.add(f);
                  }
                })
            .passwordFallback(
                FallbackPassword.fromSupplier(LEGACY, () -> PASSWORD).retryIamAfter(RETRY_IAM))
            .build();
    IamValkey iam =
        IamValkey.builder()
            .config(config)
            .renewalPolicy(POLICY)
            .trustStore(emulator.tls().trustStore())
            .build();
    iam.tokenProvider().subscribe(t -> tokens.add(t.value()));
    tokens.add(iam.tokenProvider().token().value());
    return iam;
  }

  private static PasswordFallbacks.Stats stats(IamValkey iam) {
    return iam.tokenProvider().passwordFallbacks().stats();
  }

  private static String whoami(UnifiedJedis client) {
    return SafeEncoder.encode((byte[]) client.sendCommand(Protocol.Command.ACL, "WHOAMI"));
  }

  private long fallbacksFor(Reason reason) {
    return fallbacks.stream().filter(f -> f.reason() == reason).count();
  }

  /** Every pooled connection (at least one) counted on IAM ({@code iam}) or on the password. */
  private static boolean allOn(IamValkey iam, boolean onIam) {
    PasswordFallbacks.Stats s = stats(iam);
    int open = iam.renewals().open();
    return open > 0 && (onIam ? s.openOnIam() : s.openOnPassword()) == open;
  }

  @Test
  void withIamWorkingNothingFallsBack() throws Exception {
    AuthMetrics before = emulator.metrics();
    try (IamValkey iam = iam("us-east-1", Duration.ofMinutes(15));
        JedisPooled client = iam.pooled(emulator.host(), emulator.port());
        Load load = Load.start(4, n -> client.set("ok:" + (n % 16), "v" + n))) {
      Awaitility.await("every connection re-authenticated once")
          .atMost(WAIT)
          .until(() -> stats(iam).iamAuthentications() >= 2L * iam.renewals().open());
      load.stop();
      assertThat(whoami(client)).isEqualTo(USER);
      PasswordFallbacks.Stats s = stats(iam);
      assertThat(s.totalFallbacks()).isZero();
      assertThat(s.openOnPassword()).isZero();
      assertThat(s.openOnIam()).isEqualTo(iam.renewals().open()).isPositive();
      assertThat(s.passwordAuthentications()).isZero();
    }
    assertThat(fallbacks).isEmpty();
    assertThat(emulator.metrics().passwordAuthentications())
        .isEqualTo(before.passwordAuthentications());
  }

  @Test
  void aTokenForTheWrongRegionIsRefusedAndEveryConnectionUsesThePassword() throws Exception {
    AuthMetrics before = emulator.metrics();
    try (IamValkey iam = iam("us-west-2", Duration.ofMinutes(15));
        JedisPooled client = iam.pooled(emulator.host(), emulator.port());
        JedisPool pool = iam.pool(emulator.host(), emulator.port())) {
      // The first connection: refused, then again with the password inside the same call.
      assertThat(whoami(client)).isEqualTo(LEGACY);
      try (Load load =
          Load.start(
              4,
              n -> {
                client.set("region:" + (n % 16), "v" + n);
                try (Jedis j = pool.getResource()) {
                  assertThat(j.aclWhoAmI()).isEqualTo(LEGACY);
                }
              })) {
        // Past the time IAM is set aside, so that it is tried again, and refused again.
        Awaitility.await("IAM tried again and refused again")
            .atMost(WAIT)
            .until(
                () ->
                    emulator.metrics().authenticationFailures()
                        >= before.authenticationFailures() + 2);
        load.stop();
      }
      PasswordFallbacks.Stats s = stats(iam);
      assertThat(s.openOnIam()).isZero();
      assertThat(s.openOnPassword()).isEqualTo(iam.renewals().open()).isPositive();
      assertThat(s.fallbacks())
          .containsEntry(Reason.TOKEN_REFUSED, fallbacksFor(Reason.TOKEN_REFUSED))
          .containsEntry(Reason.NO_USABLE_TOKEN, 0L);
      assertThat(fallbacksFor(Reason.TOKEN_REFUSED)).isGreaterThanOrEqualTo(2);
      assertThat(fallbacks.get(0).detail()).startsWith("WRONGPASS");
    }
    AuthMetrics d = emulator.metrics();
    assertThat(d.iamAuthentications()).isEqualTo(before.iamAuthentications());
    assertThat(d.passwordAuthentications()).isGreaterThan(before.passwordAuthentications());
    assertThat(log())
        .contains("authenticated with the fallback password of user app-legacy instead of IAM")
        .contains("password fallback is on");
  }

  @Test
  void credentialsGonePastTheTokensLifeFallBackThenIamReturns() throws Exception {
    long closedBefore = emulator.stats().connectionsClosedAtLimit();
    try (IamValkey iam = iam("us-east-1", Duration.ofSeconds(3));
        JedisPooled client = iam.pooled(emulator.host(), emulator.port());
        Load load = Load.start(4, n -> client.set("gone:" + (n % 16), "v" + n))) {
      Awaitility.await("on IAM").atMost(WAIT).until(() -> allOn(iam, true));
      credentialsGone.set(true);
      Awaitility.await("every connection on the password, once no usable token remains")
          .atMost(WAIT)
          .until(() -> allOn(iam, false));
      assertThat(whoami(client)).isEqualTo(LEGACY);
      // A new client's first connection, too.
      try (JedisPooled another = iam.pooled(emulator.host(), emulator.port())) {
        assertThat(whoami(another)).isEqualTo(LEGACY);
      }
      assertThat(fallbacksFor(Reason.NO_USABLE_TOKEN)).isPositive();
      assertThat(fallbacksFor(Reason.TOKEN_REFUSED)).isZero();

      credentialsGone.set(false);
      Awaitility.await("every connection back on IAM").atMost(WAIT).until(() -> allOn(iam, true));
      try (JedisPooled another = iam.pooled(emulator.host(), emulator.port())) {
        assertThat(whoami(another)).isEqualTo(USER);
      }
      assertThat(load.stop()).as("failed commands").isEmpty();
      PasswordFallbacks.Stats s = stats(iam);
      assertThat(s.fallbacks()).containsEntry(Reason.NO_USABLE_TOKEN, (long) fallbacks.size());
      assertThat(s.openOnPassword()).isZero();
    }
    assertThat(emulator.stats().connectionsClosedAtLimit())
        .as("no connection left on IAM to be closed at the limit")
        .isEqualTo(closedBefore);
  }

  @Test
  void theIamUserRemovedFallsBackAndIamReturnsWhenItIsAddedAgain() throws Exception {
    long closedBefore = emulator.stats().connectionsClosedAtLimit();
    try (IamValkey iam = iam("us-east-1", Duration.ofMinutes(15));
        JedisPooled client = iam.pooled(emulator.host(), emulator.port())) {
      List<String> received = new CopyOnWriteArrayList<>();
      Subscriber subscriber = Subscriber.start(client, "migration", received);
      AtomicLong published = new AtomicLong();
      try (Load load =
          Load.start(
              4,
              n -> {
                client.set("removed:" + (n % 16), "v" + n);
                if (n % 4 == 0) {
                  client.publish("migration", "m" + n);
                  published.incrementAndGet();
                }
              })) {
        Awaitility.await("on IAM").atMost(WAIT).until(() -> allOn(iam, true));

        emulator.removeUser(USER);
        Awaitility.await("every connection, the subscriber's too, on the password")
            .atMost(WAIT)
            .until(() -> allOn(iam, false));
        assertThat(whoami(client)).isEqualTo(LEGACY);
        assertThat(fallbacksFor(Reason.TOKEN_REFUSED)).isPositive();
        int receivedOnPassword = received.size();

        emulator.addIamUser(USER);
        Awaitility.await("every connection, the subscriber's too, back on IAM")
            .atMost(WAIT)
            .until(() -> allOn(iam, true));
        assertThat(whoami(client)).isEqualTo(USER);
        Awaitility.await("messages keep arriving")
            .atMost(WAIT)
            .until(() -> received.size() > receivedOnPassword + 5);
        assertThat(load.stop()).as("failed commands").isEmpty();
      }
      Awaitility.await("messages in flight arrive")
          .atMost(WAIT)
          .until(() -> received.size() >= published.get());
      subscriber.stop();
      assertThat(received).as("no message lost").hasSize((int) published.get());
      PasswordFallbacks.Stats s = stats(iam);
      assertThat(s.fallbacks())
          .containsEntry(Reason.TOKEN_REFUSED, (long) fallbacks.size())
          .containsEntry(Reason.NO_USABLE_TOKEN, 0L);
      assertThat(s.openOnPassword()).isZero();
    }
    assertThat(emulator.stats().connectionsClosedAtLimit()).isEqualTo(closedBefore);
  }

  /**
   * The token of a subscriber's in-band re-authentication refused (the client's only connection, so
   * nothing else has set IAM aside first): the reply is taken out of the subscriber's stream and
   * {@code AUTH} with the password follows on the same connection; messages keep arriving.
   */
  @Test
  void aSubscribersTokenRefusedInBandIsFollowedByThePasswordAndIamReturns() throws Exception {
    AuthMetrics before = emulator.metrics();
    try (IamValkey iam = iam("us-east-1", Duration.ofMinutes(15));
        JedisPooled client = iam.pooled(emulator.host(), emulator.port())) {
      List<String> received = new CopyOnWriteArrayList<>();
      Subscriber subscriber = Subscriber.start(client, "in-band", received);
      AtomicLong published = new AtomicLong();
      // Published on the backend itself: the subscriber's connection is the client's only one.
      try (Load load =
          Load.start(
              1,
              n -> {
                redis.command("PUBLISH", "in-band", "m" + n);
                published.incrementAndGet();
                Thread.sleep(20);
              })) {
        assertThat(iam.renewals().open()).isEqualTo(1);
        emulator.removeUser(USER);
        Awaitility.await("the subscriber on the password")
            .atMost(WAIT)
            .until(() -> allOn(iam, false));
        assertThat(emulator.metrics().authenticationFailures())
            .as("its token refused in band")
            .isGreaterThan(before.authenticationFailures());
        assertThat(fallbacks)
            .isNotEmpty()
            .extracting(IamAuthEvent.PasswordFallback::reason)
            .containsOnly(Reason.TOKEN_REFUSED);
        int receivedOnPassword = received.size();

        emulator.addIamUser(USER);
        Awaitility.await("the subscriber back on IAM").atMost(WAIT).until(() -> allOn(iam, true));
        Awaitility.await("messages keep arriving")
            .atMost(WAIT)
            .until(() -> received.size() > receivedOnPassword + 5);
        assertThat(load.stop()).as("failed publishes").isEmpty();
      }
      Awaitility.await("messages in flight arrive")
          .atMost(WAIT)
          .until(() -> received.size() >= published.get());
      subscriber.stop();
      assertThat(received).as("no message lost").hasSize((int) published.get());
    }
  }

  /**
   * A {@code Jedis} of a {@code JedisPool} reads its replies itself: the first token refused in
   * band ends its subscription with {@code WRONGPASS}, as without a fallback, and sets IAM aside,
   * so that subscribing again gets a connection on the password (the README's documented limit).
   */
  @Test
  void aJedisPoolSubscribersRefusedTokenEndsItAndSubscribingAgainUsesThePassword()
      throws Exception {
    try (IamValkey iam = iam("us-east-1", Duration.ofMinutes(15));
        JedisPool pool = iam.pool(emulator.host(), emulator.port())) {
      List<String> received = new CopyOnWriteArrayList<>();
      List<Throwable> ended = new CopyOnWriteArrayList<>();
      CountDownLatch first = new CountDownLatch(1);
      JedisPubSub pubSub = pubSub(received, first);
      Thread listening =
          new Thread(
              () -> {
                try (Jedis j = pool.getResource()) {
                  j.subscribe(pubSub, "pool-in-band");
                } catch (RuntimeException e) {
                  ended.add(e);
                }
              });
      listening.start();
      assertThat(first.await(30, TimeUnit.SECONDS)).as("subscribed").isTrue();
      assertThat(iam.renewals().open()).isEqualTo(1);

      emulator.removeUser(USER);
      listening.join(WAIT.toMillis());
      assertThat(ended)
          .singleElement()
          .satisfies(e -> assertThat(e).hasMessageStartingWith("WRONGPASS"));
      assertThat(fallbacksFor(Reason.TOKEN_REFUSED)).isPositive();

      CountDownLatch again = new CountDownLatch(1);
      JedisPubSub second = pubSub(received, again);
      Thread resubscribed =
          new Thread(
              () -> {
                try (Jedis j = pool.getResource()) {
                  j.subscribe(second, "pool-in-band");
                } catch (RuntimeException e) {
                  ended.add(e);
                }
              });
      resubscribed.start();
      assertThat(again.await(30, TimeUnit.SECONDS)).as("subscribed again").isTrue();
      assertThat(allOn(iam, false)).as("on the password").isTrue();
      redis.command("PUBLISH", "pool-in-band", "after");
      Awaitility.await("a message").atMost(WAIT).until(() -> received.contains("after"));
      second.unsubscribe();
      resubscribed.join(WAIT.toMillis());
      assertThat(ended).hasSize(1);
    }
  }

  private static JedisPubSub pubSub(List<String> received, CountDownLatch subscribed) {
    return new JedisPubSub() {
      @Override
      public void onMessage(String channel, String message) {
        received.add(message);
      }

      @Override
      public void onSubscribe(String channel, int count) {
        subscribed.countDown();
      }
    };
  }

  @Test
  void aClusterDiscoversItsNodesAndConnectsWithThePasswordWhenTheTokenIsRefused() {
    String clusterAdminPassword = UUID.randomUUID().toString();
    try (RedisCluster cluster =
            RedisCluster.builder()
                .masters(3)
                .config("user " + ADMIN + " on >" + clusterAdminPassword + " ~* &* +@all")
                .auth(ADMIN, clusterAdminPassword)
                .start();
        ElastiCacheClusterEmulator nodes =
            ElastiCacheClusterEmulator.builder()
                .backendNode(cluster.node(0).host(), cluster.node(0).port())
                .backendAdmin(ADMIN, clusterAdminPassword)
                .cacheName("orders")
                .region("us-east-1")
                .trust(TrustedCredentials.example())
                .connectionLimit(LIMIT)
                .iamUser(USER)
                .passwordUser(LEGACY, PASSWORD)
                .start()) {
      IamValkey iam =
          IamValkey.builder()
              .config(
                  IamAuthConfig.builder()
                      .target(IamTarget.elastiCache("orders", USER))
                      .region("us-west-2")
                      .credentialsProvider(switchable)
                      .listener(
                          e -> {
                            if (e instanceof IamAuthEvent.PasswordFallback f) {
                              fallbacks.add(f);
                            }
                          })
                      .passwordFallback(
                          FallbackPassword.fromSupplier(LEGACY, () -> PASSWORD)
                              .retryIamAfter(RETRY_IAM))
                      .build())
              .renewalPolicy(POLICY)
              .trustStore(nodes.tls().trustStore())
              .build();
      tokens.add(iam.tokenProvider().token().value());
      try (iam;
          JedisCluster client = iam.cluster(nodes.host(), nodes.port())) {
        for (int i = 0; i < 30; i++) {
          client.set("cluster:" + i, "v" + i);
          assertThat(client.get("cluster:" + i)).isEqualTo("v" + i);
        }
        assertThat(clusterWhoami(client)).isEqualTo(LEGACY);
        PasswordFallbacks.Stats s = stats(iam);
        assertThat(s.openOnIam()).isZero();
        assertThat(s.openOnPassword()).isEqualTo(iam.renewals().open()).isPositive();
        assertThat(fallbacks)
            .extracting(IamAuthEvent.PasswordFallback::reason)
            .containsOnly(Reason.TOKEN_REFUSED);
        assertThat(nodes.metrics().iamAuthentications()).isZero();
      }
    }
  }

  private static String clusterWhoami(JedisCluster client) {
    return SafeEncoder.encode(
        (byte[]) client.sendCommand("cluster:1", Protocol.Command.ACL, "WHOAMI"));
  }

  /** Commands from a few threads until stopped; closing stops it too. */
  static final class Load implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean running = true;

    interface Command {
      void run(long n) throws Exception;
    }

    static Load start(int threads, Command command) {
      Load l = new Load();
      for (int i = 0; i < threads; i++) {
        Thread t =
            new Thread(
                () -> {
                  while (l.running) {
                    try {
                      command.run(l.sequence.incrementAndGet());
                      Thread.sleep(5);
                    } catch (InterruptedException e) {
                      return;
                    } catch (Throwable e) {
                      l.failures.add(e);
                    }
                  }
                },
                "fallback-load-" + i);
        t.start();
        l.threads.add(t);
      }
      return l;
    }

    /** Stops and answers the failed commands. */
    List<Throwable> stop() {
      running = false;
      try {
        for (Thread t : threads) {
          t.join(10_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return failures;
    }

    @Override
    public void close() {
      stop();
    }
  }

  /** A subscriber listening on a pooled connection of the client, on its own thread. */
  static final class Subscriber {
    private final JedisPubSub pubSub;
    private final Thread thread;
    private final List<Throwable> failures;

    private Subscriber(JedisPubSub pubSub, Thread thread, List<Throwable> failures) {
      this.pubSub = pubSub;
      this.thread = thread;
      this.failures = failures;
    }

    static Subscriber start(UnifiedJedis client, String channel, List<String> received)
        throws InterruptedException {
      CountDownLatch subscribed = new CountDownLatch(1);
      JedisPubSub pubSub =
          new JedisPubSub() {
            @Override
            public void onMessage(String c, String message) {
              received.add(message);
            }

            @Override
            public void onSubscribe(String c, int count) {
              subscribed.countDown();
            }
          };
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  client.subscribe(pubSub, channel);
                } catch (RuntimeException e) {
                  failures.add(e);
                }
              },
              "fallback-subscriber");
      t.start();
      assertThat(subscribed.await(30, TimeUnit.SECONDS)).as("subscribed").isTrue();
      return new Subscriber(pubSub, t, failures);
    }

    void stop() throws InterruptedException {
      assertThat(failures).as("the subscription failed").isEmpty();
      pubSub.unsubscribe();
      thread.join(10_000);
      assertThat(thread.isAlive()).as("the subscriber returned").isFalse();
      assertThat(failures).as("the subscription failed").isEmpty();
    }
  }
}
