package io.github.iamauth4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.micrometer.IamAuthMeterBinder;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Spring Data Redis, with Lettuce and with Jedis, against the ElastiCache emulator (TLS, its CA
 * trusted through a Boot SSL bundle) whose 12-hour connection limit is compressed to 3 seconds: an
 * app that keeps spring.data.redis.host/port/ssl, deletes its password and adds iamauth4j.redis.*,
 * and runs {@code StringRedisTemplate} as the IAM user across several limits.
 */
class RedisIT {
  static final Duration LIMIT = Duration.ofSeconds(3);
  private static RedisServer redis;
  private static ElastiCacheEmulator cache;

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
  }

  @AfterAll
  static void stop() {
    if (cache != null) {
      cache.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  static List<String> properties(String client) {
    return List.of(
        // No data source in this app (Boot 4's class name first, then Boot 3.5's).
        "spring.autoconfigure.exclude="
            + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
            + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "spring.data.redis.client-type=" + client,
        "spring.data.redis.host=localhost",
        "spring.data.redis.port=" + cache.port(),
        "spring.data.redis.ssl.enabled=true",
        "spring.data.redis.ssl.bundle=emulator",
        "spring.ssl.bundle.pem.emulator.truststore.certificate=file:" + cache.tls().caPemFile(),
        "iamauth4j.redis.cache-name=orders",
        "iamauth4j.redis.user=app",
        "iamauth4j.redis.region=us-east-1",
        "iamauth4j.redis.connection-limit=" + LIMIT.toMillis() + "ms",
        "iamauth4j.redis.reauthentication-interval=1s");
  }

  @ParameterizedTest
  @ValueSource(strings = {"lettuce", "jedis"})
  void stringRedisTemplateRunsAsTheIamUserAcrossSeveralConnectionLimits(String client)
      throws Exception {
    long expiredBefore = cache.stats().connectionsClosedAtLimit();
    long reauthBefore = cache.stats().reauthentications();
    try (ConfigurableApplicationContext app = TestApp.start(properties(client))) {
      StringRedisTemplate redisTemplate = app.getBean(StringRedisTemplate.class);
      RedisConnectionFactory factory = app.getBean(RedisConnectionFactory.class);
      assertThat(factory.getClass().getSimpleName())
          .isEqualTo(
              client.equals("jedis") ? "IamJedisConnectionFactory" : "LettuceConnectionFactory");
      String whoami =
          redisTemplate.execute(
              (RedisCallback<String>)
                  c ->
                      new String(
                          (byte[]) c.execute("ACL", "WHOAMI".getBytes(StandardCharsets.UTF_8)),
                          StandardCharsets.UTF_8));
      assertThat(whoami).isEqualTo("app");

      // Four limits of commands, in several threads, with no failure.
      long end = System.nanoTime() + LIMIT.multipliedBy(4).toNanos();
      List<Throwable> failures = new ArrayList<>();
      int commands = 0;
      while (System.nanoTime() < end) {
        String key = client + ":" + (commands % 50);
        try {
          redisTemplate.opsForValue().set(key, "v" + commands);
          assertThat(redisTemplate.opsForValue().get(key)).isEqualTo("v" + commands);
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

      // Re-authentications reached the meters with no extra call; the health shows the token.
      MeterRegistry registry = app.getBean(MeterRegistry.class);
      double reauthenticated =
          registry
              .get(IamAuthMeterBinder.REAUTHENTICATIONS)
              .tags("kind", "elasticache", "target", "orders", "user", "app")
              .functionCounter()
              .count();
      assertThat(reauthenticated).isGreaterThan(0);
      assertThat(
              registry
                  .get(IamAuthMeterBinder.TOKENS_ISSUED)
                  .tag("target", "orders")
                  .functionCounter()
                  .count())
          .isGreaterThanOrEqualTo(1);
      assertThat(TestApp.metricNames(app))
          .contains(
              IamAuthMeterBinder.TOKENS_ISSUED,
              IamAuthMeterBinder.REAUTHENTICATIONS,
              IamAuthMeterBinder.TOKEN_REMAINING);
      TestApp.HealthView health = TestApp.health(app, "iamauth4jRedis");
      assertThat(health.status()).isEqualTo("UP");
      assertThat(health.details())
          .containsEntry("target", "ElastiCache cache \"orders\" (user \"app\")")
          .containsKey("tokenRemainingLife");
    }
  }
}
