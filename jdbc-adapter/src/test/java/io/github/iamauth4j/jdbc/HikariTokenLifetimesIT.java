package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.jdbc.hikari.IamHikari;
import io.github.iamauth4j.jdbc.hikari.IamHikariCredentialsProvider;
import io.github.iamauth4j.testkit.rds.RdsPostgresEmulator;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * A HikariCP 7 pool under load across several (compressed) token lifetimes: connections are evicted
 * over and over, so that new ones are opened all the time, while threads run queries. HikariCP's
 * minimum {@code maxLifetime} is 30 seconds, so eviction is forced through the pool's MXBean
 * ({@code softEvictConnections}) instead.
 */
class HikariTokenLifetimesIT {
  private static RdsPostgresEmulator rds;

  @BeforeAll
  static void start() {
    rds = Backends.rdsPostgres();
  }

  @AfterAll
  static void stop() {
    rds.close();
  }

  /** Runs queries on {@code threads} threads and evicts the pool's connections periodically. */
  private static final class Load implements AutoCloseable {
    final AtomicLong queries = new AtomicLong();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final ExecutorService workers;
    final ScheduledExecutorService evictor = Executors.newSingleThreadScheduledExecutor();

    Load(HikariDataSource pool, int threads, Duration evictEvery) {
      workers = Executors.newFixedThreadPool(threads);
      for (int i = 0; i < threads; i++) {
        workers.execute(
            () -> {
              while (running.get()) {
                try (Connection c = pool.getConnection();
                    Statement s = c.createStatement();
                    // A short server-side pause paces the threads (and spares the 2 CPUs).
                    ResultSet r = s.executeQuery("select current_user, pg_sleep(0.005)")) {
                  r.next();
                  if (!"app".equals(r.getString(1))) {
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
          () -> pool.getHikariPoolMXBean().softEvictConnections(),
          evictEvery.toMillis(),
          evictEvery.toMillis(),
          TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      running.set(false);
      evictor.shutdownNow();
      workers.shutdown();
      try {
        assertThat(workers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while stopping the load", e);
      }
    }
  }

  private static HikariConfig pool(int size) {
    HikariConfig h = new HikariConfig();
    h.setJdbcUrl("jdbc:postgresql://localhost:" + rds.port() + "/test");
    h.setUsername("app");
    h.setMaximumPoolSize(size);
    h.setMinimumIdle(size);
    h.setConnectionTimeout(20_000);
    return h;
  }

  @Test
  void twentyConnectionsServeQueriesAcrossSeveralTokenLifetimesReusingTokens() throws Exception {
    Duration life = Duration.ofSeconds(6);
    List<IamAuthEvent.TokenIssued> issued = new CopyOnWriteArrayList<>();
    IamJdbcConfig config =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .region(rds.region())
                    .credentialsProvider(TrustedCredentials.example().asProvider())
                    .expiry(life)
                    .listener(
                        e -> {
                          if (e instanceof IamAuthEvent.TokenIssued t) {
                            issued.add(t);
                          }
                        }))
            .caBundle(rds.caPemFile())
            .build();
    long openedBefore = rds.stats().connectionsOpened();
    long rejectedBefore = rds.stats().authenticationsRejected();
    HikariConfig h = pool(20);
    long queries;
    List<Throwable> failures;
    try (IamHikariCredentialsProvider cp = IamHikari.configure(h, config);
        HikariDataSource pool = new HikariDataSource(h)) {
      try (Load load = new Load(pool, 8, Duration.ofSeconds(1))) {
        // Nine tokens: the pool has lived through four token lifetimes.
        await().atMost(Duration.ofSeconds(90)).until(() -> issued.size() >= 9);
        queries = load.queries.get();
        failures = load.failures;
      }
      assertThat(cp.tokenProvider().target()).isEqualTo(rds.target("app"));
    }
    long opened = rds.stats().connectionsOpened() - openedBefore;
    System.out.printf(
        "HikariTokenLifetimesIT: %d queries, %d connections opened, %d tokens minted, token"
            + " life %s, %d failures%n",
        queries, opened, issued.size(), life, failures.size());
    assertThat(failures).isEmpty();
    assertThat(queries).isGreaterThan(1_000);
    assertThat(opened).isGreaterThan(100);
    assertThat(rds.stats().authenticationsRejected()).isEqualTo(rejectedBefore);
    assertThat(Duration.between(issued.get(0).at(), issued.get(issued.size() - 1).at()))
        .isGreaterThanOrEqualTo(life.multipliedBy(3));
    // Tokens are reused across connections: far fewer tokens than connections.
    assertThat(opened).isGreaterThanOrEqualTo(10L * issued.size());
  }

  /** Credentials whose source can be taken down, like IMDS or STS during an outage. */
  private static final class FlakyCredentials implements AwsCredentialsProvider {
    volatile boolean down;

    @Override
    public AwsCredentials resolveCredentials() {
      if (down) {
        throw SdkClientException.create("instance metadata unreachable (simulated outage)");
      }
      return TrustedCredentials.example().asAwsCredentials();
    }
  }

  @Test
  void aCredentialOutageShorterThanTheTokenLifeFailsNoConnection() throws Exception {
    FlakyCredentials creds = new FlakyCredentials();
    List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
    IamJdbcConfig config =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .region(rds.region())
                    .credentialsProvider(creds)
                    .expiry(Duration.ofSeconds(10))
                    .retryBackoff(Duration.ofMillis(200), Duration.ofMillis(500))
                    .listener(events::add))
            .caBundle(rds.caPemFile())
            .build();
    HikariConfig h = pool(10);
    List<Throwable> failures;
    long openedDuringOutage;
    long openedAfterRecovery;
    try (IamHikariCredentialsProvider cp = IamHikari.configure(h, config);
        HikariDataSource pool = new HikariDataSource(h);
        Load load = new Load(pool, 4, Duration.ofSeconds(1))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> issued(events) >= 1);
      creds.down = true;
      long outageStart = rds.stats().connectionsOpened();
      // The refresh (at half the token's life) fails, and is retried while the token still serves.
      await().atMost(Duration.ofSeconds(30)).until(() -> failed(events).size() >= 3);
      openedDuringOutage = rds.stats().connectionsOpened() - outageStart;
      creds.down = false;
      await().atMost(Duration.ofSeconds(30)).until(() -> issued(events) >= 2);
      long recovered = rds.stats().connectionsOpened();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> rds.stats().connectionsOpened() >= recovered + 10);
      openedAfterRecovery = rds.stats().connectionsOpened() - recovered;
      failures = new ArrayList<>(load.failures);
      assertThat(cp.tokenProvider().target()).isEqualTo(rds.target("app"));
    }
    List<IamAuthEvent.RefreshFailed> failed = failed(events);
    List<IamAuthEvent.TokenIssued> tokens =
        events.stream()
            .filter(e -> e instanceof IamAuthEvent.TokenIssued)
            .map(e -> (IamAuthEvent.TokenIssued) e)
            .toList();
    System.out.printf(
        "HikariTokenLifetimesIT outage: %d refresh failures, %d connections opened during the"
            + " outage, %d after, %d failures%n",
        failed.size(), openedDuringOutage, openedAfterRecovery, failures.size());
    assertThat(failures).isEmpty();
    assertThat(openedDuringOutage).isPositive();
    // Every failure happened while the first token was still usable, and the next token came
    // before the first one stopped being usable: the outage was shorter than the token's life.
    assertThat(failed).allSatisfy(f -> assertThat(f.stillUsableUntil()).isNotNull());
    assertThat(tokens.get(1).at()).isBefore(tokens.get(0).usableUntil());
  }

  private static int issued(List<IamAuthEvent> events) {
    return (int) events.stream().filter(e -> e instanceof IamAuthEvent.TokenIssued).count();
  }

  private static List<IamAuthEvent.RefreshFailed> failed(List<IamAuthEvent> events) {
    return events.stream()
        .filter(e -> e instanceof IamAuthEvent.RefreshFailed)
        .map(e -> (IamAuthEvent.RefreshFailed) e)
        .toList();
  }
}
