package io.github.iamauth4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.iamauth4j.jdbc.IamDriver;
import io.github.iamauth4j.micrometer.IamAuthMeterBinder;
import io.github.iamauth4j.testkit.rds.RdsPostgresEmulator;
import io.github.iamauth4j.testkit.server.PostgresServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Data sources through Boot's own data source auto-configuration, against the RDS PostgreSQL
 * emulator (TLS, verify-full against its CA): by spring.datasource.url=jdbc:iamauth4j:… and a user
 * name alone, and by the driver's own URL with HikariCP 7's credentials provider.
 */
class DataSourceIT {
  private static PostgresServer pg;
  private static RdsPostgresEmulator rds;

  @BeforeAll
  static void start() {
    assertThat(TestApp.bootVersion()).isEqualTo(System.getProperty("iamauth4j.boot.expected"));
    pg = PostgresServer.builder().start();
    rds =
        RdsPostgresEmulator.builder()
            .backend(pg.host(), pg.port())
            .backendAdmin(pg.superuser(), pg.superuserPassword())
            .region("us-east-1")
            .start();
  }

  @AfterAll
  static void stop() {
    if (rds != null) {
      rds.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  /** Queries as the IAM user on connections the pool keeps replacing; none may fail. */
  static void queriesAcrossReplacedConnections(ConfigurableApplicationContext app) {
    JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
    HikariDataSource pool = (HikariDataSource) app.getBean(DataSource.class);
    long opened = rds.stats().connectionsOpened();
    List<String> users = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < 10; i++) {
        users.add(jdbc.queryForObject("select current_user", String.class));
      }
      pool.getHikariPoolMXBean().softEvictConnections();
    }
    assertThat(users).hasSize(40).containsOnly("app");
    assertThat(rds.stats().connectionsOpened() - opened)
        .as("connections opened through the emulator")
        .isGreaterThanOrEqualTo(4);
    assertThat(rds.stats().authenticationsRejected()).isZero();
  }

  @Test
  void urlAndUserNameAloneThroughBootsOwnDataSource() {
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(
                "spring.datasource.url=jdbc:iamauth4j:postgresql://localhost:"
                    + rds.port()
                    + "/"
                    + pg.database(),
                "spring.datasource.username=app",
                // Instead of the URL's iamRegion and iamCaBundle parameters:
                "iamauth4j.datasource.region=us-east-1",
                "iamauth4j.datasource.ca-bundle=" + rds.caPemFile()))) {
      assertThat(app.getEnvironment().getProperty("spring.datasource.driver-class-name"))
          .isEqualTo(IamDataSourceEnvironmentPostProcessor.DRIVER);
      assertThat(app.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class);
      queriesAcrossReplacedConnections(app);
    }
  }

  @Test
  void driverUrlWithHikari7CredentialsProviderHealthAndMeters() throws Exception {
    // A fresh shared provider (the URL driver's from another test would already hold a token), so
    // that the token this app's provider signs is its first and must be counted.
    IamDriver.closeSharedTokenProviders();
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(
                "spring.datasource.url=jdbc:postgresql://localhost:"
                    + rds.port()
                    + "/"
                    + pg.database(),
                "spring.datasource.username=app",
                "iamauth4j.datasource.enabled=true",
                "iamauth4j.datasource.region=us-east-1",
                "iamauth4j.datasource.ca-bundle=" + rds.caPemFile()))) {
      HikariDataSource pool = (HikariDataSource) app.getBean(DataSource.class);
      assertThat(pool.getCredentialsProvider()).isNotNull();
      queriesAcrossReplacedConnections(app);

      MeterRegistry registry = app.getBean(MeterRegistry.class);
      assertThat(
              registry
                  .get(IamAuthMeterBinder.TOKENS_ISSUED)
                  .tags("kind", "rds", "user", "app")
                  .functionCounter()
                  .count())
          .isGreaterThanOrEqualTo(1);
      assertThat(
              registry
                  .get(IamAuthMeterBinder.TOKEN_REMAINING)
                  .tags("kind", "rds", "user", "app")
                  .timeGauge()
                  .value(java.util.concurrent.TimeUnit.SECONDS))
          .isGreaterThan(0);
      TestApp.HealthView health = TestApp.health(app, "iamauth4jDataSource");
      assertThat(health.status()).isEqualTo("UP");
      assertThat(health.details()).containsKey("tokenRemainingLife");
      assertThat(TestApp.metricNames(app)).contains(IamAuthMeterBinder.TOKEN_REMAINING);
    }
  }
}
