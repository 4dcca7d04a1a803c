package io.github.iamauth4j.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a launcher says when neither local binaries nor containers can give it a server. */
class ServerUnavailableTest {
  private static final Path NOWHERE = Path.of("/nonexistent/iamauth4j");

  @Test
  void redisNamesBothWaysToGetAServer() {
    RedisServer.Builder builder =
        RedisServer.builder().executable(NOWHERE.resolve("redis-server")).containerFallback(false);
    assertThatThrownBy(builder::start)
        .isInstanceOf(ServerUnavailableException.class)
        .hasMessage(
            "redis-server not found (looked in /nonexistent/iamauth4j/redis-server); install it"
                + " (apt-get install redis-server) or make a Docker engine reachable for"
                + " Testcontainers (the container fallback is turned off for this launcher)");
  }

  @Test
  void aClusterNeedsLocalBinaries() {
    RedisCluster.Builder builder =
        RedisCluster.builder().executable(NOWHERE.resolve("redis-server"));
    assertThatThrownBy(builder::start)
        .isInstanceOf(ServerUnavailableException.class)
        .hasMessage(
            "redis-server not found (looked in /nonexistent/iamauth4j/redis-server); install it"
                + " (apt-get install redis-server): RedisCluster runs local redis-server processes"
                + " only, it has no container fallback");
  }

  @Test
  void postgresNamesBothWaysToGetAServer() {
    PostgresServer.Builder builder =
        PostgresServer.builder().binDir(NOWHERE).containerFallback(false);
    assertThatThrownBy(builder::start)
        .isInstanceOf(ServerUnavailableException.class)
        .hasMessage(
            "PostgreSQL (initdb and postgres) not found (looked in /nonexistent/iamauth4j);"
                + " install it (apt-get install postgresql) or make a Docker engine reachable for"
                + " Testcontainers (the container fallback is turned off for this launcher)");
  }

  @Test
  void mariaDbNamesBothWaysToGetAServer() {
    MariaDbServer.Builder builder =
        MariaDbServer.builder().binDir(NOWHERE.resolve("bin")).containerFallback(false);
    assertThatThrownBy(builder::start)
        .isInstanceOf(ServerUnavailableException.class)
        .hasMessage(
            "mariadbd and mariadb-install-db and the mariadb client not found (looked in"
                + " /nonexistent/iamauth4j/bin, /nonexistent/iamauth4j/scripts); install it"
                + " (apt-get install mariadb-server"
                + " mariadb-client) or make a Docker engine reachable for Testcontainers (the"
                + " container fallback is turned off for this launcher)");
  }

  @Test
  void withTheFallbackOnAContainerRunsOrTheMessageSaysWhyNot() {
    RedisServer.Builder builder = RedisServer.builder().executable(NOWHERE.resolve("redis-server"));
    String reason = Containers.unavailableReason(true);
    if (reason == null) {
      try (RedisServer redis = builder.start()) {
        assertThat(redis.command("PING")).isEqualTo("PONG");
      }
    } else {
      assertThatThrownBy(builder::start)
          .isInstanceOf(ServerUnavailableException.class)
          .hasMessageEndingWith(
              "or make a Docker engine reachable for Testcontainers (" + reason + ")");
    }
  }
}
