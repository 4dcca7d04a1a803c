package io.github.iamauth4j.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.FallbackPassword;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthEvent.PasswordFallback.Reason;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.testkit.redis.ElastiCacheClusterEmulator;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.server.RedisCluster;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
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
 * A migration from passwords (issue 13) through Lettuce, against the ElastiCache emulator holding
 * the migration's user group: an IAM user {@code app} and a password user {@code legacy}. With IAM
 * working nothing falls back; with IAM broken three ways (a wrong region, so the server refuses the
 * token; AWS credentials gone past the token's life; the IAM user removed from the user group)
 * every connection and command goes on, on the password, each fallback logged once and counted;
 * once IAM is fixed, new connections and re-authentications are IAM again without a restart. The
 * log never holds the password or a token. Time is compressed: a 3-second connection limit,
 * re-authentication every second, IAM tried again 1.5 seconds after a refusal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LettucePasswordFallbackIT {
  private static final String CACHE = "orders";
  private static final String REGION = "us-east-1";
  private static final String IAM_USER = "app";
  private static final String PASSWORD_USER = "legacy";
  private static final String ADMIN = "fallback-admin";
  private static final Duration LIMIT = Duration.ofSeconds(3);
  private static final Duration RETRY_IAM_AFTER = Duration.ofMillis(1500);
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final RenewalPolicy POLICY =
      RenewalPolicy.builder()
          .connectionLimit(LIMIT)
          .reauthenticationInterval(Duration.ofSeconds(1))
          .reauthenticationJitter(Duration.ofMillis(300))
          .maxConnectionAge(Duration.ofSeconds(2))
          .maxConnectionAgeJitter(Duration.ofMillis(500))
          .build();

  private final String password = "pw-" + UUID.randomUUID();
  private final String adminPassword = UUID.randomUUID().toString();
  private final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private PrintStream originalErr = System.err;
  private RedisServer redis;
  private ElastiCacheEmulator emulator;

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
            .cacheName(CACHE)
            .region(REGION)
            .trust(TrustedCredentials.example())
            .connectionLimit(LIMIT)
            .iamUser(IAM_USER)
            .passwordUser(PASSWORD_USER, password)
            .start();
    // slf4j-simple writes to the System.err of the moment: keep a copy of every line.
    originalErr = System.err;
    System.setErr(new PrintStream(new Tee(originalErr, log), true, StandardCharsets.UTF_8));
  }

  @AfterAll
  void stop() {
    System.setErr(originalErr);
    emulator.close();
    redis.close();
  }

  @BeforeEach
  void clear() {
    events.clear();
    synchronized (log) {
      log.reset();
    }
  }

  @AfterEach
  void closeWhatTheTestOpened() throws Exception {
    while (!opened.isEmpty()) {
      opened.pop().close();
    }
    emulator.addIamUser(IAM_USER);
    // Nothing secret reached the log: not the password, not a token (its signature or its
    // credential scope), whatever happened in the test.
    String captured = capturedLog();
    assertThat(captured)
        .doesNotContain(password)
        .doesNotContain("X-Amz-Signature")
        .doesNotContain("X-Amz-Credential")
        .doesNotContain(TrustedCredentials.example().secretAccessKey());
  }

  @Test
  void withIamWorkingNothingFallsBack() throws Exception {
    IamLettuce iam = iam(config(REGION, TrustedCredentials.example().asProvider()));
    RedisClient client = client(iam);
    long passwordAuthentications = emulator.stats().passwordAuthenticationsAccepted();
    long closedAtLimit = emulator.stats().connectionsClosedAtLimit();

    List<StatefulRedisConnection<String, String>> connections = connect(client, 3);
    Load load = Load.on(connections);
    load.runFor(LIMIT.plusMillis(500));

    assertThat(load.failures()).isEmpty();
    for (StatefulRedisConnection<String, String> c : connections) {
      assertThat(c.sync().aclWhoami()).isEqualTo(IAM_USER);
    }
    PasswordFallbacks.Stats stats = iam.tokenProvider().passwordFallbacks().stats();
    assertThat(stats.totalFallbacks()).isZero();
    assertThat(stats.openOnIam()).isEqualTo(3);
    assertThat(stats.openOnPassword()).isZero();
    assertThat(fallbackEvents()).isEmpty();
    assertThat(fallbackLogLines()).isZero();
    assertThat(emulator.stats().passwordAuthenticationsAccepted())
        .isEqualTo(passwordAuthentications);
    assertThat(emulator.stats().connectionsClosedAtLimit()).isEqualTo(closedAtLimit);
  }

  /** (a) Tokens signed for the wrong region: the server refuses each, the password is used. */
  @Test
  void aTokenTheServerRefusesFallsBackInsideTheSameConnect() throws Exception {
    IamLettuce iam = iam(config("us-west-2", TrustedCredentials.example().asProvider()));
    RedisClient client = client(iam);
    long closedAtLimit = emulator.stats().connectionsClosedAtLimit();
    long passwordAuthentications = emulator.stats().passwordAuthenticationsAccepted();

    // The app's connect() succeeds: the refused attempt is retried with the password at once.
    List<StatefulRedisConnection<String, String>> connections = connect(client, 3);
    StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
    opened.push(subscriber);
    Load load = Load.on(connections);
    load.runFor(LIMIT.plusMillis(500));

    assertThat(load.failures()).isEmpty();
    for (StatefulRedisConnection<String, String> c : connections) {
      assertThat(c.sync().aclWhoami()).isEqualTo(PASSWORD_USER);
    }
    assertThat(subscriber.sync().aclWhoami()).isEqualTo(PASSWORD_USER);
    PasswordFallbacks.Stats stats = iam.tokenProvider().passwordFallbacks().stats();
    assertThat(stats.openOnPassword()).isEqualTo(4);
    assertThat(stats.openOnIam()).isZero();
    assertThat(stats.fallbacks().get(Reason.TOKEN_REFUSED)).isGreaterThanOrEqualTo(4);
    assertFallbacksLoggedOnceAndCounted(iam, passwordAuthentications);
    assertThat(emulator.stats().connectionsClosedAtLimit()).isEqualTo(closedAtLimit);
  }

  /**
   * (c) The IAM user is removed from the user group: new connections and the live IAM connections
   * (at their next re-authentication, refused) move to the password; added back, every connection
   * returns to IAM.
   */
  @Test
  void aRemovedIamUserFallsBackAndEveryConnectionReturnsToIamOnceItIsBack() throws Exception {
    IamLettuce iam = iam(config(REGION, TrustedCredentials.example().asProvider()));
    RedisClient client = client(iam);
    PasswordFallbacks fallbacks = iam.tokenProvider().passwordFallbacks();
    long closedAtLimit = emulator.stats().connectionsClosedAtLimit();
    long passwordAuthentications = emulator.stats().passwordAuthenticationsAccepted();
    List<StatefulRedisConnection<String, String>> connections = connect(client, 2);
    StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
    opened.push(subscriber);
    List<String> received = new CopyOnWriteArrayList<>();
    subscriber.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            received.add(message);
          }
        });
    subscriber.sync().subscribe("news");
    assertThat(fallbacks.stats().openOnIam()).isEqualTo(3);
    Load load = Load.on(connections);
    load.start();

    emulator.removeUser(IAM_USER);
    StatefulRedisConnection<String, String> late = client.connect();
    opened.push(late);
    assertThat(late.sync().aclWhoami()).isEqualTo(PASSWORD_USER);
    // The live connections' IAM re-authentications are refused: each moves to the password well
    // before the server's limit, instead of being cut there.
    Awaitility.await("every connection on the password")
        .atMost(PATIENCE)
        .until(() -> fallbacks.stats().openOnPassword() == 4);
    for (StatefulRedisConnection<String, String> c : connections) {
      assertThat(c.sync().aclWhoami()).isEqualTo(PASSWORD_USER);
    }
    connections.get(0).sync().publish("news", "while on the password");
    Awaitility.await("a message on the password").until(() -> received.size() == 1);
    assertThat(subscriber.sync().aclWhoami()).isEqualTo(PASSWORD_USER);

    emulator.addIamUser(IAM_USER);
    Awaitility.await("a new connection on IAM again")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> whoamiOfNewConnection(client).equals(IAM_USER));
    Awaitility.await("every connection back on IAM")
        .atMost(PATIENCE)
        .until(() -> fallbacks.stats().openOnPassword() == 0);
    for (StatefulRedisConnection<String, String> c : connections) {
      assertThat(c.sync().aclWhoami()).isEqualTo(IAM_USER);
    }
    assertThat(late.sync().aclWhoami()).isEqualTo(IAM_USER);
    connections.get(0).sync().publish("news", "back on IAM");
    Awaitility.await("a message on IAM").until(() -> received.size() == 2);
    load.stop();

    assertThat(load.failures()).isEmpty();
    assertThat(received).containsExactly("while on the password", "back on IAM");
    assertThat(fallbacks.stats().fallbacks().get(Reason.TOKEN_REFUSED)).isGreaterThanOrEqualTo(4);
    assertFallbacksLoggedOnceAndCounted(iam, passwordAuthentications);
    assertThat(emulator.stats().connectionsClosedAtLimit()).isEqualTo(closedAtLimit);
  }

  /**
   * (b) AWS credentials gone past the token's life (a 6-second token here): no usable token, so new
   * connections and the live ones at their next renewal use the password; once the credentials are
   * back, IAM again.
   */
  @Test
  void credentialsGonePastTheTokensLifeFallBackUntilTheyReturn() throws Exception {
    Switchable aws = new Switchable(TrustedCredentials.example().asProvider());
    IamAuthConfig config =
        config(REGION, aws).toBuilder()
            .expiry(Duration.ofSeconds(6))
            .refreshBeforeExpiry(Duration.ofSeconds(2))
            .safetyMargin(Duration.ofSeconds(1))
            .build();
    IamLettuce iam = iam(config);
    RedisClient client = client(iam);
    PasswordFallbacks fallbacks = iam.tokenProvider().passwordFallbacks();
    long closedAtLimit = emulator.stats().connectionsClosedAtLimit();
    long passwordAuthentications = emulator.stats().passwordAuthenticationsAccepted();
    List<StatefulRedisConnection<String, String>> connections = connect(client, 2);
    Load load = Load.on(connections);
    load.start();

    aws.down = true;
    Awaitility.await("the last token unusable")
        .atMost(PATIENCE)
        .until(() -> iam.tokenProvider().tokenAsync().isCompletedExceptionally());
    StatefulRedisConnection<String, String> late = client.connect();
    opened.push(late);
    assertThat(late.sync().aclWhoami()).isEqualTo(PASSWORD_USER);
    Awaitility.await("every connection on the password")
        .atMost(PATIENCE)
        .until(() -> fallbacks.stats().openOnPassword() == 3);
    assertThat(fallbacks.stats().fallbacks().get(Reason.NO_USABLE_TOKEN)).isGreaterThanOrEqualTo(3);

    aws.down = false;
    Awaitility.await("a new connection on IAM again")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> whoamiOfNewConnection(client).equals(IAM_USER));
    Awaitility.await("every connection back on IAM")
        .atMost(PATIENCE)
        .until(() -> fallbacks.stats().openOnPassword() == 0);
    for (StatefulRedisConnection<String, String> c : connections) {
      assertThat(c.sync().aclWhoami()).isEqualTo(IAM_USER);
    }
    load.stop();

    assertThat(load.failures()).isEmpty();
    assertFallbacksLoggedOnceAndCounted(iam, passwordAuthentications);
    assertThat(emulator.stats().connectionsClosedAtLimit()).isEqualTo(closedAtLimit);
  }

  /**
   * Cluster mode, tokens signed for the wrong region: the topology load, the cluster connection and
   * the node connections Lettuce opens by itself for keys on each master all meet the refused
   * token; {@code connect()} succeeds and every command runs on the password. (IAM stays set aside
   * for 30 seconds here: a node connection Lettuce opens by itself after that window would meet the
   * refusal again, which Lettuce reports nowhere; see the README.)
   */
  @Test
  void inClusterModeTheTopologyLoadAndEveryNodeFallBack() {
    try (RedisCluster cluster =
            RedisCluster.builder()
                .masters(3)
                .config("user " + ADMIN + " on >" + adminPassword + " ~* &* +@all")
                .auth(ADMIN, adminPassword)
                .start();
        ElastiCacheClusterEmulator emulators =
            ElastiCacheClusterEmulator.builder()
                .backendNode(cluster.node(0).host(), cluster.node(0).port())
                .backendAdmin(ADMIN, adminPassword)
                .cacheName(CACHE)
                .region(REGION)
                .trust(TrustedCredentials.example())
                .connectionLimit(LIMIT)
                .iamUser(IAM_USER)
                .passwordUser(PASSWORD_USER, password)
                .start()) {
      IamAuthConfig config =
          config("us-west-2", TrustedCredentials.example().asProvider()).toBuilder()
              .passwordFallback(
                  FallbackPassword.fromSupplier(PASSWORD_USER, () -> password)
                      .retryIamAfter(Duration.ofSeconds(30)))
              .build();
      IamLettuce iam =
          IamLettuce.builder()
              .config(config)
              .renewalPolicy(POLICY)
              .trustStore(emulators.tls().trustStore())
              .build();
      opened.push(iam);
      RedisClusterClient client = iam.clusterClient(emulators.host(), emulators.port());
      opened.push(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));

      StatefulRedisClusterConnection<String, String> connection = client.connect();

      for (int i = 0; i < 30; i++) {
        connection.sync().set("cluster:" + i, "v" + i);
        assertThat(connection.sync().get("cluster:" + i)).isEqualTo("v" + i);
      }
      assertThat(connection.sync().aclWhoami()).isEqualTo(PASSWORD_USER);
      assertThat(emulators.stats().perNode())
          .as("every master served a command on the password")
          .allSatisfy(n -> assertThat(n.passwordAuthenticationsAccepted()).isPositive());
      PasswordFallbacks.Stats stats = iam.tokenProvider().passwordFallbacks().stats();
      assertThat(stats.openOnIam()).isZero();
      assertThat(stats.openOnPassword()).isPositive();
      assertThat(emulators.stats().authenticationsAccepted()).isZero();
      assertFallbacksLoggedOnceAndCounted(
          iam, () -> emulators.stats().passwordAuthenticationsAccepted());
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  // ---------------------------------------------------------------------------------------------

  private IamAuthConfig config(String region, AwsCredentialsProvider aws) {
    return IamAuthConfig.builder()
        .target(IamTarget.elastiCache(CACHE, IAM_USER))
        .region(region)
        .credentialsProvider(aws)
        .expiry(Duration.ofSeconds(12))
        .refreshBeforeExpiry(Duration.ofSeconds(5))
        .safetyMargin(Duration.ofSeconds(2))
        .retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
        .passwordFallback(
            FallbackPassword.fromSupplier(PASSWORD_USER, () -> password)
                .retryIamAfter(RETRY_IAM_AFTER))
        .listener(events::add)
        .build();
  }

  private IamLettuce iam(IamAuthConfig config) {
    IamLettuce iam =
        IamLettuce.builder()
            .config(config)
            .renewalPolicy(POLICY)
            .trustStore(emulator.tls().trustStore())
            .build();
    opened.push(iam);
    return iam;
  }

  private RedisClient client(IamLettuce iam) {
    RedisClient client = iam.redisClient(emulator.host(), emulator.port());
    opened.push(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
    return client;
  }

  private List<StatefulRedisConnection<String, String>> connect(RedisClient client, int n) {
    List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StatefulRedisConnection<String, String> c = client.connect();
      opened.push(c);
      connections.add(c);
    }
    return connections;
  }

  private static String whoamiOfNewConnection(RedisClient client) {
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return c.sync().aclWhoami();
    }
  }

  private List<IamAuthEvent.PasswordFallback> fallbackEvents() {
    return events.stream()
        .filter(e -> e instanceof IamAuthEvent.PasswordFallback)
        .map(e -> (IamAuthEvent.PasswordFallback) e)
        .toList();
  }

  private long fallbackLogLines() {
    return capturedLog()
        .lines()
        .filter(l -> l.contains("WARN") && l.contains("instead of IAM"))
        .count();
  }

  /**
   * Each fallback is one event, one WARN line and one count, names the password user, and is one
   * password authentication at the server: none is reported twice, none goes unreported. Checked at
   * one moment when all agree (connections may be trying IAM again meanwhile).
   */
  private void assertFallbacksLoggedOnceAndCounted(IamLettuce iam, long passwordAuthsBefore) {
    assertFallbacksLoggedOnceAndCounted(
        iam, () -> emulator.stats().passwordAuthenticationsAccepted() - passwordAuthsBefore);
  }

  private void assertFallbacksLoggedOnceAndCounted(IamLettuce iam, LongSupplier passwordAuths) {
    Awaitility.await("one event, one WARN line, one count, one password authentication each")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              List<IamAuthEvent.PasswordFallback> fallbacks = fallbackEvents();
              assertThat(fallbacks)
                  .isNotEmpty()
                  .allSatisfy(f -> assertThat(f.user()).isEqualTo(PASSWORD_USER));
              assertThat(fallbackLogLines()).isEqualTo(fallbacks.size());
              assertThat(iam.tokenProvider().passwordFallbacks().stats().totalFallbacks())
                  .isEqualTo(fallbacks.size());
              assertThat(passwordAuths.getAsLong()).isEqualTo(fallbacks.size());
            });
  }

  private String capturedLog() {
    synchronized (log) {
      return log.toString(StandardCharsets.UTF_8);
    }
  }

  /** Commands on each connection every 20 ms on a background thread, failures collected. */
  private static final class Load {
    private final List<StatefulRedisConnection<String, String>> connections;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong done = new AtomicLong();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    private Load(List<StatefulRedisConnection<String, String>> connections) {
      this.connections = connections;
    }

    static Load on(List<StatefulRedisConnection<String, String>> connections) {
      return new Load(connections);
    }

    void start() {
      executor.scheduleWithFixedDelay(
          () -> {
            for (StatefulRedisConnection<String, String> c : connections) {
              try {
                String key = "k" + done.incrementAndGet();
                c.sync().set(key, "v");
                if (!"v".equals(c.sync().get(key))) {
                  failures.add(new AssertionError("lost " + key));
                }
              } catch (RuntimeException e) {
                failures.add(e);
              }
            }
          },
          0,
          20,
          TimeUnit.MILLISECONDS);
    }

    void runFor(Duration d) throws InterruptedException {
      start();
      // Not a timed assertion: the load runs across a connection limit, then is checked.
      Thread.sleep(d.toMillis());
      stop();
    }

    void stop() throws InterruptedException {
      executor.shutdown();
      executor.awaitTermination(10, TimeUnit.SECONDS);
      assertThat(done.get()).isPositive();
    }

    List<Throwable> failures() {
      return failures;
    }
  }

  /** AWS credentials that go away and come back. */
  private static final class Switchable implements AwsCredentialsProvider {
    private final AwsCredentialsProvider delegate;
    volatile boolean down;

    Switchable(AwsCredentialsProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public AwsCredentials resolveCredentials() {
      if (down) {
        throw new IllegalStateException("the test's credential outage: no credentials");
      }
      return delegate.resolveCredentials();
    }
  }

  /** Writes to the original stream and to the captured log. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final ByteArrayOutputStream second;

    Tee(OutputStream first, ByteArrayOutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) {
      synchronized (second) {
        second.write(b);
      }
      try {
        first.write(b);
      } catch (java.io.IOException e) {
        // The original stream is best effort.
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (second) {
        second.write(b, off, len);
      }
      try {
        first.write(b, off, len);
      } catch (java.io.IOException e) {
        // The original stream is best effort.
      }
    }

    @Override
    public void flush() throws java.io.IOException {
      first.flush();
    }
  }
}
