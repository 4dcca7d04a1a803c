package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.jdbc.awswrapper.IamAwsWrapper;
import io.github.iamauth4j.jdbc.hikari.IamHikari;
import io.github.iamauth4j.jdbc.pgjdbc.IamAuthenticationPlugin;
import io.github.iamauth4j.testkit.rds.RdsMySqlEmulator;
import io.github.iamauth4j.testkit.rds.RdsPostgresEmulator;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import software.amazon.jdbc.plugin.failover.FailoverConnectionPluginFactory;

/**
 * What must not connect: plaintext is refused before any token is sent (the emulators see no
 * authentication attempt, mostly not even a connection), and expired or wrongly signed tokens are
 * rejected by the emulators with RDS's own errors, which reach the caller unchanged.
 */
class RefusalsIT {
  private static RdsPostgresEmulator pg;
  private static RdsMySqlEmulator mysql;

  @BeforeAll
  static void start() {
    pg = Backends.rdsPostgres();
    mysql = Backends.rdsMySql();
  }

  @AfterAll
  static void stop() {
    pg.close();
    mysql.close();
  }

  @AfterEach
  void closeSharedProviders() {
    IamDriver.closeSharedTokenProviders();
  }

  private static Properties app(String... kv) {
    Properties p = new Properties();
    p.setProperty("user", "app");
    p.setProperty("iamRegion", "us-east-1");
    p.setProperty("iamCredentialsProvider", ExampleCredentialsProvider.class.getName());
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  @Test
  void plaintextIsRefusedBeforeConnectingByEveryWayIn() {
    long pgOpened = pg.stats().connectionsOpened();
    long mysqlOpened = mysql.stats().connectionsOpened();
    String pgBase = "localhost:" + pg.port() + "/test";
    String myBase = "localhost:" + mysql.port() + "/test";
    IamJdbcConfig config =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .region("us-east-1")
                    .credentialsProvider(TrustedCredentials.example().asProvider()))
            .build();

    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                    "jdbc:iamauth4j:postgresql://" + pgBase + "?sslmode=disable", app()))
        .isInstanceOf(SQLException.class)
        .cause()
        .isInstanceOfSatisfying(
            InsecureConnectionException.class, e -> assertThat(e.setting()).isEqualTo("sslmode"));
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                    "jdbc:iamauth4j:mariadb://" + myBase + "?sslMode=disable", app()))
        .hasCauseInstanceOf(InsecureConnectionException.class)
        .hasMessageContaining("sslMode:");
    assertThatThrownBy(
            () ->
                IamDataSource.builder()
                    .url("jdbc:mysql://" + myBase + "?useSSL=false")
                    .user("app")
                    .config(config)
                    .build())
        .isInstanceOf(InsecureConnectionException.class);
    HikariConfig h = new HikariConfig();
    h.setJdbcUrl("jdbc:mysql://" + myBase + "?sslMode=PREFERRED");
    h.setUsername("app");
    assertThatThrownBy(() -> IamHikari.configure(h, config))
        .isInstanceOf(InsecureConnectionException.class);
    IamAwsWrapper.registerProfile(
        "iamauth4j-refusals", List.of(FailoverConnectionPluginFactory.class));
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                    "jdbc:aws-wrapper:postgresql://" + pgBase,
                    app("wrapperProfileName", "iamauth4j-refusals", "sslmode", "allow")))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("sslmode:");

    assertThat(pg.stats().connectionsOpened()).isEqualTo(pgOpened);
    assertThat(mysql.stats().connectionsOpened()).isEqualTo(mysqlOpened);
  }

  @Test
  void pgjdbcsPluginRefusesToAnswerWhenTlsIsOnlyPreferred() {
    long opened = pg.stats().connectionsOpened();
    long accepted = pg.stats().authenticationsAccepted();
    long rejected = pg.stats().authenticationsRejected();
    Properties p =
        app(
            "sslmode",
            "prefer",
            "authenticationPluginClassName",
            IamAuthenticationPlugin.class.getName());
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                    "jdbc:postgresql://localhost:" + pg.port() + "/test", p))
        .isInstanceOf(PSQLException.class)
        .hasMessageContaining("sslmode: \"prefer\" does not guarantee TLS")
        .hasCauseInstanceOf(InsecureConnectionException.class);
    // pgjdbc had connected and the server had asked for the password: no token was sent.
    assertThat(pg.stats().connectionsOpened()).isGreaterThan(opened);
    assertThat(pg.stats().authenticationsAccepted()).isEqualTo(accepted);
    assertThat(pg.stats().authenticationsRejected()).isEqualTo(rejected);
  }

  @Test
  void theLoudOptOutLetsAPlaintextAttemptThroughToTheServer() {
    long refused = pg.plaintextStartupsRefused();
    long accepted = pg.stats().authenticationsAccepted();
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                    "jdbc:iamauth4j:postgresql://localhost:"
                        + pg.port()
                        + "/test?sslmode=disable&iamAllowPlaintextForLocalTesting=true",
                    app()))
        .isInstanceOf(PSQLException.class)
        .hasMessageContaining("no encryption");
    // The emulator (like RDS with rds.force_ssl) refused the startup before asking for a password.
    assertThat(pg.plaintextStartupsRefused()).isEqualTo(refused + 1);
    assertThat(pg.stats().authenticationsAccepted()).isEqualTo(accepted);
  }

  @Test
  void anExpiredTokenIsRejectedWithRdsOwnPostgresError() throws Exception {
    // A client clock 20 minutes slow: its tokens look fresh to it and are expired for the server.
    IamJdbcConfig slowClock =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .region("us-east-1")
                    .credentialsProvider(TrustedCredentials.example().asProvider())
                    .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-20))))
            .caBundle(pg.caPemFile())
            .build();
    try (IamDataSource ds =
        IamDataSource.builder()
            .url("jdbc:postgresql://localhost:" + pg.port() + "/test")
            .user("app")
            .config(slowClock)
            .build()) {
      assertThatThrownBy(ds::getConnection)
          .isInstanceOf(PSQLException.class)
          .hasMessageContaining("PAM authentication failed for user \"app\"")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("X-Amz-"));
    }
    assertThat(pg.stats().rejected(Rejection.EXPIRED)).isEqualTo(1);
  }

  @Test
  void aWronglySignedTokenIsRejectedWithRdsOwnMySqlError() throws Exception {
    IamJdbcConfig wrongKey =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .region("us-east-1")
                    .credentialsProvider(
                        TrustedCredentials.of(
                                "AKIAIOSFODNN7EXAMPLE", "not-the-trusted-secret-key-00000000")
                            .asProvider()))
            .caBundle(mysql.caPemFile())
            .build();
    for (String engine : List.of("mysql", "mariadb")) {
      try (IamDataSource ds =
          IamDataSource.builder()
              .url("jdbc:" + engine + "://localhost:" + mysql.port() + "/test")
              .user("app")
              .config(wrongKey)
              .build()) {
        assertThatThrownBy(
                () -> {
                  try (Connection c = ds.getConnection()) {
                    c.isValid(1);
                  }
                })
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("Access denied for user 'app'")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("X-Amz-"));
      }
    }
    assertThat(mysql.stats().rejected(Rejection.BAD_SIGNATURE)).isEqualTo(2);
  }

  @Test
  void aMisspelledOrHostileProfileStopsAPoolAtStartWithOneLineThatEchoesNothingHostile()
      throws Exception {
    long opened = pg.stats().connectionsOpened();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (String profile : List.of("prodd", "x\nevil.example")) {
        // The user's path: a pool given the URL and a user name (what Spring Boot hands HikariCP).
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(
            "jdbc:iamauth4j:postgresql://localhost:"
                + pg.port()
                + "/test?iamRegion=us-east-1&iamCaBundle="
                + pg.caPemFile());
        h.addDataSourceProperty("iamProfile", profile);
        h.setUsername("app");
        assertThatThrownBy(() -> new HikariDataSource(h).close())
            .isInstanceOf(HikariPool.PoolInitializationException.class)
            .cause()
            // Not transient: a pool must not retry a configuration error forever.
            .isInstanceOfSatisfying(
                SQLInvalidAuthorizationSpecException.class,
                e -> assertThat(e.getSQLState()).isEqualTo("28000"))
            .hasMessageContaining("iamProfile: ")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "evil.example"));
      }
    } finally {
      System.setErr(err);
    }
    // No token provider was made, so nothing logs an ERROR or retries in the background; HikariCP's
    // own log line carries the escaped message only.
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .doesNotContain("\nevil.example")
        .doesNotContain("IamTokenProvider");
    assertThat(pg.stats().connectionsOpened()).isEqualTo(opened);
  }
}
