package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.iamauth4j.core.FallbackPassword;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthEvent.PasswordFallback.Reason;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.jdbc.hikari.IamHikari;
import io.github.iamauth4j.jdbc.hikari.IamHikariCredentialsProvider;
import io.github.iamauth4j.testkit.rds.RdsPostgresEmulator;
import io.github.iamauth4j.testkit.server.PostgresServer;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * A migration from a database password to IAM (issue 13), against the RDS for PostgreSQL emulator
 * holding both users: {@code app} granted {@code rds_iam} and {@code app_legacy} with its password.
 * IAM first; IAM broken three ways (wrong region, credentials gone past the token's life, IAM
 * revoked from the user) and every connection still succeeds on the password, each fallback
 * reported and counted; IAM fixed and new connections are on IAM again, without a restart. No
 * password or token in the captured log.
 */
class PasswordFallbackIT {
  private static final String LEGACY_PASSWORD = "Legacy-Pa55-not-in-logs";

  private static RdsPostgresEmulator rds;
  private static final AtomicBoolean credentialsGone = new AtomicBoolean();
  private static final AwsCredentialsProvider switchable =
      new AwsCredentialsProvider() {
        final AwsCredentialsProvider real = TrustedCredentials.example().asProvider();

        @Override
        public AwsCredentials resolveCredentials() {
          if (credentialsGone.get()) {
            throw new IllegalStateException("credentials gone");
          }
          return real.resolveCredentials();
        }
      };

