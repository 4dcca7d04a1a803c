package io.github.iamauth4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.micrometer.IamAuthMeterBinder;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Redisson's own Spring Boot starter (3.52, built for Boot 3.5; run by the "redisson" failsafe
 * execution only) against the ElastiCache emulator (TLS, its CA trusted through a Boot SSL bundle,
 * 3-second connection limit): an app that keeps spring.data.redis.host/port/ssl, deletes its
 * password and adds iamauth4j.redis.*, and runs its {@code RedissonClient} as the IAM user across
 * several limits; a plaintext setup is refused before any token is sent.
 */
class RedissonIT {
  static final Duration LIMIT = Duration.ofSeconds(3);
  private static RedisServer redis;
  private static ElastiCacheEmulator cache;
  private static RedisServer plain;

  @BeforeAll
  static void start() {
    assertThat(TestApp.bootVersion()).isEqualTo(System.getProperty("iamauth4j.boot.expected"));
    redis =
        RedisServer.builder()
            .config("user admin on >admin-pw ~* &* +@all")
            .auth("admin", "admin-pw")
            .start();
    cache =
        ElastiCacheEmulator.builder()
            .backend(redis.host(), redis.port())
            .backendAdmin("admin", "admin-pw")
            .kind(IamTarget.Kind.ELASTICACHE)
            .cacheName("orders")
            .region("us-east-1")
            .connectionLimit(LIMIT)
            .start();
    plain = RedisServer.builder().config("user app on >not-a-token ~* &* +@all").start();
  }

  @AfterAll
  static void stop() {
    if (cache != null) {
      cache.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (plain != null) {
      plain.close();
    }
  }

  private static final String NO_DATA_SOURCE =
      "spring.autoconfigure.exclude="
          + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
          + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration";

  @Test
  void redissonClientRunsAsTheIamUserAcrossSeveralConnectionLimits() throws Exception {
    long expiredBefore = cache.stats().connectionsClosedAtLimit();
    long reauthBefore = cache.stats().reauthentications();
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(
                NO_DATA_SOURCE,
                "spring.data.redis.host=localhost",
                "spring.data.redis.port=" + cache.port(),
                "spring.data.redis.ssl.enabled=true",
                "spring.data.redis.ssl.bundle=emulator",
                "spring.ssl.bundle.pem.emulator.truststore.certificate=file:"
                    + cache.tls().caPemFile(),
                "iamauth4j.redis.cache-name=orders",
                "iamauth4j.redis.user=app",
                "iamauth4j.redis.region=us-east-1",
                "iamauth4j.redis.connection-limit=" + LIMIT.toMillis() + "ms",
                "iamauth4j.redis.reauthentication-interval=1s"))) {
      RedissonClient redisson = app.getBean(RedissonClient.class);
      // The starter's connection factory serves Spring Data Redis; no Lettuce wiring was made.
      assertThat(app.getBean(RedisConnectionFactory.class).getClass().getSimpleName())
          .isEqualTo("RedissonConnectionFactory");
      assertThat(app.getBeanNamesForType(io.github.iamauth4j.lettuce.IamLettuce.class)).isEmpty();

      // Four limits of commands with no failure.
      long end = System.nanoTime() + LIMIT.multipliedBy(4).toNanos();
      List<Throwable> failures = new ArrayList<>();
      int commands = 0;
      while (System.nanoTime() < end) {
        RBucket<String> bucket = redisson.getBucket("redisson:" + (commands % 50));
        try {
          bucket.set("v" + commands);
          assertThat(bucket.get()).isEqualTo("v" + commands);
        } catch (RuntimeException e) {
          failures.add(e);
        }
        commands++;
        Thread.sleep(20); // pacing only: the assertions count commands, not time
      }
      assertThat(failures).as("failed commands out of " + commands).isEmpty();
      assertThat(cache.stats().connectionsClosedAtLimit() - expiredBefore)
          .as("connections the emulator closed at the limit")
          .isZero();
      assertThat(cache.stats().reauthentications() - reauthBefore)
          .as("AUTHs on live connections the emulator saw")
          .isPositive();

      MeterRegistry registry = app.getBean(MeterRegistry.class);
      assertThat(
              registry
                  .get(IamAuthMeterBinder.REAUTHENTICATIONS)
                  .tags("kind", "elasticache", "target", "orders", "user", "app")
                  .functionCounter()
                  .count())
          .isGreaterThan(0);
      TestApp.HealthView health = TestApp.health(app, "iamauth4jRedis");
      assertThat(health.status()).isEqualTo("UP");
      assertThat(health.details())
          .containsEntry("target", "ElastiCache cache \"orders\" (user \"app\")");
    }
  }

  @Test
  void plaintextRedisIsRefusedAtStartUpBeforeAnyTokenIsSent() {
    plain.commandWithoutAuth("ACL", "LOG", "RESET");
    TestApp.Failure failure =
        TestApp.startFails(
            List.of(
                NO_DATA_SOURCE,
                "spring.data.redis.host=" + plain.host(),
                "spring.data.redis.port=" + plain.port(),
                "iamauth4j.redis.cache-name=orders",
                "iamauth4j.redis.user=app",
                "iamauth4j.redis.region=us-east-1"));
    assertThat(failure.exception()).hasRootCauseInstanceOf(InsecureConnectionException.class);
    assertThat(failure.output())
        .contains("APPLICATION FAILED TO START")
        .contains("iamauth4j.redis.allow-plaintext-for-local-testing=true");
    assertThat((List<?>) plain.commandWithoutAuth("ACL", "LOG"))
        .as("authentication attempts the plaintext server saw")
        .isEmpty();
  }
}
