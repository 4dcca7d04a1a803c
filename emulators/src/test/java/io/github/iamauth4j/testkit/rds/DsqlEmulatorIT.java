package io.github.iamauth4j.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenGenerator;
import io.github.iamauth4j.testkit.server.PostgresServer;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * The Aurora DSQL emulator in front of a real PostgreSQL, judged by independent clients: Debian's
 * {@code psql} (libpq 15: {@code SSLRequest}) and pgjdbc ({@code SSLRequest}, and direct TLS with
 * {@code sslNegotiation=direct}), both with {@code verify-full}; a raw {@link SSLSocket} for direct
 * TLS without ALPN.
 */
class DsqlEmulatorIT {
  private static final String REGION = "us-east-1";
  private static final Duration SESSION_LIMIT = Duration.ofSeconds(2);
  private static final Duration GRACE = Duration.ofSeconds(2);

  private static PostgresServer postgres;
  private static DsqlEmulator dsql;

  @BeforeAll
  static void start() {
    postgres = PostgresServer.builder().start();
    dsql = emulator().sessionLimit(SESSION_LIMIT).transactionGrace(GRACE).start();
  }

  private static DsqlEmulator.Builder emulator() {
    return DsqlEmulator.builder()
        .backend(postgres.host(), postgres.port())
        .backendAdmin(postgres.superuser(), postgres.superuserPassword())
        .region(REGION);
  }

  @AfterAll
  static void stop() {
    if (dsql != null) {
      dsql.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private static String token(DsqlEmulator e, String role) {
    return token(e.target(role), REGION, Instant.now(), Duration.ofMinutes(15));
  }

  private static String token(IamTarget target, String region, Instant at, Duration expiry) {
    return IamTokenGenerator.builder()
        .target(target)
        .region(region)
        .expiry(expiry)
        .credentialsProvider(TrustedCredentials.example().asProvider())
        .build()
        .generate(at)
        .value();
  }

  private static Programs.Result psql(String connectionString, String password, String sql) {
    return Programs.run(
        List.of(Programs.find("psql"), "-X", "-A", "-t", "-d", connectionString, "-c", sql),
        Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "20"));
  }

  private static Connection jdbc(DsqlEmulator e, String role, String password, String extra)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", role);
    p.setProperty("password", password);
    return DriverManager.getConnection(e.jdbcUrl() + extra, p);
  }

