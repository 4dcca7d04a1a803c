package io.github.iamauth4j.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisServerIT {

  @Test
  void setAndGetOnAPlainServer() {
    Path dir;
    try (RedisServer redis = RedisServer.builder().start()) {
      assertThat(redis.host()).isEqualTo("127.0.0.1");
      assertThat(redis.port()).isNotEqualTo(6379);
      assertThat(redis.command("SET", "greeting", "hello")).isEqualTo("OK");
      assertThat(redis.command("GET", "greeting")).isEqualTo("hello");
      assertThat(redis.command("GET", "missing")).isNull();
      assertThat(redis.command("INCR", "counter")).isEqualTo(1L);
      assertThat(redis.command("RPUSH", "list", "a", "b")).isEqualTo(2L);
      assertThat(redis.command("LRANGE", "list", "0", "-1")).isEqualTo(List.of("a", "b"));
      assertThat(redis.command("CONFIG", "GET", "save")).isEqualTo(List.of("save", ""));
      assertThat(redis.logFile()).exists();
      dir = redis.directory();
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void disabledDefaultUserGetsNoauthWhileTheAdminGetsIn() {
    try (RedisServer redis =
        RedisServer.builder()
            .config("user default off", "user admin on >admin-secret ~* &* +@all")
            .auth("admin", "admin-secret")
            .start()) {
      assertThat(redis.command("SET", "k", "v")).isEqualTo("OK");
      assertThat(redis.command("ACL", "WHOAMI")).isEqualTo("admin");

      assertThatThrownBy(() -> redis.commandWithoutAuth("GET", "k"))
          .isInstanceOfSatisfying(
              RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("NOAUTH"));
      assertThatThrownBy(() -> redis.commandAs("admin", "wrong", "GET", "k"))
          .isInstanceOfSatisfying(
              RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("WRONGPASS"));

      redis.command("ACL", "SETUSER", "app", "on", ">app-secret", "~*", "+get");
      assertThat(redis.commandAs("app", "app-secret", "GET", "k")).isEqualTo("v");
      assertThatThrownBy(() -> redis.commandAs("app", "app-secret", "SET", "k", "w"))
          .isInstanceOfSatisfying(
              RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("NOPERM"));
    }
  }

  @Test
  void requirepassWithTheDefaultUser() {
    try (RedisServer redis =
        RedisServer.builder().config("requirepass pass-1").auth("pass-1").start()) {
      assertThat(redis.command("PING")).isEqualTo("PONG");
      assertThatThrownBy(() -> redis.commandWithoutAuth("PING"))
          .isInstanceOf(RedisReplyException.class)
          .hasMessageStartingWith("NOAUTH");
    }
  }

  @Test
  void wrongAdminCredentialsFailTheStartWithoutLeakingThePassword() {
    RedisServer.Builder builder =
        RedisServer.builder().config("user default off").auth("admin", "not-configured-pw");
    ServerStartException failure = catchThrowableOfType(ServerStartException.class, builder::start);
    try {
      assertThat(failure.getMessage())
          .contains("rejected the launcher's credentials for user \"admin\"")
          .doesNotContain("not-configured-pw");
      assertThat(failure.logFile()).exists();
    } finally {
      deleteKeptDirectory(failure);
    }
  }

  @Test
  void aBadConfigLineFailsTheStartWithTheLogTail() {
    RedisServer.Builder builder = RedisServer.builder().config("no-such-directive yes");
    ServerStartException failure = catchThrowableOfType(ServerStartException.class, builder::start);
    try {
      assertThat(failure)
          .hasMessageContaining("exited with code 1 during startup")
          .hasMessageContaining("no-such-directive");
    } finally {
      deleteKeptDirectory(failure);
    }
  }

  @Test
  void aTakenPortIsRetriedThenReported() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      // The caller's line overrides the launcher's port, so that every attempt hits the taken one.
      RedisServer.Builder builder = RedisServer.builder().config("port " + taken.getLocalPort());
      ServerStartException failure =
          catchThrowableOfType(ServerStartException.class, builder::start);
      try {
        assertThat(failure).hasMessageContaining("Address already in use");
        assertThat(failure.logFile()).exists();
      } finally {
        deleteKeptDirectory(failure);
      }
    }
  }

  /** A failed start keeps its directory for the log; tests that fail on purpose clean up. */
  static void deleteKeptDirectory(ServerStartException failure) {
    Path log = failure.logFile();
    if (log != null && log.getParent() != null) {
      TempDirs.deleteQuietly(log.getParent());
    }
  }
}
