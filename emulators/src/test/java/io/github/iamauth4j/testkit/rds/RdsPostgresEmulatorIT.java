package io.github.iamauth4j.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenGenerator;
import io.github.iamauth4j.testkit.net.AuthMetrics;
import io.github.iamauth4j.testkit.server.PostgresServer;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;

/**
 * The PostgreSQL emulator in front of a real PostgreSQL, judged by independent clients: Debian's
 * {@code psql} (libpq) and pgjdbc, both verifying the emulator's certificate ({@code verify-full}).
 */
class RdsPostgresEmulatorIT {
  private static final String REGION = "us-east-1";
  private static final String PAM = "PAM authentication failed for user \"app\"";

  private static final String LEGACY_PASSWORD = "legacy-pw-9d1e";
  private static final String BOTH_PASSWORD = "both-pw-4c0a";

  private static PostgresServer postgres;
  private static RdsPostgresEmulator rds;

  @BeforeAll
  static void start() {
    postgres = PostgresServer.builder().start();
    rds =
        RdsPostgresEmulator.builder()
            .backend(postgres.host(), postgres.port())
            .backendAdmin(postgres.superuser(), postgres.superuserPassword())
            .region(REGION)
            .trust(TrustedCredentials.example())
            .passwordUser("legacy", LEGACY_PASSWORD)
            .passwordUser("both", BOTH_PASSWORD)
            .iamUser("both")
            .start();
  }

