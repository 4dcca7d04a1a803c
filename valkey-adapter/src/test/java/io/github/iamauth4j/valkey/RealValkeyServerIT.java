package io.github.iamauth4j.valkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.testkit.compat.EmulatorCounters;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import io.valkey.JedisPooled;
import io.valkey.Transaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The adapter against a real Valkey server ({@code valkey-server} 8 from Debian's
 * bookworm-backports, at {@code /usr/bin/valkey-server}) behind the ElastiCache emulator with a
 * 3-second connection limit: pooled commands, transactions and a subscriber blocked in {@code
 * subscribe()} across three and a half limits, re-authenticated in band over RESP3, which Valkey,
 * like Redis 7, allows in subscriber mode. Fails (never skips) when {@code valkey-server} is
 * missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealValkeyServerIT {
  private static final Path VALKEY = Path.of("/usr/bin/valkey-server");
  private static final Duration LIMIT = RedisAdapterCompatibilityKit.CONNECTION_LIMIT;

  private final String adminPassword = UUID.randomUUID().toString();
  private RedisServer valkey;
  private ElastiCacheEmulator emulator;

  @BeforeAll
  void start() {
    assertThat(Files.isExecutable(VALKEY))
        .as(VALKEY + " (apt-get install -t bookworm-backports valkey-server)")
        .isTrue();
    valkey =
        RedisServer.builder()
            .executable(VALKEY)
            .config("user kit-admin on >" + adminPassword + " ~* &* +@all")
            .auth("kit-admin", adminPassword)
            .start();
    emulator =
        ElastiCacheEmulator.builder()
            .backend(valkey.host(), valkey.port())
            .backendAdmin("kit-admin", adminPassword)
            .cacheName(RedisAdapterCompatibilityKit.CACHE)
            .region(RedisAdapterCompatibilityKit.REGION)
            .trust(TrustedCredentials.example())
            .connectionLimit(LIMIT)
            .start();
  }

  @AfterAll
  void stop() {
    if (emulator != null) {
      emulator.close();
    }
    if (valkey != null) {
      valkey.close();
    }
  }

  @Test
  void poolTransactionsAndASubscriberStayUpOnValkeyAcrossThreeLimits() throws Exception {
    Object info = valkey.command("INFO", "server");
    assertThat(
            info instanceof byte[] b
                ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                : String.valueOf(info))
        .as("the backend is Valkey")
        .contains("valkey_version:");
    try (IamTokenProvider tokens =
            IamTokenProvider.create(
                IamAuthConfig.builder()
                    .target(
                        IamTarget.elastiCache(
                            RedisAdapterCompatibilityKit.CACHE, RedisAdapterCompatibilityKit.USER))
                    .region(RedisAdapterCompatibilityKit.REGION)
                    .credentialsProvider(TrustedCredentials.example().asProvider())
                    .expiry(RedisAdapterCompatibilityKit.TOKEN_EXPIRY)
                    .refreshBeforeExpiry(RedisAdapterCompatibilityKit.TOKEN_EXPIRY.dividedBy(2))
                    .safetyMargin(Duration.ofSeconds(2))
                    .build());
        IamValkey iam =
            IamValkey.builder()
                .tokenProvider(tokens)
                .renewalPolicy(RedisAdapterCompatibilityKit.RENEWAL_POLICY)
                .trustStore(emulator.tls().trustStore())
                .build();
        JedisPooled client = iam.pooled(emulator.host(), emulator.port())) {
      List<String> received = new CopyOnWriteArrayList<>();
      List<String> published = new CopyOnWriteArrayList<>();
      ValkeyStandaloneCompatibilityIT.Subscriber subscriber =
          ValkeyStandaloneCompatibilityIT.Subscriber.start(
              client::subscribe, "valkey-channel", received::add);
      EmulatorCounters before = EmulatorCounters.of(emulator.stats());
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      ScheduledExecutorService load = Executors.newScheduledThreadPool(3);
      load.scheduleWithFixedDelay(
          () -> {
            try {
              client.set("valkey:k", "v");
              assertThat(client.get("valkey:k")).isEqualTo("v");
              try (Transaction tx = (Transaction) client.multi()) {
                tx.set("{tx}v", "1");
                assertThat(tx.exec()).hasSize(1);
              }
              String message = "v" + published.size();
              client.publish("valkey-channel", message);
              published.add(message);
            } catch (Throwable e) {
              failures.add(e);
            }
          },
          0,
          20,
          TimeUnit.MILLISECONDS);
      CountDownLatch ran = new CountDownLatch(1);
      load.schedule(
          ran::countDown, LIMIT.multipliedBy(7).dividedBy(2).toMillis(), TimeUnit.MILLISECONDS);
      ran.await();
      load.shutdown();
      assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      Awaitility.await("every message received")
          .atMost(Duration.ofSeconds(10))
          .until(() -> received.size() >= published.size());
      subscriber.close();

      EmulatorCounters d = EmulatorCounters.of(emulator.stats()).minus(before);
      assertThat(failures).as("failed commands").isEmpty();
      assertThat(published).as("messages published").hasSizeGreaterThan(100);
      assertThat(received).as("messages received").isEqualTo(published);
      assertThat(subscriber.failure()).as("the subscriber's failure").isNull();
      assertThat(d.connectionsClosedAtLimit()).as("connections closed at the limit").isZero();
      assertThat(d.authenticationsRejected()).as("authentications rejected").isZero();
      assertThat(d.authenticationsRejectedInMulti()).as("AUTH inside MULTI").isZero();
      assertThat(d.reauthentications()).as("re-authentications").isGreaterThan(3);
    }
  }
}
