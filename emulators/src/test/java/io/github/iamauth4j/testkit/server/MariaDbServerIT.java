package io.github.iamauth4j.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MariaDbServerIT {
  private static MariaDbServer mariadb;

  @BeforeAll
  static void start() {
    mariadb = MariaDbServer.builder().serverOptions("--max-connections=50").start();
  }

  @AfterAll
  static void stop() {
    Path dir = mariadb.directory();
    mariadb.close();
    assertThat(dir).doesNotExist();
  }

  @Test
  void describesItself() {
    assertThat(mariadb.host()).isEqualTo("127.0.0.1");
    assertThat(mariadb.port()).isNotEqualTo(3306);
    assertThat(mariadb.adminUser()).isEqualTo("root");
    assertThat(mariadb.adminPassword()).hasSize(24);
    assertThat(mariadb.database()).isEqualTo("test");
    assertThat(mariadb.jdbcUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:" + mariadb.port() + "/test");
    assertThat(mariadb.mysqlJdbcUrl())
        .isEqualTo("jdbc:mysql://127.0.0.1:" + mariadb.port() + "/test");
    assertThat(mariadb.logFile()).exists();
  }

  @Test
  void theAdminRunsSqlInTheTestDatabaseOverTcp() {
    assertThat(mariadb.execute("SELECT DATABASE(), CURRENT_USER()"))
        .isEqualTo("test\troot@127.0.0.1");
    assertThat(mariadb.execute("SELECT @@port, @@max_connections"))
        .isEqualTo(mariadb.port() + "\t50");
    assertThatThrownBy(() -> mariadb.executeAs("root", "", "SELECT 1"))
        .isInstanceOf(ServerCommandException.class)
        .hasMessageContaining("Access denied");
  }

  @Test
  void aCreatedUserConnectsOverTcpWithItsPassword() {
    mariadb.createUser("app_user", "app-secret");

    assertThat(mariadb.executeAs("app_user", "app-secret", "SELECT 1")).isEqualTo("1");
    assertThat(
            mariadb.executeAs(
                "app_user",
                "app-secret",
                "CREATE TABLE t(x INT); INSERT INTO t VALUES (1), (2); SELECT SUM(x) FROM t"))
        .isEqualTo("3");
    assertThatThrownBy(() -> mariadb.executeAs("app_user", "wrong-secret", "SELECT 1"))
        .isInstanceOf(ServerCommandException.class)
        .hasMessageContaining("Access denied for user 'app_user'")
        .hasMessageNotContaining("wrong-secret");
  }

  @Test
  void aFailingStatementIsReported() {
    assertThatThrownBy(() -> mariadb.execute("SELECT * FROM no_such_table"))
        .isInstanceOfSatisfying(
            ServerCommandException.class, e -> assertThat(e.exitCode()).isNotZero())
        .hasMessageContaining("no_such_table' doesn't exist");
  }
}
