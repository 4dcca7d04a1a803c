package io.github.iamauth4j.jedis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.Pool;

/**
 * Jedis's own {@code AuthXManager} re-authenticates every connection on every new token (every 7.5
 * minutes with IAM tokens). This adapter re-authenticates each connection on the renewal policy's
 * interval instead. Proven with tokens that live 3 seconds (a new one every 1.5 seconds) and a
 * re-authentication interval of 4 seconds, over three intervals, on eight pooled connections, some
 * busy and some idle, against an emulator whose connection limit is 8 seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JedisAuthPacingIT {
  private static final Logger LOG = LoggerFactory.getLogger(JedisAuthPacingIT.class);
  private static final String ADMIN = "pacing-admin";
  private static final Duration LIMIT = Duration.ofSeconds(8);
  private static final Duration INTERVAL = Duration.ofSeconds(4);
  private static final Duration JITTER = Duration.ofMillis(400);
  private static final Duration TOKEN_LIFE = Duration.ofSeconds(3);

  private final String adminPassword = UUID.randomUUID().toString();
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
            .cacheName("orders")
            .region("us-east-1")
            .trust(TrustedCredentials.example())
            .connectionLimit(LIMIT)
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

  @Test
  void reauthenticatesEachConnectionOncePerIntervalNotOncePerTokenRefresh() throws Exception {
    List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
    IamAuthConfig config =
        IamAuthConfig.builder()
            .target(IamTarget.elastiCache("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(TrustedCredentials.example().asProvider())
            .expiry(TOKEN_LIFE)
            .refreshBeforeExpiry(TOKEN_LIFE.dividedBy(2))
            .safetyMargin(Duration.ofMillis(300))
            .listener(events::add)
            .build();
    RenewalPolicy policy =
        RenewalPolicy.builder()
            .connectionLimit(LIMIT)
            .reauthenticationInterval(INTERVAL)
            .reauthenticationJitter(JITTER)
            .maxConnectionAge(Duration.ofSeconds(6))
            .maxConnectionAgeJitter(Duration.ofMillis(500))
            .build();
    try (IamJedis iam =
            IamJedis.builder()
                .config(config)
                .renewalPolicy(policy)
                .trustStore(emulator.tls().trustStore())
                .build();
        RedisClient client = iam.redisClient(emulator.host(), emulator.port())) {
      Pool<Connection> pool = client.getPool();
      // Eight connections, opened together.
      List<Connection> opened = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        opened.add(pool.getResource());
      }
      opened.forEach(Connection::close);
      long reauthenticationsBefore = emulator.stats().reauthentications();
      long openedBefore = emulator.stats().connectionsOpened();
      int eventsBefore = events.size();
      Instant start = Instant.now();

      // Light traffic from four threads: some connections busy, the rest idle in the pool.
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      AtomicLong commands = new AtomicLong();
      Loads.runFor(
          INTERVAL.multipliedBy(3),
          4,
          Duration.ofMillis(20),
          failures,
          () -> {
            client.set("pacing", "v");
            commands.incrementAndGet();
          });
      Duration elapsed = Duration.between(start, Instant.now());
      long reauthentications = emulator.stats().reauthentications() - reauthenticationsBefore;
      List<IamAuthEvent> during = new ArrayList<>(events.subList(eventsBefore, events.size()));

      Map<String, Long> perConnection =
          during.stream()
              .filter(e -> e instanceof IamAuthEvent.ConnectionReauthenticated)
              .map(e -> ((IamAuthEvent.ConnectionReauthenticated) e).connection())
              .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
      long tokens = during.stream().filter(e -> e instanceof IamAuthEvent.TokenIssued).count();
      long reported = perConnection.values().stream().mapToLong(Long::longValue).sum();
      LOG.info(
          "{} commands in {}: {} tokens issued, AUTHs per connection {}, emulator counted {}",
          commands.get(),
          elapsed,
          tokens,
          perConnection.values(),
          reauthentications);
      assertThat(failures).as("failed commands").isEmpty();
      assertThat(commands.get()).isPositive();
      assertThat(pool.getCreatedCount()).as("connections opened").isEqualTo(8);
      assertThat(emulator.stats().connectionsOpened() - openedBefore)
          .as("connections opened during the window")
          .isZero();
      assertThat(emulator.stats().connectionsClosedAtLimit()).as("closed at the limit").isZero();
      assertThat(emulator.stats().authenticationsRejected()).as("rejected").isZero();
      assertThat(tokens).as("tokens issued in " + elapsed).isGreaterThanOrEqualTo(6);
      assertThat(perConnection).as("connections that re-authenticated").hasSize(8);
      // At most one per (interval - jitter), plus one that fell due just before the window.
      long most = elapsed.toMillis() / INTERVAL.minus(JITTER).toMillis() + 1;
      assertThat(perConnection.values())
          .as("AUTHs per connection in " + elapsed + ", " + tokens + " tokens issued")
          .allSatisfy(n -> assertThat(n).isBetween(2L, most));
      assertThat(perConnection.values())
          .as("AUTHs per connection, against the tokens issued")
          .allSatisfy(n -> assertThat(n * 2).isLessThanOrEqualTo(tokens));
      // The emulator saw the AUTHs the events report (give or take one in flight at the edges).
      assertThat(reauthentications)
          .as("re-authentications the emulator counted (" + reported + " reported)")
          .isBetween(reported - 2, reported + 2);
    }
  }
}
