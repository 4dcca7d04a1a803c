package io.github.iamauth4j.benchmarks.soak;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.Credentials;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import io.github.iamauth4j.jdbc.hikari.IamHikari;
import io.github.iamauth4j.jdbc.hikari.IamHikariCredentialsProvider;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The JDBC adapter through {@code IamHikari}: a HikariCP pool of the run's number of PostgreSQL
 * connections behind the RDS emulator, each new connection signed in with the cached IAM token. RDS
 * does not cut connections, so renewal here is the pool's own: connections retire at {@code
 * maxLifetime}, set to the compressed limit. HikariCP refuses a {@code maxLifetime} under 30
 * seconds in its configuration, so the harness sets it through the pool's configuration MXBean once
 * the pool runs, and evicts the first connections so that every connection lives by it. (Below 10
 * seconds HikariCP does not vary the lifetime; connections opened one after the other by its single
 * adder thread stay spread as they were opened.)
 */
final class HikariDriver implements Driver {
  private final Environment env;
  private final SoakSettings settings;
  private final String table;
  private @Nullable HikariDataSource pool;
  private @Nullable IamHikariCredentialsProvider credentials;
  private @Nullable String jdbcUrl;
  private final Properties driverProperties = new Properties();

  HikariDriver(Environment env) {
    this.env = env;
    this.settings = env.settings();
    this.table = "soak_" + env.runId();
  }

  @Override
  public void start() throws Exception {
    HikariConfig h = new HikariConfig();
    String url =
        "jdbc:postgresql://" + env.rds().endpointHost() + ":" + env.port() + "/" + env.database();
    jdbcUrl = url;
    h.setJdbcUrl(url);
    h.setUsername(Environment.USER);
    h.setMaximumPoolSize(settings.connections());
    h.setMinimumIdle(settings.connections());
    h.setConnectionTimeout(30_000);
    h.setPoolName("soak");
    IamHikariCredentialsProvider cp =
        IamHikari.configure(
            h,
            IamJdbcConfig.builder()
                .auth(env.authTemplate())
                .caBundle(env.rds().caPemFile())
                .build());
    credentials = cp;
    driverProperties.putAll(h.getDataSourceProperties());
    HikariDataSource ds = new HikariDataSource(h);
    pool = ds;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("create table " + table + " (k int primary key, v bigint not null)");
      s.execute(
          "insert into "
              + table
              + " select k, 0 from generate_series(0, "
              + (settings.threads() - 1)
              + ") k");
    }
    ds.getHikariConfigMXBean().setMaxLifetime(settings.limit().toMillis());
    ds.getHikariPoolMXBean().softEvictConnections();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (ds.getHikariPoolMXBean().getTotalConnections() < settings.connections()
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private HikariDataSource pool() {
    HikariDataSource p = pool;
    if (p == null) {
      throw new IllegalStateException("not started");
    }
    return p;
  }

  @Override
  public Worker worker(int thread) {
    HikariDataSource ds = pool();
    String update = "update " + table + " set v = v + 1 where k = ?";
    return op -> {
      switch (op) {
        case QUERY -> {
          try (Connection c = ds.getConnection();
              Statement s = c.createStatement();
              ResultSet r = s.executeQuery("select current_user")) {
            if (!r.next() || !Environment.USER.equals(r.getString(1))) {
              throw new Failures.WrongReply(
                  "select current_user did not return " + Environment.USER);
            }
          }
        }
        case TX -> {
          try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement(update)) {
              p.setInt(1, thread);
              int n = p.executeUpdate();
              if (n != 1) {
                throw new Failures.WrongReply("the update changed " + n + " rows, expected 1");
              }
            }
            c.commit();
          }
        }
        default -> throw new IllegalArgumentException(op + " is not a JDBC operation");
      }
    };
  }

  @Override
  public void drain() {}

  @Override
  public ConnectProbe iamProbe() {
    IamHikariCredentialsProvider cp = credentials;
    if (cp == null) {
      throw new IllegalStateException("not started");
    }
    // What HikariCP does for each new connection: ask the credentials provider, then the driver.
    return probe(
        () -> {
          Credentials c = cp.getCredentials();
          return new String[] {c.getUsername(), c.getPassword()};
        });
  }

  @Override
  public ConnectProbe staticProbe() {
    String password = env.staticPassword();
    return probe(() -> new String[] {env.staticUser(), password});
  }

  private interface UserAndPassword {
    String[] get();
  }

  private ConnectProbe probe(UserAndPassword credentials) {
    org.postgresql.Driver driver = new org.postgresql.Driver();
    String url = jdbcUrl;
    if (url == null) {
      throw new IllegalStateException("not started");
    }
    return new ConnectProbe() {
      @Override
      public long connectNanos() throws SQLException {
        long start = System.nanoTime();
        String[] up = credentials.get();
        Properties p = new Properties();
        p.putAll(driverProperties);
        p.setProperty("user", up[0]);
        p.setProperty("password", up[1]);
        Connection c = driver.connect(url, p);
        if (c == null) {
          throw new SQLException("pgjdbc did not accept " + url);
        }
        try (Statement s = c.createStatement();
            ResultSet r = s.executeQuery("select 1")) {
          r.next();
          long took = System.nanoTime() - start;
          return took;
        } finally {
          c.close();
        }
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void close() {
    HikariDataSource p = pool;
    if (p != null) {
      try (Connection c = p.getConnection();
          Statement s = c.createStatement()) {
        s.execute("drop table if exists " + table);
      } catch (SQLException e) {
        // The table goes with the test database.
      }
      p.close();
    }
    if (credentials != null) {
      credentials.close();
    }
  }
}
