package io.github.iamauth4j.redisson;

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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
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
import org.redisson.Redisson;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.RedisStrictCommand;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.SingleServerConfig;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * A migration from passwords (issue 13) through Redisson, against the ElastiCache emulator holding
 * the migration's user group: an IAM user {@code app} and a password user {@code legacy}. With IAM
 * working nothing falls back; with IAM broken three ways (a wrong region, so the server refuses the
 * token; AWS credentials gone past the token's life; the IAM user removed from the user group)
 * {@code Redisson.create}, every connection (pub/sub included) and every command go on, on the
 * password, each fallback logged once and counted; once IAM is fixed, every connection is IAM again
 * without a restart. The log never holds the password or a token. Time is compressed: a 3-second
 * connection limit, re-authentication every second, IAM tried again 1.5 seconds after a refusal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedissonPasswordFallbackIT {
  private static final String CACHE = "orders";
  private static final String REGION = "us-east-1";
  private static final String IAM_USER = "app";
  private static final String PASSWORD_USER = "legacy";
  private static final String ADMIN = "fallback-admin";
  private static final Duration LIMIT = Duration.ofSeconds(3);
  private static final Duration RETRY_IAM_AFTER = Duration.ofMillis(1500);
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final RedisStrictCommand<Object> ACL_WHOAMI =
      new RedisStrictCommand<>("ACL", "WHOAMI");
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
    assertThat(capturedLog())
        .doesNotContain(password)
        .doesNotContain("X-Amz-Signature")
        .doesNotContain("X-Amz-Credential")
        .doesNotContain(TrustedCredentials.example().secretAccessKey());
  }

  @Test
  void withIamWorkingNothingFallsBack() throws Exception {
    long passwordAuthentications = emulator.stats().passwordAuthenticationsAccepted();
    long closedAtLimit = emulator.stats().connectionsClosedAtLimit();
    IamRedisson iam = iam(config(REGION, TrustedCredentials.example().asProvider()));
    RedissonClient redisson = redisson(iam);
    Topic topic = Topic.on(redisson);

    Load load = Load.on(redisson);
    load.runFor(LIMIT.plusMillis(500));

    assertThat(load.failures()).isEmpty();
    assertThat(whoami(redisson)).isEqualTo(IAM_USER);
    topic.publishAndReceive("on IAM");
    PasswordFallbacks.Stats stats = iam.tokenProvider().passwordFallbacks().stats();
    assertThat(stats.totalFallbacks()).isZero();
    assertThat(stats.openOnIam()).isPositive();
    assertThat(stats.openOnPassword()).isZero();
    assertThat(fallbackEvents()).isEmpty();
    assertThat(fallbackLogLines()).isZero();
    assertThat(emulator.stats().passwordAuthenticationsAccepted())
        .isEqualTo(passwordAuthentications);
    assertThat(emulator.stats().connectionsClosedAtLimit()).isEqualTo(closedAtLimit);
  }

  /**
   * (a) Tokens signed for the wrong region: the server refuses each, and the adapter sends the
   * password on the same connection; {@code Redisson.create} succeeds.
   */
  @Test
  void aTokenTheServerRefusesIsRetriedWithThePasswordOnTheSameConnection() throws Exception {
    long passwordAuthentications = emulator.stats().passwordAuthenticationsAccepted();
    long closedAtLimit = emulator.stats().connectionsClosedAtLimit();
    long opened = emulator.stats().connectionsOpened();
    IamRedisson iam = iam(config("us-west-2", TrustedCredentials.example().asProvider()));
    RedissonClient redisson = redisson(iam);
    PasswordFallbacks fallbacks = iam.tokenProvider().passwordFallbacks();
    Topic topic = Topic.on(redisson);

    Load load = Load.on(redisson);
    load.runFor(LIMIT.plusMillis(500));

    assertThat(load.failures()).isEmpty();
    assertThat(whoami(redisson)).isEqualTo(PASSWORD_USER);
    topic.publishAndReceive("on the password");
    assertThat(fallbacks.stats().openOnIam()).isZero();
    assertThat(fallbacks.stats().openOnPassword()).isPositive();
    // No connection was given up and opened again: each refusal was retried on its connection.
    assertThat(emulator.stats().connectionsOpened() - opened)
        .isEqualTo(fallbacks.stats().openOnPassword());
    assertThat(fallbacks.stats().fallbacks().get(Reason.TOKEN_REFUSED)).isPositive();
    assertFallbacksLoggedOnceAndCounted(iam, passwordAuthentications);
    assertThat(emulator.stats().connectionsClosedAtLimit()).isEqualTo(closedAtLimit);
  }

  /**
   * (c) The IAM user is removed from the user group: the live connections' re-authentications are
   * refused and retried with the password, and connections opened again meanwhile use it too; added
   * back, every connection returns to IAM.
   */
  @Test
  void aRemovedIamUserFallsBackAndEveryConnectionReturnsToIamOnceItIsBack() throws Exception {
    long closedAtLimit = emulator.stats().connectionsClosedAtLimit();
    // IAM set aside for 5 seconds after a refusal here, so that the connections are dropped while
    // no renewal tries IAM (an AUTH cut by the drop would be a fallback the server never saw).
    IamAuthConfig config =
        config(REGION, TrustedCredentials.example().asProvider()).toBuilder()
            .passwordFallback(
                FallbackPassword.fromSupplier(PASSWORD_USER, () -> password)
                    .retryIamAfter(Duration.ofSeconds(5)))
            .build();
    IamRedisson iam = iam(config);
    RedissonClient redisson = redisson(iam);
    PasswordFallbacks fallbacks = iam.tokenProvider().passwordFallbacks();
    long passwordAuthentications = emulator.stats().passwordAuthenticationsAccepted();
    Topic topic = Topic.on(redisson);
    int open = fallbacks.stats().openOnIam();
    assertThat(open).isPositive();
    Load load = Load.on(redisson);
    load.start();

    emulator.removeUser(IAM_USER);
    Awaitility.await("every connection on the password")
        .atMost(PATIENCE)
        .until(() -> fallbacks.stats().openOnPassword() == open);
    assertThat(whoami(redisson)).isEqualTo(PASSWORD_USER);
    topic.publishAndReceive("while on the password");
    // Connections opened again while the IAM user is gone and IAM is set aside: the password.
    load.stop();
    assertThat(fallbacks.iamSetAsideUntil()).isNotNull();
    emulator.dropAllConnections();
    Awaitility.await("every connection back, on the password")
        .atMost(PATIENCE)
        .until(
            () ->
                fallbacks.stats().openOnPassword() == open
                    && emulator.stats().openConnections() == open);
    assertThat(whoami(redisson)).isEqualTo(PASSWORD_USER);

    load = Load.on(redisson);
    load.start();
    emulator.addIamUser(IAM_USER);
    Awaitility.await("every connection back on IAM")
        .atMost(PATIENCE)
        .until(() -> fallbacks.stats().openOnIam() == open);
    assertThat(whoami(redisson)).isEqualTo(IAM_USER);
    topic.publishAndReceive("back on IAM");
    load.stop();

    assertThat(load.failures()).isEmpty();
    assertThat(fallbacks.stats().fallbacks().get(Reason.TOKEN_REFUSED)).isPositive();
    assertFallbacksLoggedOnceAndCounted(iam, passwordAuthentications);
    assertThat(emulator.stats().connectionsClosedAtLimit()).isEqualTo(closedAtLimit);
  }

  /**
   * (b) AWS credentials gone past the token's life (a 6-second token here): no usable token, so the
   * live connections at their next renewal, and connections opened again, use the password; once
   * the credentials are back, IAM again.
   */
  @Test
  void credentialsGonePastTheTokensLifeFallBackUntilTheyReturn() throws Exception {
    long closedAtLimit = emulator.stats().connectionsClosedAtLimit();
    Switchable aws = new Switchable(TrustedCredentials.example().asProvider());
    IamAuthConfig config =
        config(REGION, aws).toBuilder()
            .expiry(Duration.ofSeconds(6))
            .refreshBeforeExpiry(Duration.ofSeconds(2))
            .safetyMargin(Duration.ofSeconds(1))
            .build();
    IamRedisson iam = iam(config);
    RedissonClient redisson = redisson(iam);
    PasswordFallbacks fallbacks = iam.tokenProvider().passwordFallbacks();
    long passwordAuthentications = emulator.stats().passwordAuthenticationsAccepted();
    int open = fallbacks.stats().openOnIam();
    Load load = Load.on(redisson);
    load.start();

    aws.down = true;
    Awaitility.await("the last token unusable")
        .atMost(PATIENCE)
        .until(() -> iam.tokenProvider().tokenAsync().isCompletedExceptionally());
    Awaitility.await("every connection on the password")
        .atMost(PATIENCE)
        .until(() -> fallbacks.stats().openOnPassword() == open);
    assertThat(whoami(redisson)).isEqualTo(PASSWORD_USER);
    load.stop();
    emulator.dropAllConnections();
    Awaitility.await("every connection back, on the password")
        .atMost(PATIENCE)
        .until(
            () ->
                fallbacks.stats().openOnPassword() == open
                    && emulator.stats().openConnections() == open);
    assertThat(fallbacks.stats().fallbacks().get(Reason.NO_USABLE_TOKEN))
        .isGreaterThanOrEqualTo(2L * open);

    load = Load.on(redisson);
    load.start();
    aws.down = false;
    Awaitility.await("every connection back on IAM")
        .atMost(PATIENCE)
        .until(() -> fallbacks.stats().openOnIam() == open);
    assertThat(whoami(redisson)).isEqualTo(IAM_USER);
    load.stop();

    assertThat(load.failures()).isEmpty();
    assertFallbacksLoggedOnceAndCounted(iam, passwordAuthentications);
    assertThat(emulator.stats().connectionsClosedAtLimit()).isEqualTo(closedAtLimit);
  }

  /**
   * Cluster mode, tokens signed for the wrong region: every connection Redisson opens to every
   * master (the topology, the pools, pub/sub) meets the refused token and is retried with the
   * password on the same connection; {@code Redisson.create} succeeds and every command runs.
   */
  @Test
  @SuppressWarnings("deprecation") // the server section's setters: the same on 3.x and 4.x
  void inClusterModeEveryNodeFallsBackOnTheSameConnections() throws Exception {
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
      IamRedisson iam =
          IamRedisson.builder()
              .config(config("us-west-2", TrustedCredentials.example().asProvider()))
              .renewalPolicy(POLICY)
              .trustStore(emulators.tls().trustStore())
              .build();
      opened.push(iam);
      Config config = iam.cluster(emulators.host(), emulators.port());
      config
          .useClusterServers()
          .setMasterConnectionMinimumIdleSize(2)
          .setMasterConnectionPoolSize(2)
          .setSlaveConnectionMinimumIdleSize(1)
          .setSlaveConnectionPoolSize(1)
          .setSubscriptionConnectionMinimumIdleSize(1)
          .setSubscriptionConnectionPoolSize(1);
      RedissonClient redisson = Redisson.create(config);
      opened.push(() -> redisson.shutdown(0, 2, TimeUnit.SECONDS));

      for (int i = 0; i < 30; i++) {
        redisson.getBucket("cluster:" + i, StringCodec.INSTANCE).set("v" + i);
        assertThat(redisson.getBucket("cluster:" + i, StringCodec.INSTANCE).get())
            .isEqualTo("v" + i);
      }
      Topic.on(redisson).publishAndReceive("in the cluster");

      assertThat(emulators.stats().perNode())
          .as("every master authenticated connections with the password")
          .allSatisfy(n -> assertThat(n.passwordAuthenticationsAccepted()).isPositive());
      assertThat(emulators.stats().authenticationsAccepted()).isZero();
      PasswordFallbacks.Stats stats = iam.tokenProvider().passwordFallbacks().stats();
      assertThat(stats.openOnIam()).isZero();
      assertThat(stats.openOnPassword()).isPositive();
      assertFallbacksLoggedOnceAndCounted(
          iam, () -> emulators.stats().passwordAuthenticationsAccepted());
      redisson.shutdown(0, 2, TimeUnit.SECONDS);
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

  private IamRedisson iam(IamAuthConfig config) {
    IamRedisson iam =
        IamRedisson.builder()
            .config(config)
            .renewalPolicy(POLICY)
            .trustStore(emulator.tls().trustStore())
            .build();
    opened.push(iam);
    return iam;
  }

  /** Two connections and one pub/sub connection, opened at start, reconnected at once. */
  @SuppressWarnings("deprecation") // the server section's setters: the same on 3.x and 4.x
  private RedissonClient redisson(IamRedisson iam) {
    Config config = iam.singleServer(emulator.host(), emulator.port());
    SingleServerConfig c = config.useSingleServer();
    c.setConnectionMinimumIdleSize(2)
        .setConnectionPoolSize(2)
        .setSubscriptionConnectionMinimumIdleSize(1)
        .setSubscriptionConnectionPoolSize(1)
        .setReconnectionDelay(new ConstantDelay(Duration.ofMillis(10)));
    RedissonClient redisson = Redisson.create(config);
    opened.push(() -> redisson.shutdown(0, 2, TimeUnit.SECONDS));
    return redisson;
  }

  private static String whoami(RedissonClient redisson) {
    Redisson r = (Redisson) redisson;
    Object who =
        r.getCommandExecutor()
            .get(r.getCommandExecutor().readRandomAsync(StringCodec.INSTANCE, ACL_WHOAMI));
    return String.valueOf(who);
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
  private void assertFallbacksLoggedOnceAndCounted(IamRedisson iam, long passwordAuthsBefore) {
    assertFallbacksLoggedOnceAndCounted(
        iam, () -> emulator.stats().passwordAuthenticationsAccepted() - passwordAuthsBefore);
  }

  private void assertFallbacksLoggedOnceAndCounted(IamRedisson iam, LongSupplier passwordAuths) {
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

  /** A topic with a listener on the client's pub/sub connection. */
  private static final class Topic {
    private final RTopic topic;
    private final List<String> received = new CopyOnWriteArrayList<>();

    private Topic(RedissonClient redisson) {
      this.topic = redisson.getTopic("news", StringCodec.INSTANCE);
      topic.addListener(String.class, (channel, message) -> received.add(message));
    }

    static Topic on(RedissonClient redisson) {
      return new Topic(redisson);
    }

    void publishAndReceive(String message) {
      topic.publish(message);
      Awaitility.await("the message " + message)
          .atMost(PATIENCE)
          .until(() -> received.contains(message));
    }
  }

  /** Commands every 20 ms on a background thread, failures collected. */
  private static final class Load {
    private final RedissonClient redisson;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong done = new AtomicLong();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    private Load(RedissonClient redisson) {
      this.redisson = redisson;
    }

    static Load on(RedissonClient redisson) {
      return new Load(redisson);
    }

    void start() {
      executor.scheduleWithFixedDelay(
          () -> {
            try {
              String key = "k" + done.incrementAndGet();
              redisson.getBucket(key, StringCodec.INSTANCE).set("v");
              if (!"v".equals(redisson.getBucket(key, StringCodec.INSTANCE).get())) {
                failures.add(new AssertionError("lost " + key));
              }
            } catch (RuntimeException e) {
              failures.add(e);
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
    public void write(int b) throws IOException {
      synchronized (second) {
        second.write(b);
      }
      first.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      synchronized (second) {
        second.write(b, off, len);
      }
      first.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      first.flush();
    }
  }
}
