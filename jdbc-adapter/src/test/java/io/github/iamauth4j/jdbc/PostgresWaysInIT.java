package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.jdbc.awswrapper.IamAwsWrapper;
import io.github.iamauth4j.jdbc.hikari.IamHikari;
import io.github.iamauth4j.jdbc.hikari.IamHikariCredentialsProvider;
import io.github.iamauth4j.jdbc.pgjdbc.IamAuthenticationPlugin;
import io.github.iamauth4j.testkit.rds.RdsPostgresEmulator;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import software.amazon.jdbc.plugin.failover.FailoverConnectionPluginFactory;

/** Every way in, with pgjdbc, against the RDS for PostgreSQL emulator over TLS (verify-full). */
class PostgresWaysInIT {
  private static RdsPostgresEmulator rds;
  private static IamJdbcConfig config;

  @BeforeAll
  static void start() {
    rds = Backends.rdsPostgres();
    config =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .region(rds.region())
                    .credentialsProvider(TrustedCredentials.example().asProvider()))
            .caBundle(rds.caPemFile())
            .build();
  }

  @AfterAll
  static void stop() {
    rds.close();
  }

  @AfterEach
  void onlyValidTokensWereSeen() {
    assertThat(rds.stats().authenticationsRejected()).isZero();
  }

  static String currentUser(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select current_user, 40 + 2")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getInt(2)).isEqualTo(42);
      return r.getString(1);
    }
  }

  private String base() {
    return "localhost:" + rds.port() + "/test";
  }

  @Test
  void byUrlAloneReusingOneTokenAcrossConnections() throws Exception {
    List<IamAuthEvent> issued = new CopyOnWriteArrayList<>();
    IamAuthListener l =
        e -> {
          if (e instanceof IamAuthEvent.TokenIssued && e.target().port() == rds.port()) {
            issued.add(e);
          }
        };
    IamDriver.addListener(l);
    long before = rds.stats().authenticationsAccepted();
    try {
      String url =
          "jdbc:iamauth4j:postgresql://"
              + base()
              + "?"
              + Backends.iamParams()
              + "&iamCaBundle="
              + rds.caPemFile();
      for (int i = 0; i < 5; i++) {
        try (Connection c = DriverManager.getConnection(url, "app", "ignored-static-password")) {
          assertThat(currentUser(c)).isEqualTo("app");
          assertThat(c.getMetaData().getURL()).startsWith("jdbc:postgresql://localhost:");
        }
      }
    } finally {
      IamDriver.removeListener(l);
    }
    assertThat(rds.stats().authenticationsAccepted() - before).isEqualTo(5);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(issued).hasSize(1));
  }

  @Test
  void aHikariPoolByJdbcUrlAndUsernameAlone() throws Exception {
    // A HikariCP pool given only the URL and a user name: HikariCP finds IamDriver through
    // DriverManager. (Spring Boot does not get this far without
    // spring.datasource.driver-class-name=io.github.iamauth4j.jdbc.IamDriver: it picks the driver
    // class from the URL's prefix before it makes the pool.)
    HikariConfig h = new HikariConfig();
    h.setJdbcUrl(
        "jdbc:iamauth4j:postgresql://"
            + base()
            + "?"
            + Backends.iamParams()
            + "&iamCaBundle="
            + rds.caPemFile());
    h.setUsername("app");
    h.setMaximumPoolSize(2);
    try (HikariDataSource pool = new HikariDataSource(h);
        Connection c = pool.getConnection()) {
      assertThat(currentUser(c)).isEqualTo("app");
    }
  }

  @Test
  void throughADataSourceForAnyPool() throws Exception {
    try (IamDataSource ds =
        IamDataSource.builder()
            .url("jdbc:postgresql://" + base())
            .user("app")
            .config(config)
            .build()) {
      try (Connection c = ds.getConnection()) {
        assertThat(currentUser(c)).isEqualTo("app");
      }
      // A pool passes its own user and password: the user is honoured, the password is not used.
      try (Connection c = ds.getConnection("reporting", "static-password")) {
        assertThat(currentUser(c)).isEqualTo("reporting");
      }
    }
  }

  @Test
  void wrappingPgjdbcsOwnDataSourceUnderAHikariCp5StylePool() throws Exception {
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setServerNames(new String[] {"localhost"});
    pg.setPortNumbers(new int[] {rds.port()});
    pg.setDatabaseName("test");
    pg.setUser("app");
    pg.setSslRootCert(rds.caPemFile().toString());
    try (IamDataSource ds = IamDataSource.builder().dataSource(pg).config(config).build()) {
      assertThat(pg.getSslMode()).isEqualTo("verify-full");
      // HikariCP before 7 takes a DataSource and calls getConnection(username, password).
      HikariConfig h = new HikariConfig();
      h.setDataSource(ds);
      h.setUsername("app");
      h.setPassword("unused");
      h.setMaximumPoolSize(2);
      try (HikariDataSource pool = new HikariDataSource(h);
          Connection c = pool.getConnection()) {
        assertThat(currentUser(c)).isEqualTo("app");
      }
    }
  }

  @Test
  void throughHikariCp7sCredentialsProvider() throws Exception {
    HikariConfig h = new HikariConfig();
    h.setJdbcUrl("jdbc:postgresql://" + base());
    h.setUsername("app");
    h.setMaximumPoolSize(3);
    try (IamHikariCredentialsProvider cp = IamHikari.configure(h, config);
        HikariDataSource pool = new HikariDataSource(h)) {
      assertThat(h.getDataSourceProperties()).containsEntry("sslmode", "verify-full");
      for (int i = 0; i < 3; i++) {
        try (Connection c = pool.getConnection()) {
          assertThat(currentUser(c)).isEqualTo("app");
        }
      }
      assertThat(cp.tokenProvider().target()).isEqualTo(rds.target("app"));
    }
  }

  @Test
  void throughPgjdbcsAuthenticationPlugin() throws Exception {
    Properties p = new Properties();
    p.setProperty("user", "app");
    p.setProperty("sslmode", "verify-full");
    p.setProperty("sslrootcert", rds.caPemFile().toString());
    p.setProperty("authenticationPluginClassName", IamAuthenticationPlugin.class.getName());
    p.setProperty("iamRegion", rds.region());
    p.setProperty("iamCredentialsProvider", ExampleCredentialsProvider.class.getName());
    for (int i = 0; i < 3; i++) {
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + base(), p)) {
        assertThat(currentUser(c)).isEqualTo("app");
      }
    }
  }

  @Test
  void throughAwsAdvancedJdbcWrapperWithItsFailoverPluginLoaded() throws Exception {
    IamAwsWrapper.registerProfile(
        "iamauth4j-failover-pg", List.of(FailoverConnectionPluginFactory.class));
    Properties p = new Properties();
    p.setProperty("user", "app");
    p.setProperty("wrapperProfileName", "iamauth4j-failover-pg");
    p.setProperty("iamRegion", rds.region());
    p.setProperty("iamCredentialsProvider", ExampleCredentialsProvider.class.getName());
    p.setProperty("iamCaBundle", rds.caPemFile().toString());
    try (Connection c = DriverManager.getConnection("jdbc:aws-wrapper:postgresql://" + base(), p)) {
      assertThat(currentUser(c)).isEqualTo("app");
      assertThat(c.isWrapperFor(org.postgresql.PGConnection.class)).isTrue();
    }
  }

  static void assertWorks(DataSource ds, String user) throws SQLException {
    try (Connection c = ds.getConnection()) {
      assertThat(currentUser(c)).isEqualTo(user);
    }
  }
}
