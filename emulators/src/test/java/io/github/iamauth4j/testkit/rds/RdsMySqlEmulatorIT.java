package io.github.iamauth4j.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenGenerator;
import io.github.iamauth4j.testkit.net.AuthMetrics;
import io.github.iamauth4j.testkit.server.MariaDbServer;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
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

/**
 * The MySQL emulator in front of a real MariaDB, judged by independent clients: Debian's {@code
 * mariadb} client, MariaDB Connector/J and MySQL Connector/J, each verifying the emulator's
 * certificate and host name.
 */
class RdsMySqlEmulatorIT {
  private static final String REGION = "us-east-1";

  private static final String LEGACY_PASSWORD = "legacy-pw-2f8b";

  private static MariaDbServer mariadb;
  private static RdsMySqlEmulator rds;

  @BeforeAll
  static void start() {
    mariadb = MariaDbServer.builder().start();
    rds =
        RdsMySqlEmulator.builder()
            .backend(mariadb.host(), mariadb.port())
            .backendAdmin(mariadb.adminUser(), mariadb.adminPassword())
            .region(REGION)
            .trust(TrustedCredentials.example())
            .passwordUser("legacy", LEGACY_PASSWORD)
            .start();
  }

  @AfterAll
  static void stop() {
    if (rds != null) {
      rds.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
  }

  private static String token(String user) {
    return token(rds.target(user), REGION, Instant.now());
  }

  private static String token(IamTarget target, String region, Instant at) {
    return IamTokenGenerator.builder()
        .target(target)
        .region(region)
        .credentialsProvider(TrustedCredentials.example().asProvider())
        .build()
        .generate(at)
        .value();
  }

  private static String denied(String user) {
    return "Access denied for user '" + user + "'@'127.0.0.1' (using password: YES)";
  }

  /** Debian's mariadb client over TCP with TLS, verifying the certificate and host name. */
  private static Programs.Result mariadbCli(String user, String password, String sql) {
    return Programs.run(
        List.of(
            Programs.find("mariadb", "mysql"),
            "--no-defaults",
            "--protocol=TCP",
            "-h",
            "localhost",
            "-P",
            Integer.toString(rds.port()),
            "--ssl",
            "--ssl-ca=" + rds.caPemFile(),
            "--ssl-verify-server-cert",
            "-u",
            user,
            "-p" + password,
            "-D",
            "test",
            "-N",
            "-B",
            "-e",
            sql),
        Map.of());
  }

  private static Connection mariadbJdbc(String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("useServerPrepStmts", "true");
    return DriverManager.getConnection(rds.jdbcUrl("test"), p);
  }

  private static Connection mysqlJdbc(String user, String password, String... extra)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("useServerPrepStmts", "true");
    for (int i = 0; i + 1 < extra.length; i += 2) {
      p.setProperty(extra[i], extra[i + 1]);
    }
    return DriverManager.getConnection(rds.mysqlJdbcUrl("test"), p);
  }