  @AfterAll
  static void stop() {
    if (rds != null) {
      rds.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private static String token(String user) {
    return token(rds.target(user), REGION, Instant.now(), TrustedCredentials.example());
  }

  private static String token(
      IamTarget target, String region, Instant at, TrustedCredentials credentials) {
    return IamTokenGenerator.builder()
        .target(target)
        .region(region)
        .credentialsProvider(credentials.asProvider())
        .build()
        .generate(at)
        .value();
  }

  private static Programs.Result psql(String connectionString, String password, String sql) {
    return Programs.run(
        List.of(Programs.find("psql"), "-X", "-A", "-t", "-d", connectionString, "-c", sql),
        Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "20"));
  }

  private static Connection jdbc(String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return DriverManager.getConnection(rds.jdbcUrl("test"), p);
  }

  @Test
  void psqlLogsInWithAValidTokenAsTheIamUser() {
    long accepted = rds.stats().authenticationsAccepted();

    Programs.Result r =
        psql(
            rds.connectionString("app", "test"),
            token("app"),
            "select current_user, ssl" + " from pg_stat_ssl where pid = pg_backend_pid()");

    assertThat(r.exitCode).as(r.toString()).isZero();
    // The backend sees the emulator's plaintext connection; the client's TLS ends at the emulator.
    assertThat(r.stdout).isEqualTo("app|f");
    assertThat(rds.stats().authenticationsAccepted()).isEqualTo(accepted + 1);
  }

  @Test
  void psqlIsRefusedWithRdsPamErrorForEveryBadToken() {
    Instant now = Instant.now();
    TrustedCredentials stranger =
        TrustedCredentials.of("AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY");
    Map<Rejection, String> cases =
        Map.of(
            Rejection.EXPIRED,
            token(
                rds.target("app"),
                REGION,
                now.minus(Duration.ofMinutes(20)),
                TrustedCredentials.example()),
            Rejection.WRONG_REGION,
            token(rds.target("app"), "eu-west-1", now, TrustedCredentials.example()),
            Rejection.WRONG_USER,
            token("other"),
            Rejection.WRONG_HOST,
            token(
                IamTarget.rds("localhost", rds.port() + 1, "app"),
                REGION,
                now,
                TrustedCredentials.example()),
            Rejection.UNKNOWN_ACCESS_KEY,
            token(rds.target("app"), REGION, now, stranger),
            Rejection.MALFORMED,
            "not-a-token");
    Map<Rejection, Long> before = rds.stats().rejectionsByReason();
    long accepted = rds.stats().authenticationsAccepted();

    List<String> failures = new ArrayList<>();
    cases.forEach(
        (reason, token) -> {
          Programs.Result r = psql(rds.connectionString("app", "test"), token, "select 1");
          if (r.exitCode == 0 || !r.stderr.contains("FATAL:  " + PAM)) {
            failures.add(reason + ": " + r);
          }
        });

    assertThat(failures).isEmpty();
    for (Rejection reason : cases.keySet()) {
      assertThat(rds.stats().rejected(reason))
          .as(reason.toString())
          .isEqualTo(before.getOrDefault(reason, 0L) + 1);
    }
    assertThat(rds.stats().authenticationsAccepted()).isEqualTo(accepted);
  }

  @Test
  void aPlaintextStartupIsRefusedAsWithForceSsl() {
    long refused = rds.plaintextStartupsRefused();
    String plaintext =
        "host=localhost hostaddr=127.0.0.1 port="
            + rds.port()
            + " user=app dbname=test sslmode=disable";

    Programs.Result r = psql(plaintext, token("app"), "select 1");

    assertThat(r.exitCode).as(r.toString()).isNotZero();
    assertThat(r.stderr)
        .contains(
            "FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"app\", database \"test\","
                + " no encryption");
    assertThat(rds.plaintextStartupsRefused()).isEqualTo(refused + 1);
  }

  @Test
  void pgjdbcVerifiesTheCertificateAndRunsSqlThroughTheRelay() throws Exception {
    try (Connection c = jdbc("app", token("app"));
        Statement s = c.createStatement()) {
      s.execute("create table if not exists orders(id int primary key, item text)");
      s.execute("truncate orders");
      try (PreparedStatement insert =
          c.prepareStatement("insert into orders(id, item) values (?, ?)")) {
        for (int i = 1; i <= 3; i++) {
          insert.setInt(1, i);
          insert.setString(2, "item-" + i);
          insert.addBatch();
        }
        assertThat(insert.executeBatch()).containsExactly(1, 1, 1);
      }
      // Extended protocol with parameters, prepared server-side after 5 uses.
      try (PreparedStatement q =
          c.prepareStatement("select item, current_user from orders where id = ?")) {
        for (int i = 0; i < 6; i++) {
          q.setInt(1, 2);
          try (ResultSet rs = q.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("item-2");
            assertThat(rs.getString(2)).isEqualTo("app");
          }
        }
      }
      // COPY, both ways.
      long copied =
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(
                  "COPY orders FROM STDIN (FORMAT csv)", new StringReader("4,item-4\n5,item-5\n"));
      assertThat(copied).isEqualTo(2);
      try (ResultSet rs =
          s.executeQuery("select count(*), string_agg(item, ',' order by id) from orders")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(5);
        assertThat(rs.getString(2)).isEqualTo("item-1,item-2,item-3,item-4,item-5");
      }
    }
  }

  @Test
  void pgjdbcGetsRdsErrorForABadToken() {
    assertThatThrownBy(() -> jdbc("app", token("other")).close())
        .isInstanceOfSatisfying(
            PSQLException.class,
            e -> {
              assertThat(e.getSQLState()).isEqualTo("28P01");
              assertThat(e.getMessage()).contains(PAM);
            });
  }

  @Test
  void aCancelRequestIsForwardedToTheBackend() throws SQLException {
    try (Connection c = jdbc("app", token("app"));
        Statement s = c.createStatement()) {
      s.setQueryTimeout(1); // pgjdbc sends a CancelRequest on a new connection after 1 s.

      assertThatThrownBy(() -> s.execute("select pg_sleep(60)"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
      s.setQueryTimeout(0);
      try (ResultSet rs = s.executeQuery("select 42")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(42);
      }
    }
  }

  @Test
  void droppedConnectionsFailAndNewOnesSucceed() throws SQLException {
    long opened = rds.stats().connectionsOpened();
    try (Connection c = jdbc("app", token("app"))) {
      try (Statement s = c.createStatement()) {
        s.execute("select 1");
      }
      assertThat(rds.stats().openConnections()).isPositive();

      rds.dropAllConnections();

      assertThatThrownBy(
              () -> {
                try (Statement s = c.createStatement()) {
                  s.execute("select 1");
                }
              })
          .isInstanceOf(SQLException.class);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> rds.stats().openConnections() == 0);
    try (Connection again = jdbc("app", token("app"));
        Statement s = again.createStatement();
        ResultSet rs = s.executeQuery("select current_user")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("app");
    }
    assertThat(rds.stats().connectionsOpened()).isGreaterThanOrEqualTo(opened + 2);
  }

  @Test
  void largeValuesCrossTheRelayIntact() throws SQLException {
    try (Connection c = jdbc("app", token("app"));
        PreparedStatement q = c.prepareStatement("select md5(?), length(?)")) {
      String big = "x".repeat(3_000_000);
      q.setString(1, big);
      q.setString(2, big);
      try (ResultSet rs = q.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(md5(big));
        assertThat(rs.getInt(2)).isEqualTo(3_000_000);
      }
    }
  }

  private static String md5(String s) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("MD5")
                  .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void refusedConnectionsFailUntilAcceptedAgain() throws SQLException {
    long refused = rds.stats().connectionsRefused();
    rds.refuseNewConnections(Duration.ofMinutes(5));
    try {
      assertThatThrownBy(() -> jdbc("app", token("app")).close()).isInstanceOf(SQLException.class);
      assertThat(rds.stats().connectionsRefused()).isEqualTo(refused + 1);
    } finally {
      rds.acceptNewConnections();
    }
    try (Connection c = jdbc("app", token("app"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select 1")) {
      assertThat(rs.next()).isTrue();
    }
  }

  private static String currentUser(String user, String password) throws SQLException {
    try (Connection c = jdbc(user, password);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_user")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static void assertRefused(String user, String password, String message) {
    assertThatThrownBy(() -> jdbc(user, password).close())
        .isInstanceOfSatisfying(
            PSQLException.class,
            e -> {
              assertThat(e.getSQLState()).isEqualTo("28P01");
              assertThat(e.getMessage()).contains(message);
            });
  }

  @Test
  void aPasswordUserLogsInWithItsOwnPasswordJudgedByTheServer() throws SQLException {
    AuthMetrics before = rds.metrics();

    assertThat(currentUser("legacy", LEGACY_PASSWORD)).isEqualTo("legacy");
    assertRefused("legacy", "wrong", "password authentication failed for user \"legacy\"");
    // Not granted IAM: a token is only a wrong password.
    assertRefused("legacy", token("legacy"), "password authentication failed for user \"legacy\"");

    AuthMetrics after = rds.metrics();
    assertThat(after.passwordAuthentications() - before.passwordAuthentications()).isEqualTo(1);
    assertThat(after.authenticationFailures() - before.authenticationFailures()).isEqualTo(2);
    assertThat(rds.passwordUsers()).contains("legacy").doesNotContain("both");
  }

  @Test
  void aUserGrantedRdsIamCanNoLongerLogInWithItsPassword() throws SQLException {
    assertRefused("both", BOTH_PASSWORD, "PAM authentication failed for user \"both\"");
    assertThat(currentUser("both", token("both"))).isEqualTo("both");
  }

  @Test
  void revokingIamRefusesTokensWithThePamErrorAndGivesThePasswordBack() throws SQLException {
    assertThat(currentUser("revokee", token("revokee"))).isEqualTo("revokee");
    long unknown = rds.stats().rejected(Rejection.UNKNOWN_USER);

    rds.removeIamUser("revokee");
    rds.removeIamUser("both");
    try {
      assertRefused("revokee", token("revokee"), "PAM authentication failed for user \"revokee\"");
      assertThat(rds.stats().rejected(Rejection.UNKNOWN_USER)).isEqualTo(unknown + 1);
      assertThat(currentUser("both", BOTH_PASSWORD)).isEqualTo("both");
      assertRefused("both", token("both"), "password authentication failed for user \"both\"");
      assertThat(rds.iamRevokedUsers()).contains("revokee");
    } finally {
      rds.addIamUser("revokee");
      rds.addIamUser("both");
    }
    assertThat(currentUser("revokee", token("revokee"))).isEqualTo("revokee");
    assertRefused("both", BOTH_PASSWORD, "PAM authentication failed for user \"both\"");
  }

  @Test
  void aPasswordUserAddedAtRunTimeLogsInAndOneRemovedIsRefused() throws SQLException {
    rds.addPasswordUser("late", "late-pw-1");
    assertThat(currentUser("late", "late-pw-1")).isEqualTo("late");

    rds.removePasswordUser("late");

    assertRefused("late", "late-pw-1", "PAM authentication failed for user \"late\"");
    assertRefused("late", token("late"), "PAM authentication failed for user \"late\"");
  }

  @Test
  void describesEndpointAndCaWithoutSecrets() {
    assertThat(rds.toString())
        .contains("localhost:" + rds.port())
        .contains(rds.caPemFile().toString())
        .contains(REGION)
        .contains("password users [legacy]")
        .doesNotContain(LEGACY_PASSWORD)
        .doesNotContain(BOTH_PASSWORD)
        .doesNotContain(postgres.superuserPassword())
        .doesNotContain(TrustedCredentials.example().secretAccessKey());
  }
}