  private final List<IamAuthEvent.PasswordFallback> fallbacks = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    PostgresServer pg = Backends.postgres();
    rds =
        RdsPostgresEmulator.builder()
            .backend(pg.host(), pg.port())
            .backendAdmin(pg.superuser(), pg.superuserPassword())
            .iamUser("app")
            .passwordUser("app_legacy", LEGACY_PASSWORD)
            .start();
  }

  @AfterAll
  static void stop() {
    rds.close();
  }

  @AfterEach
  void reset() {
    credentialsGone.set(false);
    rds.addIamUser("app");
    IamDriver.closeSharedTokenProviders();
  }

  private IamAuthConfig.Builder auth(String region, Duration expiry) {
    return IamAuthConfig.builder()
        .region(region)
        .credentialsProvider(switchable)
        .expiry(expiry)
        .safetyMargin(Duration.ofMillis(100))
        .refreshBeforeExpiry(expiry.dividedBy(2))
        .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
        .firstTokenTimeout(Duration.ofSeconds(2))
        .listener(
            e -> {
              if (e instanceof IamAuthEvent.PasswordFallback f) {
                fallbacks.add(f);
              }
            })
        .passwordFallback(
            FallbackPassword.fromSupplier("app_legacy", () -> LEGACY_PASSWORD)
                .retryIamAfter(Duration.ofMillis(500)));
  }

  private IamDataSource dataSource(String region, Duration expiry) {
    return IamDataSource.builder()
        .url("jdbc:postgresql://localhost:" + rds.port() + "/test")
        .user("app")
        .config(
            IamJdbcConfig.builder().auth(auth(region, expiry)).caBundle(rds.caPemFile()).build())
        .build();
  }

  static String currentUser(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select current_user")) {
      assertThat(r.next()).isTrue();
      return r.getString(1);
    }
  }

  private static String user(IamDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return currentUser(c);
    }
  }

  @Test
  void withIamWorkingNothingFallsBack() throws Exception {
    try (IamDataSource ds = dataSource("us-east-1", Duration.ofMinutes(15))) {
      for (int i = 0; i < 5; i++) {
        assertThat(user(ds)).isEqualTo("app");
      }
      PasswordFallbacks.Stats stats = ds.tokenProvider().passwordFallbacks().stats();
      assertThat(stats.iamAuthentications()).isEqualTo(5);
      assertThat(stats.totalFallbacks()).isZero();
    }
    assertThat(fallbacks).isEmpty();
  }

  @Test
  void aTokenRefusedForItsRegionFallsBackInTheSameAttempt() throws Exception {
    try (IamDataSource ds = dataSource("us-west-2", Duration.ofMinutes(15))) {
      assertThat(user(ds)).isEqualTo("app_legacy");
      // IAM is set aside: the next connections go straight to the password, without a refusal.
      long refusedBefore = rds.metrics().authenticationFailures();
      assertThat(user(ds)).isEqualTo("app_legacy");
      assertThat(rds.metrics().authenticationFailures()).isEqualTo(refusedBefore);
      assertThat(fallbacks)
          .extracting(IamAuthEvent.PasswordFallback::reason)
          .containsOnly(Reason.TOKEN_REFUSED);
      assertThat(ds.tokenProvider().passwordFallbacks().stats().passwordAuthentications())
          .isEqualTo(2);
    }
  }

  @Test
  void credentialsGonePastTheTokensLifeFallBackThenIamReturns() throws Exception {
    try (IamDataSource ds = dataSource("us-east-1", Duration.ofSeconds(2))) {
      assertThat(user(ds)).isEqualTo("app");
      credentialsGone.set(true);
      // Connections stay on IAM until the token's whole life has passed, then use the password.
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> "app_legacy".equals(user(ds)));
      assertThat(user(ds)).isEqualTo("app_legacy");
      assertThat(fallbacks)
          .extracting(IamAuthEvent.PasswordFallback::reason)
          .containsOnly(Reason.NO_USABLE_TOKEN);

      credentialsGone.set(false);
      await("back on IAM once credentials return")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> "app".equals(user(ds)));
    }
  }

  @Test
  void iamRevokedFromTheUserFallsBackAndIamReturnsWhenGrantedAgain() throws Exception {
    try (IamDataSource ds = dataSource("us-east-1", Duration.ofMinutes(15))) {
      assertThat(user(ds)).isEqualTo("app");
      rds.removeIamUser("app");
      for (int i = 0; i < 3; i++) {
        assertThat(user(ds)).isEqualTo("app_legacy");
      }
      rds.addIamUser("app");
      await("IAM no longer set aside (retryIamAfter passed)")
          .atMost(Duration.ofSeconds(5))
          .until(() -> ds.tokenProvider().passwordFallbacks().iamSetAsideUntil() == null);
      assertThat(user(ds)).isEqualTo("app");
      PasswordFallbacks.Stats stats = ds.tokenProvider().passwordFallbacks().stats();
      assertThat(stats.fallbacks()).containsEntry(Reason.TOKEN_REFUSED, 3L);
      assertThat(stats.iamAuthentications()).isEqualTo(2);
    }
  }

  @Test
  void theUrlDriverAndAHikariPoolFallBackTooAndNoSecretIsLogged() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream err = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    String token;
    try {
      rds.removeIamUser("app");
      String url =
          "jdbc:iamauth4j:postgresql://localhost:"
              + rds.port()
              + "/test?"
              + Backends.iamParams()
              + "&iamCaBundle="
              + rds.caPemFile()
              + "&iamFallbackUser=app_legacy&iamFallbackPasswordFile="
              + passwordFile();
      try (Connection c = DriverManager.getConnection(url, "app", null)) {
        assertThat(currentUser(c)).isEqualTo("app_legacy");
      }

      HikariConfig h = new HikariConfig();
      h.setJdbcUrl("jdbc:postgresql://localhost:" + rds.port() + "/test");
      h.setUsername("app");
      h.setMaximumPoolSize(2);
      try (IamHikariCredentialsProvider p =
              IamHikari.configure(
                  h,
                  IamJdbcConfig.builder()
                      .auth(auth("us-east-1", Duration.ofMinutes(15)))
                      .caBundle(rds.caPemFile())
                      .build());
          HikariDataSource pool = new HikariDataSource(h)) {
        try (Connection c = pool.getConnection()) {
          assertThat(currentUser(c)).isEqualTo("app_legacy");
        }
        token = p.tokenProvider().token().value();
      }
    } finally {
      System.setErr(err);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log)
        .contains("authenticated with the fallback password of user app_legacy")
        .contains("password fallback is on")
        .doesNotContain(LEGACY_PASSWORD)
        .doesNotContain(token);
  }

  @Test
  void mysqlAccessDeniedFallsBackToo() throws Exception {
    io.github.iamauth4j.testkit.server.MariaDbServer db = Backends.mariadb();
    try (io.github.iamauth4j.testkit.rds.RdsMySqlEmulator mysql =
            io.github.iamauth4j.testkit.rds.RdsMySqlEmulator.builder()
                .backend(db.host(), db.port())
                .backendAdmin(db.adminUser(), db.adminPassword())
                .grantDatabase(db.database())
                .iamUser("app")
                .passwordUser("app_legacy", LEGACY_PASSWORD)
                .start();
        IamDataSource ds =
            IamDataSource.builder()
                .url("jdbc:mariadb://localhost:" + mysql.port() + "/" + db.database())
                .user("app")
                .config(
                    IamJdbcConfig.builder()
                        .auth(auth("us-east-1", Duration.ofMinutes(15)))
                        .caBundle(mysql.caPemFile())
                        .build())
                .build()) {
      assertThat(mysqlUser(ds)).isEqualTo("app");
      mysql.removeIamUser("app");
      assertThat(mysqlUser(ds)).isEqualTo("app_legacy");
      assertThat(fallbacks)
          .extracting(IamAuthEvent.PasswordFallback::reason)
          .containsExactly(Reason.TOKEN_REFUSED);
      assertThat(fallbacks.get(0).detail())
          .contains("Access denied")
          .doesNotContain(LEGACY_PASSWORD);
    }
  }

  private static String mysqlUser(IamDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select current_user()")) {
      assertThat(r.next()).isTrue();
      return r.getString(1).replaceAll("@.*", "");
    }
  }

  private static String passwordFile() throws Exception {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("legacy", ".pw");
    f.toFile().deleteOnExit();
    java.nio.file.Files.writeString(f, LEGACY_PASSWORD + "\n");
    return f.toString();
  }
}