  @Test
  void theMariadbClientLogsInWithAValidTokenAsTheIamUser() {
    long accepted = rds.stats().authenticationsAccepted();

    Programs.Result r = mariadbCli("app", token("app"), "select current_user()");

    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout).isEqualTo("app@%");
    assertThat(rds.stats().authenticationsAccepted()).isEqualTo(accepted + 1);
  }

  @Test
  void theMariadbClientIsDeniedLikeRdsForEveryBadToken() {
    Instant now = Instant.now();
    Map<Rejection, String> cases =
        Map.of(
            Rejection.EXPIRED,
            token(rds.target("app"), REGION, now.minus(Duration.ofMinutes(20))),
            Rejection.WRONG_REGION,
            token(rds.target("app"), "eu-west-1", now),
            Rejection.WRONG_USER,
            token("other"),
            Rejection.WRONG_HOST,
            token(IamTarget.rds("localhost", rds.port() + 1, "app"), REGION, now),
            Rejection.MALFORMED,
            "not-a-token");
    Map<Rejection, Long> before = rds.stats().rejectionsByReason();
    long accepted = rds.stats().authenticationsAccepted();

    List<String> failures = new ArrayList<>();
    cases.forEach(
        (reason, token) -> {
          Programs.Result r = mariadbCli("app", token, "select 1");
          if (r.exitCode == 0 || !r.stderr.contains("ERROR 1045 (28000): " + denied("app"))) {
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
  void aClientWithoutTlsIsRefusedAsWithRequireSecureTransport() {
    long refused = rds.plaintextConnectionsRefused();

    Programs.Result r =
        Programs.run(
            List.of(
                Programs.find("mariadb", "mysql"),
                "--no-defaults",
                "--protocol=TCP",
                "-h",
                "127.0.0.1",
                "-P",
                Integer.toString(rds.port()),
                "--skip-ssl",
                "-u",
                "app",
                "-p" + token("app"),
                "-e",
                "select 1"),
            Map.of());

    assertThat(r.exitCode).as(r.toString()).isNotZero();
    assertThat(r.stderr)
        .contains(
            "ERROR 3159 (HY000): Connections using insecure transport are prohibited while"
                + " --require_secure_transport=ON.");
    assertThat(rds.plaintextConnectionsRefused()).isEqualTo(refused + 1);
  }

  @Test
  void mariadbConnectorJRunsQueriesAndPreparedStatements() throws SQLException {
    try (Connection c = mariadbJdbc("app", token("app"));
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("select current_user(), database()")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("app@%");
        assertThat(rs.getString(2)).isEqualTo("test");
      }
      s.execute("create table if not exists orders_mariadb(id int primary key, item text)");
      s.execute("delete from orders_mariadb");
      try (PreparedStatement insert =
          c.prepareStatement("insert into orders_mariadb(id, item) values (?, ?)")) {
        for (int i = 1; i <= 3; i++) {
          insert.setInt(1, i);
          insert.setString(2, "item-" + i);
          assertThat(insert.executeUpdate()).isEqualTo(1);
        }
      }
      try (PreparedStatement q =
          c.prepareStatement("select item from orders_mariadb where id = ?")) {
        q.setInt(1, 2);
        try (ResultSet rs = q.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("item-2");
        }
      }
    }
  }

  @Test
  void mysqlConnectorJRunsQueriesAndPreparedStatements() throws SQLException {
    try (Connection c = mysqlJdbc("app", token("app"));
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("select current_user(), database()")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("app@%");
        assertThat(rs.getString(2)).isEqualTo("test");
      }
      s.execute("create table if not exists orders_mysql(id int primary key, item text)");
      s.execute("delete from orders_mysql");
      try (PreparedStatement insert =
          c.prepareStatement("insert into orders_mysql(id, item) values (?, ?)")) {
        for (int i = 1; i <= 3; i++) {
          insert.setInt(1, i);
          insert.setString(2, "item-" + i);
          assertThat(insert.executeUpdate()).isEqualTo(1);
        }
      }
      try (PreparedStatement q =
          c.prepareStatement("select count(*) from orders_mysql where id > ?")) {
        q.setInt(1, 1);
        try (ResultSet rs = q.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(2);
        }
      }
    }
  }

  @Test
  void aQueryTimeoutKillsTheQueryOnTheBackendConnectionTheClientSaw() throws SQLException {
    // Connector/J cancels with KILL QUERY <connection id from the greeting>, on a new connection:
    // the emulator's greeting carries the backend's own connection id.
    try (Connection c = mysqlJdbc("app", token("app"));
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("select connection_id()")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1))
            .isEqualTo(c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).getId());
      }
      s.setQueryTimeout(1);
      assertThatThrownBy(() -> s.executeQuery("select sleep(60)").close())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("timeout");
      s.setQueryTimeout(0);
      String big = "y".repeat(3_000_000);
      try (PreparedStatement q = c.prepareStatement("select length(?), md5(?)")) {
        q.setString(1, big);
        q.setString(2, big);
        try (ResultSet rs = q.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(3_000_000);
          assertThat(rs.getString(2)).hasSize(32);
        }
      }
    }
  }

  @Test
  void aClientThatStartsWithTheClearPasswordPluginNeedsNoSwitch() throws SQLException {
    try (Connection c =
            mysqlJdbc("app", token("app"), "defaultAuthenticationPlugin", "mysql_clear_password");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_user()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("app@%");
    }
  }

  @Test
  void connectorsGetRdsErrorForABadToken() {
    assertThatThrownBy(() -> mysqlJdbc("app", token("other")).close())
        .isInstanceOfSatisfying(
            SQLException.class,
            e -> {
              assertThat(e.getErrorCode()).isEqualTo(1045);
              assertThat(e.getSQLState()).isEqualTo("28000");
              assertThat(e.getMessage()).contains(denied("app"));
            });
    assertThatThrownBy(() -> mariadbJdbc("app", token("other")).close())
        .isInstanceOfSatisfying(
            SQLException.class,
            e -> {
              assertThat(e.getErrorCode()).isEqualTo(1045);
              assertThat(e.getMessage()).contains(denied("app"));
            });
  }

  @Test
  void droppedConnectionsFailAndNewOnesSucceed() throws SQLException {
    long opened = rds.stats().connectionsOpened();
    try (Connection c = mariadbJdbc("app", token("app"))) {
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
    try (Connection again = mariadbJdbc("app", token("app"));
        Statement s = again.createStatement();
        ResultSet rs = s.executeQuery("select current_user()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("app@%");
    }
    assertThat(rds.stats().connectionsOpened()).isGreaterThanOrEqualTo(opened + 2);
  }

  private static String currentUser(String user, String password) throws SQLException {
    try (Connection c = mariadbJdbc(user, password);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_user()")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static void assertDenied(String user, String password) {
    assertThatThrownBy(() -> mariadbJdbc(user, password).close())
        .isInstanceOfSatisfying(
            SQLException.class,
            e -> {
              assertThat(e.getErrorCode()).isEqualTo(1045);
              assertThat(e.getSQLState()).isEqualTo("28000");
              assertThat(e.getMessage())
                  .contains("Access denied for user '" + user + "'@'")
                  .contains("(using password: YES)");
            });
  }

  @Test
  void aPasswordUserLogsInWithItsOwnPasswordJudgedByTheServer() throws SQLException {
    AuthMetrics before = rds.metrics();

    assertThat(currentUser("legacy", LEGACY_PASSWORD)).isEqualTo("legacy@%");
    assertDenied("legacy", "wrong");
    assertDenied("legacy", token("legacy"));
    Programs.Result cli = mariadbCli("legacy", LEGACY_PASSWORD, "select current_user()");
    assertThat(cli.exitCode).as(cli.toString()).isZero();

    AuthMetrics after = rds.metrics();
    assertThat(after.passwordAuthentications() - before.passwordAuthentications()).isEqualTo(2);
    assertThat(after.authenticationFailures() - before.authenticationFailures()).isEqualTo(2);
  }

  @Test
  void revokingIamRefusesTokensWithError1045AndGrantingIamTakesThePasswordAway()
      throws SQLException {
    assertThat(currentUser("revokee", token("revokee"))).isEqualTo("revokee@%");
    long unknown = rds.stats().rejected(Rejection.UNKNOWN_USER);

    rds.removeIamUser("revokee");
    rds.addIamUser("legacy");
    try {
      assertDenied("revokee", token("revokee"));
      assertThat(rds.stats().rejected(Rejection.UNKNOWN_USER)).isEqualTo(unknown + 1);
      assertDenied("legacy", LEGACY_PASSWORD);
      assertThat(currentUser("legacy", token("legacy"))).isEqualTo("legacy@%");
    } finally {
      rds.addIamUser("revokee");
      rds.removeIamUser("legacy");
    }
    assertThat(currentUser("revokee", token("revokee"))).isEqualTo("revokee@%");
    assertThat(currentUser("legacy", LEGACY_PASSWORD)).isEqualTo("legacy@%");
  }

  @Test
  void describesEndpointAndCaWithoutSecrets() {
    assertThat(rds.toString())
        .contains("localhost:" + rds.port())
        .contains(rds.caPemFile().toString())
        .contains("password users [legacy]")
        .doesNotContain(LEGACY_PASSWORD)
        .doesNotContain(mariadb.adminPassword())
        .doesNotContain(TrustedCredentials.example().secretAccessKey());
  }
}
