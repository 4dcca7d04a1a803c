package io.github.iamauth4j.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builders report configuration problems at once, naming the setting. */
class RdsEmulatorBuilderTest {

  @Test
  void startListsEveryMissingSetting() {
    assertThatThrownBy(() -> RdsPostgresEmulator.builder().start())
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(2)
                    .anySatisfy(p -> assertThat(p).startsWith("backend: is required"))
                    .anySatisfy(p -> assertThat(p).startsWith("backendAdmin: is required")));
    assertThatThrownBy(() -> RdsMySqlEmulator.builder().backend("127.0.0.1", 3306).start())
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(p -> assertThat(p).startsWith("backendAdmin: is required")));
  }

  @Test
  void settersRefuseBadValuesNamingTheSetting() {
    RdsPostgresEmulator.Builder pg = RdsPostgresEmulator.builder();
    assertThatThrownBy(() -> pg.region("us-east"))
        .hasMessageStartingWith("region: \"us-east\" is not an AWS region");
    assertThatThrownBy(() -> pg.backend("127.0.0.1", 0)).hasMessageStartingWith("backend: 0");
    assertThatThrownBy(() -> pg.port(70000)).hasMessageStartingWith("port: 70000");
    assertThatThrownBy(() -> pg.endpointHost("localhost:5432"))
        .hasMessageStartingWith("endpointHost:");
    assertThatThrownBy(() -> pg.allowedClockSkew(Duration.ofSeconds(-1)))
        .hasMessageStartingWith("allowedClockSkew:");
    RdsMySqlEmulator.Builder my = RdsMySqlEmulator.builder();
    assertThatThrownBy(() -> my.handshakeTimeout(Duration.ZERO))
        .hasMessageStartingWith("handshakeTimeout:");
    assertThatThrownBy(() -> my.grantDatabase("")).hasMessageStartingWith("grantDatabase:");
  }

  @Test
  void anEmulatorStartsWithoutContactingItsBackendAndDescribesItself() {
    try (RdsMySqlEmulator rds =
        RdsMySqlEmulator.builder()
            .backend("127.0.0.1", 1)
            .backendAdmin("root", "admin-secret")
            .region("eu-west-1")
            .start()) {
      assertThat(rds.port()).isPositive();
      assertThat(rds.target("app").signedHost()).isEqualTo("localhost:" + rds.port());
      assertThat(rds.verifier().expectedHost()).isEqualTo("localhost:" + rds.port());
      assertThat(rds.verifier().region()).isEqualTo("eu-west-1");
      assertThat(rds.toString())
          .contains("localhost:" + rds.port())
          .contains(rds.caPemFile().toString())
          .doesNotContain("admin-secret");
      assertThat(rds.jdbcUrl("test"))
          .startsWith("jdbc:mariadb://localhost:" + rds.port() + "/test?sslMode=verify-full");
      assertThat(rds.mysqlJdbcUrl("test"))
          .startsWith("jdbc:mysql://localhost:" + rds.port() + "/test?sslMode=VERIFY_IDENTITY");
    }
  }

  @Test
  void awaitCloseReturnsOnceClosed() throws Exception {
    RdsPostgresEmulator rds =
        RdsPostgresEmulator.builder()
            .backend("127.0.0.1", 1)
            .backendAdmin("postgres", "admin-secret")
            .start();
    Thread waiter =
        new Thread(
            () -> {
              try {
                rds.awaitClose();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    waiter.start();

    rds.close();
    waiter.join(Duration.ofSeconds(30).toMillis());

    assertThat(waiter.isAlive()).isFalse();
    assertThat(rds.connectionString("app", "test"))
        .contains("sslmode=verify-full")
        .contains("sslrootcert=" + rds.caPemFile());
  }

  @Test
  void passwordUsersAreCheckedWithoutShowingThePassword() {
    RdsMySqlEmulator.Builder b = RdsMySqlEmulator.builder();
    assertThatThrownBy(() -> b.passwordUser("legacy", ""))
        .hasMessageStartingWith("passwordUser: the password of \"legacy\" is empty");
    assertThatThrownBy(() -> b.iamUser("")).hasMessageStartingWith("iamUser: \"\"");
    assertThatThrownBy(
            () ->
                RdsPostgresEmulator.builder()
                    .backend("127.0.0.1", 5432)
                    .backendAdmin("postgres", "admin-pw")
                    .passwordUser("postgres", "other-pw")
                    .start())
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(
                        p ->
                            assertThat(p)
                                .startsWith("passwordUser: \"postgres\" is the backend admin")
                                .doesNotContain("other-pw")));
  }

  @Test
  void aUserGrantedIamLogsInWithATokenOnlyAndARevokedOneNotAtAll() {
    RdsUsers users =
        new RdsUsers(java.util.Set.of("both"), java.util.Map.of("both", "p1", "legacy", "p2"));

    assertThat(users.mode("app")).isEqualTo(RdsUsers.Mode.IAM);
    assertThat(users.mode("both")).isEqualTo(RdsUsers.Mode.IAM);
    assertThat(users.mode("legacy")).isEqualTo(RdsUsers.Mode.PASSWORD);
    users.revokeIam("both");
    users.revokeIam("app");
    assertThat(users.mode("both")).isEqualTo(RdsUsers.Mode.PASSWORD);
    assertThat(users.mode("app")).isEqualTo(RdsUsers.Mode.NONE);
    users.removePassword("legacy");
    assertThat(users.mode("legacy")).isEqualTo(RdsUsers.Mode.NONE);
    assertThat(users.toString()).doesNotContain("p1").doesNotContain("p2");
  }
}
