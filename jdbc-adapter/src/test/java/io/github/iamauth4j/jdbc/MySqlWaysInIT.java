package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.mysql.cj.jdbc.MysqlDataSource;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.jdbc.awswrapper.IamAwsWrapper;
import io.github.iamauth4j.jdbc.hikari.IamHikari;
import io.github.iamauth4j.jdbc.hikari.IamHikariCredentialsProvider;
import io.github.iamauth4j.testkit.rds.RdsMySqlEmulator;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;
import software.amazon.jdbc.plugin.failover.FailoverConnectionPluginFactory;

/**
 * Every way in that applies, with MySQL Connector/J and MariaDB Connector/J, against the RDS for
 * MySQL/MariaDB emulator (mysql_clear_password over TLS with server verification).
 */
class MySqlWaysInIT {
  private static RdsMySqlEmulator rds;
  private static IamJdbcConfig config;

  @BeforeAll
  static void start() {
    rds = Backends.rdsMySql();
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
        ResultSet r = s.executeQuery("select current_user(), 40 + 2")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getInt(2)).isEqualTo(42);
      return r.getString(1);
    }
  }

  private String base() {
    return "localhost:" + rds.port() + "/test";
  }

  @Test
  void byUrlAloneWithBothDrivers() throws Exception {
    long before = rds.stats().authenticationsAccepted();
    for (String engine : List.of("mysql", "mariadb")) {
      String url =
          "jdbc:iamauth4j:"
              + engine
              + "://"
              + base()
              + "?"
              + Backends.iamParams()
              + "&iamCaBundle="
              + rds.caPemFile();
      try (Connection c = DriverManager.getConnection(url, "app", null)) {
        assertThat(currentUser(c)).isEqualTo("app@%");
        String driver = c.getMetaData().getDriverName();
        assertThat(driver).containsIgnoringCase(engine.equals("mysql") ? "MySQL" : "MariaDB");
      }
    }
    assertThat(rds.stats().authenticationsAccepted() - before).isEqualTo(2);
  }

  @Test
  void throughDataSourcesOfBothDrivers() throws Exception {
    try (IamDataSource ds =
        IamDataSource.builder().url("jdbc:mysql://" + base()).user("app").config(config).build()) {
      try (Connection c = ds.getConnection()) {
        assertThat(currentUser(c)).isEqualTo("app@%");
      }
    }
    MysqlDataSource my = new MysqlDataSource();
    my.setUrl("jdbc:mysql://" + base());
    my.setUser("app");
    try (IamDataSource ds = IamDataSource.builder().dataSource(my).config(config).build();
        Connection c = ds.getConnection()) {
      assertThat(currentUser(c)).isEqualTo("app@%");
    }
    MariaDbDataSource maria = new MariaDbDataSource("jdbc:mariadb://" + base());
    try (IamDataSource ds =
            IamDataSource.builder().dataSource(maria).user("app").config(config).build();
        Connection c = ds.getConnection()) {
      assertThat(currentUser(c)).isEqualTo("app@%");
    }
  }

  @Test
  void throughHikariCp7WithBothDrivers() throws Exception {
    for (String engine : List.of("mysql", "mariadb")) {
      HikariConfig h = new HikariConfig();
      h.setJdbcUrl("jdbc:" + engine + "://" + base());
      h.setUsername("app");
      h.setMaximumPoolSize(2);
      try (IamHikariCredentialsProvider cp = IamHikari.configure(h, config);
          HikariDataSource pool = new HikariDataSource(h);
          Connection c = pool.getConnection()) {
        assertThat(currentUser(c)).isEqualTo("app@%");
        assertThat(cp.tokenProvider().target()).isEqualTo(rds.target("app"));
      }
    }
  }

  @Test
  void throughAwsAdvancedJdbcWrapperWithItsFailoverPluginLoaded() throws Exception {
    IamAwsWrapper.registerProfile(
        "iamauth4j-failover-mysql", List.of(FailoverConnectionPluginFactory.class));
    Properties p = new Properties();
    p.setProperty("user", "app");
    p.setProperty("wrapperProfileName", "iamauth4j-failover-mysql");
    p.setProperty("iamRegion", rds.region());
    p.setProperty("iamCredentialsProvider", ExampleCredentialsProvider.class.getName());
    p.setProperty("iamCaBundle", rds.caPemFile().toString());
    for (String engine : List.of("mysql", "mariadb")) {
      try (Connection c =
          DriverManager.getConnection("jdbc:aws-wrapper:" + engine + "://" + base(), p)) {
        assertThat(currentUser(c)).isEqualTo("app@%");
      }
    }
  }
}
