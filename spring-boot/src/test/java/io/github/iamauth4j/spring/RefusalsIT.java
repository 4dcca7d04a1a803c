package io.github.iamauth4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.testkit.server.RedisServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Start-up refusals: a plaintext spring.data.redis setup, pointed at a real plaintext Redis on
 * which the IAM user exists with another password (so a token sent to it would show in its ACL
 * LOG), stops the app before any token is sent; a bad iamauth4j property stops it with the failure
 * analyzer's one report naming the property.
 */
class RefusalsIT {
  private static RedisServer plain;

  @BeforeAll
  static void start() {
    assertThat(TestApp.bootVersion()).isEqualTo(System.getProperty("iamauth4j.boot.expected"));
    plain = RedisServer.builder().config("user app on >not-a-token ~* &* +@all").start();
  }

  @AfterAll
  static void stop() {
    if (plain != null) {
      plain.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"lettuce", "jedis"})
  void plaintextRedisIsRefusedAtStartUpBeforeAnyTokenIsSent(String client) {
    plain.commandWithoutAuth("ACL", "LOG", "RESET");
    TestApp.Failure failure =
        TestApp.startFails(
            List.of(
                "spring.data.redis.client-type=" + client,
                "spring.data.redis.host=" + plain.host(),
                "spring.data.redis.port=" + plain.port(),
                "iamauth4j.redis.cache-name=orders",
                "iamauth4j.redis.user=app",
                "iamauth4j.redis.region=us-east-1"));
    assertThat(failure.exception()).hasRootCauseInstanceOf(InsecureConnectionException.class);
    assertThat(failure.output())
        .contains("APPLICATION FAILED TO START")
        .contains("iamauth4j could not be configured")
        .contains("iamauth4j.redis.allow-plaintext-for-local-testing=true")
        .contains("spring.data.redis.ssl.enabled=true");
    assertThat((List<?>) plain.commandWithoutAuth("ACL", "LOG"))
        .as("authentication attempts the plaintext server saw")
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"lettuce", "jedis"})
  void aBadPropertyStopsStartUpWithTheAnalyzersMessageNamingIt(String client) {
    TestApp.Failure failure =
        TestApp.startFails(
            List.of(
                "spring.data.redis.client-type=" + client,
                "spring.data.redis.host=localhost",
                "spring.data.redis.ssl.enabled=true",
                "spring.data.redis.password=left-over",
                "iamauth4j.redis.cache-name=orders",
                "iamauth4j.redis.region=us-east"));
    assertThat(failure.exception()).hasRootCauseInstanceOf(IamConfigurationException.class);
    assertThat(failure.output())
        .contains("APPLICATION FAILED TO START")
        .contains("iamauth4j could not be configured")
        .contains("iamauth4j.redis.user: is required")
        .contains("spring.data.redis.password: is set")
        .contains("Fix the settings named above")
        .doesNotContain("left-over");
  }
}
