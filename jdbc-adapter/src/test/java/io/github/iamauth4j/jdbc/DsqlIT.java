package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.jdbc.hikari.IamHikari;
import io.github.iamauth4j.jdbc.hikari.IamHikariCredentialsProvider;
import io.github.iamauth4j.testkit.rds.DsqlEmulator;
import io.github.iamauth4j.testkit.server.PostgresServer;
import io.github.iamauth4j.testkit.tls.TlsMaterial;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Aurora DSQL end to end: the DSQL emulator (service {@code dsql}, the host signed without port,
 * {@code DbConnectAdmin} only for {@code admin}, one-hour sessions compressed to 3 seconds, the
 * connection-rate quota) in front of a real PostgreSQL, reached through every way in with pgjdbc
 * over {@code verify-full} TLS. The endpoint has a real DSQL host name, so the region comes from
 * it; {@link LoopbackSocketFactory} connects that name to the emulator on 127.0.0.1.
 */
class DsqlIT {
  private static final String HOST = "c0ffee1234abcd5678.dsql.us-east-1.on.aws";
  private static final String ROLE = "dsql_app";
  private static final Duration SESSION_LIMIT = Duration.ofSeconds(3);

  private static TlsMaterial tls;
  private static DsqlEmulator dsql;
  private static IamJdbcConfig config;