  private static String currentUser(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_user")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  @Test
  void psqlLogsInAsAdminAndAsACustomRoleWithSslRequest() {
    long sslRequests = dsql.sslRequestConnections();
    long accepted = dsql.stats().authenticationsAccepted();

    Programs.Result admin =
        psql(dsql.connectionString("admin"), token(dsql, "admin"), "select current_user");
    Programs.Result app =
        psql(dsql.connectionString("app"), token(dsql, "app"), "select current_user");

    assertThat(admin.exitCode).as(admin.toString()).isZero();
    assertThat(admin.stdout).isEqualTo("admin");
    assertThat(app.exitCode).as(app.toString()).isZero();
    assertThat(app.stdout).isEqualTo("app");
    assertThat(dsql.sslRequestConnections()).isEqualTo(sslRequests + 2);
    assertThat(dsql.stats().authenticationsAccepted()).isEqualTo(accepted + 2);
  }

  @Test
  void aRoleWhoseIamIsRevokedIsRefusedUntilGrantedAgain() throws SQLException {
    dsql.removeIamUser("revoked");
    try {
      assertThatThrownBy(() -> jdbc(dsql, "revoked", token(dsql, "revoked"), "").close())
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
      assertThat(dsql.iamRevokedUsers()).contains("revoked");
    } finally {
      dsql.addIamUser("revoked");
    }
    try (Connection c = jdbc(dsql, "revoked", token(dsql, "revoked"), "")) {
      assertThat(currentUser(c)).isEqualTo("revoked");
    }
    assertThatThrownBy(() -> dsql.addPasswordUser("revoked", "pw"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void tokensAreJudgedAsDsqlDoes() {
    Instant now = Instant.now();
    String host = dsql.endpointHost();
    // admin needs DbConnectAdmin, every other role DbConnect; the host is signed without port; the
    // service is dsql; the expiry may be up to a week.
    Map<String, String[]> cases =
        Map.of(
            "WRONG_ACTION admin with DbConnect",
            new String[] {"admin", token(IamTarget.dsql(host, "app"), REGION, now, min(15))},
            "WRONG_ACTION app with DbConnectAdmin",
            new String[] {"app", token(IamTarget.dsqlAdmin(host), REGION, now, min(15))},
            "WRONG_SERVICE rds-db",
            new String[] {
              "app", token(IamTarget.rds(host, dsql.port(), "app"), REGION, now, min(15))
            },
            "WRONG_REGION",
            new String[] {"app", token(dsql.target("app"), "eu-west-1", now, min(15))},
            "EXPIRED",
            new String[] {
              "app", token(dsql.target("app"), REGION, now.minus(Duration.ofHours(2)), min(60))
            });
    Map<Rejection, Long> before = dsql.stats().rejectionsByReason();

    List<String> failures = new ArrayList<>();
    cases.forEach(
        (name, roleAndToken) -> {
          String role = roleAndToken[0];
          try {
            jdbc(dsql, role, roleAndToken[1], "").close();
            failures.add(name + ": connected");
          } catch (SQLException e) {
            if (!"28P01".equals(e.getSQLState())
                || !e.getMessage().contains("IAM authentication failed for user \"" + role + "\"")
                || e.getMessage().contains(roleAndToken[1])) {
              failures.add(name + ": " + e);
            }
          }
        });

    assertThat(failures).isEmpty();
    Map<Rejection, Long> after = dsql.stats().rejectionsByReason();
    assertThat(after.get(Rejection.WRONG_ACTION))
        .isEqualTo(before.getOrDefault(Rejection.WRONG_ACTION, 0L) + 2);
    for (Rejection r :
        List.of(Rejection.WRONG_SERVICE, Rejection.WRONG_REGION, Rejection.EXPIRED)) {
      assertThat(after.get(r)).as(r.toString()).isEqualTo(before.getOrDefault(r, 0L) + 1);
    }
  }

  @Test
  void aTokenValidForAWeekIsAccepted() throws SQLException {
    try (Connection c =
        jdbc(
            dsql,
            "app",
            token(dsql.target("app"), REGION, Instant.now(), Duration.ofDays(7)),
            "")) {
      assertThat(currentUser(c)).isEqualTo("app");
    }
  }

  @Test
  void pgjdbcConnectsWithDirectTlsAndAlpn() throws SQLException {
    long direct = dsql.directTlsConnections();
    long sslRequests = dsql.sslRequestConnections();

    try (Connection c = jdbc(dsql, "admin", token(dsql, "admin"), "&sslNegotiation=direct")) {
      assertThat(currentUser(c)).isEqualTo("admin");
    }

    assertThat(dsql.directTlsConnections()).isEqualTo(direct + 1);
    assertThat(dsql.sslRequestConnections()).isEqualTo(sslRequests);
  }

  @Test
  void directTlsWithoutAlpnIsRefusedAsPostgres17Does() throws Exception {
    String withoutAlpn = directTlsStartup(new String[0]);
    String withAlpn = directTlsStartup(new String[] {"postgresql"});

    assertThat(withoutAlpn).startsWith("E").contains("08P01").contains("ALPN");
    // With ALPN the emulator goes on to ask for the token as a cleartext password.
    assertThat(withAlpn).isEqualTo("R3");
  }

  /** Opens direct TLS with a raw socket, sends a startup message and returns the first reply. */
  private static String directTlsStartup(String[] alpn) throws Exception {
    try (SSLSocket s =
        (SSLSocket)
            dsql.tls().clientContext().getSocketFactory().createSocket("localhost", dsql.port())) {
      s.setSoTimeout(10_000);
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(alpn);
      s.setSSLParameters(p);
      s.startHandshake();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      DataOutputStream b = new DataOutputStream(body);
      b.writeInt(PgWire.PROTOCOL_3_0);
      for (String kv : new String[] {"user", "app", "database", "postgres"}) {
        b.write(kv.getBytes(StandardCharsets.UTF_8));
        b.write(0);
      }
      b.write(0);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeInt(4 + body.size());
      out.write(body.toByteArray());
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      char type = (char) in.readUnsignedByte();
      byte[] reply = new byte[in.readInt() - 4];
      in.readFully(reply);
      return type == 'R'
          ? "R" + PgWire.intAt(reply, 0)
          : type + new String(reply, StandardCharsets.UTF_8);
    }
  }

  @Test
  void aPlaintextStartupIsRefused() {
    long refused = dsql.plaintextStartupsRefused();

    assertThatThrownBy(() -> jdbc(dsql, "app", token(dsql, "app"), "&sslmode=disable").close())
        .isInstanceOfSatisfying(
            PSQLException.class,
            e -> {
              assertThat(e.getSQLState()).isEqualTo("28000");
              assertThat(e.getMessage()).contains("SSL is required");
            });
    assertThat(dsql.plaintextStartupsRefused()).isEqualTo(refused + 1);
  }

  @Test
  void anIdleSessionIsClosedAtTheSessionLimit() throws SQLException {
    long closed = dsql.stats().connectionsClosedAtLimit();
    try (Connection c = jdbc(dsql, "app", token(dsql, "app"), "")) {
      assertThat(currentUser(c)).isEqualTo("app");

      await()
          .atMost(SESSION_LIMIT.multipliedBy(5))
          .until(() -> dsql.stats().connectionsClosedAtLimit() > closed);

      assertThatThrownBy(() -> currentUser(c))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
    }
  }

  @Test
  void aTransactionOpenAtTheLimitRunsToItsCommitThenTheSessionCloses() throws SQLException {
    try (Connection c = jdbc(dsql, "app", token(dsql, "app"), "")) {
      Instant opened = Instant.now();
      c.setAutoCommit(false);
      assertThat(currentUser(c)).isEqualTo("app"); // BEGIN was sent: a transaction is open.
      long closed = dsql.stats().connectionsClosedAtLimit();

      await()
          .atMost(SESSION_LIMIT.multipliedBy(3))
          .until(() -> Instant.now().isAfter(opened.plus(SESSION_LIMIT).plusMillis(300)));

      assertThat(currentUser(c)).isEqualTo("app"); // still served inside its transaction
      c.commit();
      await()
          .atMost(SESSION_LIMIT.multipliedBy(3))
          .until(() -> dsql.stats().connectionsClosedAtLimit() > closed);
      assertThat(c.isValid(5)).isFalse();
    }
  }

  @Test
  void aTransactionIsCutAtTheEndOfTheGrace() throws SQLException {
    try (Connection c = jdbc(dsql, "app", token(dsql, "app"), "")) {
      c.setAutoCommit(false);
      assertThat(currentUser(c)).isEqualTo("app");

      await().atMost(SESSION_LIMIT.plus(GRACE).multipliedBy(3)).until(() -> !c.isValid(1));
    }
  }

  // The emulators below share the backend but not their role secrets: they log in as other roles.
  @Test
  void theConnectionRateQuotaRefusesWithDsqlsErrorAndRefills() throws SQLException {
    try (DsqlEmulator small = emulator().connectionRate(1, 3).start()) {
      String admin = token(small, "rate_probe");
      int connected = 0;
      SQLException refusal = null;
      for (int i = 0; i < 10 && refusal == null; i++) {
        try {
          jdbc(small, "rate_probe", admin, "").close();
          connected++;
        } catch (SQLException e) {
          refusal = e;
        }
      }

      assertThat(connected).isBetween(3, 9);
      assertThat((Object) refusal).isNotNull();
      assertThat(refusal.getSQLState()).isEqualTo("53400");
      assertThat(refusal.getMessage()).contains("Unable to accept connection, rate exceeded.");
      assertThat(small.connectionsRefusedByRate()).isEqualTo(1);
      // The bucket refills at 1 a second.
      await()
          .atMost(Duration.ofSeconds(5))
          .ignoreExceptions()
          .until(
              () -> {
                try (Connection c = jdbc(small, "rate_probe", admin, "")) {
                  return currentUser(c).equals("rate_probe");
                }
              });
    }
  }

  @Test
  void theConnectionQuotaRefusesWithDsqlsErrorUntilOneCloses() throws SQLException {
    try (DsqlEmulator small = emulator().maxConnections(2).start()) {
      String app = token(small, "count_probe");
      try (Connection one = jdbc(small, "count_probe", app, "")) {
        try (Connection two = jdbc(small, "count_probe", app, "")) {
          assertThatThrownBy(() -> jdbc(small, "count_probe", app, "").close())
              .isInstanceOfSatisfying(
                  PSQLException.class,
                  e -> {
                    assertThat(e.getSQLState()).isEqualTo("53300");
                    assertThat(e.getMessage())
                        .contains("Unable to accept connection, too many open connections.");
                  });
          assertThat(small.connectionsRefusedByCount()).isEqualTo(1);
          assertThat(currentUser(two)).isEqualTo("count_probe");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> small.openSessions() == 1);
        try (Connection three = jdbc(small, "count_probe", app, "")) {
          assertThat(currentUser(three)).isEqualTo("count_probe");
        }
        assertThat(currentUser(one)).isEqualTo("count_probe");
      }
    }
  }

  @Test
  void describesItselfWithoutSecrets() {
    assertThat(dsql.toString())
        .contains("Aurora DSQL emulator on localhost:" + dsql.port())
        .contains("tokens for localhost in us-east-1")
        .doesNotContain(postgres.superuserPassword());
  }

  private static Duration min(int minutes) {
    return Duration.ofMinutes(minutes);
  }
}
