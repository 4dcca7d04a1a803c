package io.github.iamauth4j.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresServerIT {
  private static PostgresServer postgres;

  @BeforeAll
  static void start() {
    postgres = PostgresServer.builder().setting("log_connections", "on").start();
  }

  @AfterAll
  static void stop() {
    Path dir = postgres.directory();
    postgres.close();
    assertThat(dir).doesNotExist();
  }

  @Test
  void describesItself() {
    assertThat(postgres.host()).isEqualTo("127.0.0.1");
    assertThat(postgres.port()).isNotEqualTo(5432);
    assertThat(postgres.superuser()).isEqualTo("postgres");
    assertThat(postgres.superuserPassword()).hasSize(24);
    assertThat(postgres.database()).isEqualTo("test");
    assertThat(postgres.jdbcUrl())
        .isEqualTo("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/test");
    assertThat(postgres.logFile()).exists();
  }

  @Test
  void theSuperuserRunsSqlInTheTestDatabase() {
    assertThat(postgres.execute("select current_database(), current_user"))
        .isEqualTo("test|postgres");
    assertThat(postgres.execute("show fsync")).isEqualTo("off");
    assertThat(postgres.execute("show log_connections")).isEqualTo("on");
  }

  @Test
  void aCreatedUserConnectsOverTcpWithItsPassword() {
    postgres.createUser("app_user", "app-secret");

    assertThat(postgres.executeAs("app_user", "app-secret", "select 1")).isEqualTo("1");
    assertThat(
            postgres.executeAs(
                "app_user",
                "app-secret",
                "create table t(x int); insert into t values (1), (2); select sum(x) from t"))
        .isEqualTo("3");
    assertThat(
            postgres.execute(
                "select auth_method from pg_hba_file_rules where address = '127.0.0.1'"
                    + " and 'all' = any(database)"))
        .isEqualTo("scram-sha-256");
    assertThatThrownBy(() -> postgres.executeAs("app_user", "wrong-secret", "select 1"))
        .isInstanceOf(ServerCommandException.class)
        .hasMessageContaining("password authentication failed for user \"app_user\"")
        .hasMessageNotContaining("wrong-secret");
  }

  @Test
  void aFailingStatementIsReported() {
    assertThatThrownBy(() -> postgres.execute("select * from no_such_table"))
        .isInstanceOfSatisfying(
            ServerCommandException.class, e -> assertThat(e.exitCode()).isNotZero())
        .hasMessageContaining("relation \"no_such_table\" does not exist");
  }

  @Test
  void anotherDatabaseCanBeChosen() {
    try (PostgresServer other = PostgresServer.builder().database("orders").start()) {
      assertThat(other.execute("select current_database()")).isEqualTo("orders");
      assertThat(other.port()).isNotEqualTo(postgres.port());
    }
  }
}