  @BeforeAll
  static void start() {
    tls = TlsMaterial.generate(List.of(HOST), List.of());
    dsql = emulator().sessionLimit(SESSION_LIMIT).transactionGrace(SESSION_LIMIT).start();
    config =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .credentialsProvider(TrustedCredentials.example().asProvider()))
            .caBundle(dsql.caPemFile())
            .build();
  }

  private static DsqlEmulator.Builder emulator() {
    PostgresServer pg = Backends.postgres();
    return DsqlEmulator.builder()
        .backend(pg.host(), pg.port())
        .backendAdmin(pg.superuser(), pg.superuserPassword())
        .endpointHost(HOST)
        .region("us-east-1")
        .tls(tls);
  }

  @AfterAll
  static void stop() {
    if (dsql != null) {
      dsql.close();
    }
  }

  /** A Spring-style URL: no region (it comes from the host), no sslmode (verify-full is added). */
  private static String url(DsqlEmulator e) {
    return "jdbc:iamauth4j:dsql://"
        + HOST
        + ":"
        + e.port()
        + "/postgres?iamCredentialsProvider="
        + ExampleCredentialsProvider.class.getName()
        + "&iamCaBundle="
        + e.caPemFile()
        + "&socketFactory="
        + LoopbackSocketFactory.class.getName();
  }

  private static String currentUser(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select current_user")) {
      assertThat(r.next()).isTrue();
      return r.getString(1);
    }
  }

  /** Collects the tokens minted for one emulator's targets. */
  private static final class Minted implements IamAuthListener, AutoCloseable {
    final List<IamAuthEvent.TokenIssued> tokens = new CopyOnWriteArrayList<>();
    private final int port;

    Minted(DsqlEmulator e) {
      this.port = e.port();
      IamDriver.addListener(this);
    }

    @Override
    public void onEvent(IamAuthEvent e) {
      if (e instanceof IamAuthEvent.TokenIssued t && t.target().kind() == IamTarget.Kind.DSQL) {
        tokens.add(t);
      }
    }

    List<IamTarget> targets() {
      return tokens.stream().map(IamAuthEvent.TokenIssued::target).distinct().toList();
    }

    @Override
    public void close() {
      IamDriver.removeListener(this);
    }

    @Override
    public String toString() {
      return "tokens minted for the emulator on port " + port + ": " + tokens.size();
    }
  }

  @Test
  void byUrlAloneAdminAndACustomRoleConnectWithTheRegionFromTheHost() throws Exception {
    long accepted = dsql.stats().authenticationsAccepted();
    try (Minted minted = new Minted(dsql)) {
      for (int i = 0; i < 3; i++) {
        try (Connection admin = DriverManager.getConnection(url(dsql), "admin", null);
            Connection app = DriverManager.getConnection(url(dsql), ROLE, "ignored")) {
          assertThat(currentUser(admin)).isEqualTo("admin");
          assertThat(currentUser(app)).isEqualTo(ROLE);
        }
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(minted.targets())
                      .containsExactlyInAnyOrder(dsql.target("admin"), dsql.target(ROLE)));
      // Six connections, one token per role: the token is reused, not signed per connection.
      assertThat(minted.tokens).hasSize(2);
    }
    assertThat(dsql.stats().authenticationsAccepted() - accepted).isEqualTo(6);
    assertThat(dsql.stats().authenticationsRejected()).isZero();
    assertThat(dsql.target("admin").resource()).isEqualTo(HOST); // signed without the port
  }

  @Test
  void aHikariPoolByUrlAndUserNameAlone() throws Exception {
    HikariConfig h = new HikariConfig();
    h.setJdbcUrl(url(dsql));
    h.setUsername("admin");
    h.setMaximumPoolSize(2);
    try (HikariDataSource pool = new HikariDataSource(h);
        Connection c = pool.getConnection()) {
      assertThat(currentUser(c)).isEqualTo("admin");
    }
  }

  @Test
  void throughTheDataSourceWrapperAsAdminAndAsARole() throws Exception {
    try (IamDataSource ds =
        IamDataSource.builder()
            .url(
                "jdbc:postgresql://"
                    + HOST
                    + ":"
                    + dsql.port()
                    + "/postgres?socketFactory="
                    + LoopbackSocketFactory.class.getName())
            .user("admin")
            .config(config)
            .build()) {
      try (Connection c = ds.getConnection()) {
        assertThat(currentUser(c)).isEqualTo("admin");
      }
      try (Connection c = ds.getConnection(ROLE, "ignored")) {
        assertThat(currentUser(c)).isEqualTo(ROLE);
      }
      assertThat(ds.tokenProvider().target()).isEqualTo(dsql.target("admin"));
      assertThat(ds.tokenProvider().region()).isEqualTo("us-east-1"); // from the host name
    }
  }

  private static HikariConfig hikari(String role, int size) {
    HikariConfig h = new HikariConfig();
    h.setJdbcUrl("jdbc:postgresql://" + HOST + ":" + dsql.port() + "/postgres");
    h.setUsername(role);
    h.addDataSourceProperty("socketFactory", LoopbackSocketFactory.class.getName());
    h.setMaximumPoolSize(size);
    h.setMinimumIdle(size);
    h.setConnectionTimeout(20_000);
    return h;
  }

  @Test
  void theHikariProviderAsAdminAndAsARoleWithVerifyFullByDefault() throws Exception {
    for (String role : List.of("admin", ROLE)) {
      HikariConfig h = hikari(role, 2);
      try (IamHikariCredentialsProvider cp = IamHikari.configure(h, config);
          HikariDataSource pool = new HikariDataSource(h);
          Connection c = pool.getConnection()) {
        assertThat(currentUser(c)).isEqualTo(role);
        assertThat(cp.tokenProvider().target()).isEqualTo(dsql.target(role));
        assertThat(cp.tokenProvider().region()).isEqualTo("us-east-1"); // from the host name
        assertThat(h.getDataSourceProperties().getProperty("sslmode")).isEqualTo("verify-full");
        // HikariCP's default maxLifetime (30 minutes) is inside DSQL's hour: left alone.
        assertThat(h.getMaxLifetime()).isEqualTo(Duration.ofMinutes(30).toMillis());
      }
    }
  }

  @Test
  void aMaxLifetimeThatWouldOutliveTheHourIsLoweredTo55Minutes() {
    for (long maxLifetime : new long[] {0, Duration.ofHours(2).toMillis()}) {
      HikariConfig h = hikari(ROLE, 1);
      h.setMaxLifetime(maxLifetime);
      IamHikari.configure(h, config).close();
      assertThat(h.getMaxLifetime()).isEqualTo(Duration.ofMinutes(55).toMillis());
    }
    HikariConfig fine = hikari(ROLE, 1);
    fine.setMaxLifetime(Duration.ofMinutes(50).toMillis());
    IamHikari.configure(fine, config).close();
    assertThat(fine.getMaxLifetime()).isEqualTo(Duration.ofMinutes(50).toMillis());
  }

  @Test
  void verifyFullByDefaultRefusesACertificateForAnotherNameBeforeAnyTokenIsSent() {
    TlsMaterial otherName = TlsMaterial.generate(List.of("elsewhere.example.com"), List.of());
    try (DsqlEmulator impostor = emulator().tls(otherName).start()) {
      String u =
          url(impostor).replace(impostor.caPemFile().toString(), otherName.caPemFile().toString());

      // The CA is trusted, the name is not the host's: verify-ca would connect, verify-full not.
      assertThatThrownBy(() -> DriverManager.getConnection(u, "admin", null).close())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining(HOST);
      assertThat(impostor.stats().authenticationsAccepted()).isZero();
      assertThat(impostor.stats().authenticationsRejected()).isZero();
    }
  }

  /**
   * A pool under load across four compressed session limits (3 s): HikariCP's smallest {@code
   * maxLifetime} is 30 s, so a shorter lifetime is played by soft-evicting every second, the
   * compressed counterpart of the 55 minutes against the hour.
   */
  @Test
  void aPoolUnderLoadAcrossFourSessionLimitsHasNoFailedQuery() throws Exception {
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicLong queries = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    long opened = dsql.stats().connectionsOpened();
    long closedAtLimit = dsql.stats().connectionsClosedAtLimit();
    HikariConfig h = hikari(ROLE, 10);
    List<IamAuthEvent.TokenIssued> minted = new CopyOnWriteArrayList<>();
    IamJdbcConfig listening =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .credentialsProvider(TrustedCredentials.example().asProvider())
                    .listener(
                        e -> {
                          if (e instanceof IamAuthEvent.TokenIssued t) {
                            minted.add(t);
                          }
                        }))
            .caBundle(dsql.caPemFile())
            .build();
    ExecutorService workers = Executors.newFixedThreadPool(6);
    ScheduledExecutorService evictor = Executors.newSingleThreadScheduledExecutor();
    Instant start = Instant.now();
    try (IamHikariCredentialsProvider cp = IamHikari.configure(h, listening);
        HikariDataSource pool = new HikariDataSource(h)) {
      assertThat(cp.tokenProvider().target()).isEqualTo(dsql.target(ROLE));
      for (int i = 0; i < 6; i++) {
        workers.execute(
            () -> {
              while (running.get()) {
                try (Connection c = pool.getConnection();
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("select current_user, pg_sleep(0.005)")) {
                  r.next();
                  if (!ROLE.equals(r.getString(1))) {
                    throw new AssertionError("connected as " + r.getString(1));
                  }
                  queries.incrementAndGet();
                } catch (Exception | AssertionError e) {
                  failures.add(e);
                }
              }
            });
      }
      evictor.scheduleAtFixedRate(
          () -> pool.getHikariPoolMXBean().softEvictConnections(), 1, 1, TimeUnit.SECONDS);
      Instant end = start.plus(SESSION_LIMIT.multipliedBy(4));
      await().atMost(Duration.ofSeconds(60)).until(() -> Instant.now().isAfter(end));
      stop(running, evictor, workers); // before the pool closes
    } finally {
      stop(running, evictor, workers);
    }
    long connections = dsql.stats().connectionsOpened() - opened;
    System.out.printf(
        "DsqlIT load: %d queries, %d connections opened, %d tokens minted, %d sessions closed by"
            + " the emulator at the limit, %d failures%n",
        queries.get(),
        connections,
        minted.size(),
        dsql.stats().connectionsClosedAtLimit() - closedAtLimit,
        failures.size());
    assertThat(failures).isEmpty();
    assertThat(queries.get()).isGreaterThan(500);
    assertThat(connections).isGreaterThan(30);
    assertThat(minted).hasSize(1);
  }

  /**
   * The control: the same load without retiring connections before the session limit meets sessions
   * the emulator closed, and those queries fail (SQLSTATE 08006): what the 55-minute {@code
   * maxLifetime} prevents against the real hour.
   */
  @Test
  void withoutRetirementBeforeTheLimitQueriesMeetClosedSessions() throws Exception {
    List<SQLException> failures = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    HikariConfig h = hikari(ROLE, 4);
    ExecutorService workers = Executors.newFixedThreadPool(4);
    ScheduledExecutorService none = Executors.newSingleThreadScheduledExecutor();
    try (IamHikariCredentialsProvider cp = IamHikari.configure(h, config);
        HikariDataSource pool = new HikariDataSource(h)) {
      assertThat(cp.tokenProvider().target()).isEqualTo(dsql.target(ROLE));
      for (int i = 0; i < 4; i++) {
        workers.execute(
            () -> {
              while (running.get()) {
                try (Connection c = pool.getConnection();
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("select pg_sleep(0.005)")) {
                  r.next();
                } catch (SQLException e) {
                  failures.add(e);
                }
              }
            });
      }
      await().atMost(SESSION_LIMIT.multipliedBy(5)).until(() -> !failures.isEmpty());
      stop(running, none, workers);
    } finally {
      stop(running, none, workers);
    }
    System.out.printf(
        "DsqlIT control: %d failed queries without retirement, e.g. %s%n",
        failures.size(), failures.get(0).getMessage());
    assertThat(failures)
        .allSatisfy(e -> assertThat(e.getSQLState()).startsWith("08"))
        .anySatisfy(e -> assertThat(e.getMessage()).contains("session limit"));
  }

  private static void stop(
      AtomicBoolean running, ScheduledExecutorService evictor, ExecutorService workers)
      throws InterruptedException {
    running.set(false);
    evictor.shutdownNow();
    workers.shutdown();
    assertThat(workers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * DSQL's connection-rate quota, made small (a burst of 30, refilled at 1 a second): 30
   * connections opened at once all get in with one token; once the burst is spent, a refusal is an
   * immediate SQL error with DSQL's SQLSTATE and message, through the URL driver and HikariCP.
   */
  @Test
  @Timeout(60)
  void connectionsOpenedAtOnceReuseOneTokenAndTheRateQuotaFailsFastAndClearly() throws Exception {
    String role = "dsql_burst";
    try (DsqlEmulator quota = emulator().connectionRate(1, 30).start();
        Minted minted = new Minted(quota)) {
      ExecutorService openers = Executors.newFixedThreadPool(30);
      List<Connection> open = new ArrayList<>();
      try {
        List<Callable<Connection>> tasks = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          tasks.add(() -> DriverManager.getConnection(url(quota), role, null));
        }
        for (Future<Connection> f : openers.invokeAll(tasks)) {
          open.add(f.get());
        }
        for (Connection c : open) {
          assertThat(currentUser(c)).isEqualTo(role);
        }
      } finally {
        openers.shutdown();
        for (Connection c : open) {
          c.close();
        }
      }
      assertThat(quota.stats().authenticationsAccepted()).isEqualTo(30);
      assertThat(minted.tokens).hasSize(1);

      SQLException refused = exhaust(quota, role);
      assertThat(refused.getSQLState()).isEqualTo("53400");
      assertThat(refused.getMessage())
          .contains("Unable to accept connection, rate exceeded.")
          .doesNotContain("X-Amz-Signature");

      // HikariCP fails its start with the same cause instead of waiting (the bucket may refill
      // between the two steps, so spend it again if the pool got in).
      Throwable poolFailure = null;
      for (int attempt = 0; attempt < 3 && poolFailure == null; attempt++) {
        exhaust(quota, role);
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(url(quota));
        h.setUsername(role);
        h.setMaximumPoolSize(1);
        try {
          new HikariDataSource(h).close();
        } catch (HikariPool.PoolInitializationException e) {
          poolFailure = e;
        }
      }
      assertThat(poolFailure)
          .isNotNull()
          .hasRootCauseInstanceOf(SQLException.class)
          .rootCause()
          .hasMessageContaining("rate exceeded");
      assertThat(quota.connectionsRefusedByRate()).isGreaterThanOrEqualTo(2);
      assertThat(quota.stats().authenticationsRejected()).isZero();
    }
  }

  /** Opens connections until the rate quota refuses one; returns the refusal. */
  private static SQLException exhaust(DsqlEmulator quota, String role) throws SQLException {
    for (int i = 0; i < 100; i++) {
      try {
        DriverManager.getConnection(url(quota), role, null).close();
      } catch (SQLException e) {
        if ("53400".equals(e.getSQLState())) {
          return e;
        }
        throw e;
      }
    }
    throw new AssertionError("100 connections in a row were not refused by the rate quota");
  }
}
