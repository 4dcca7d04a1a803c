package io.github.iamauth4j.examples;

import com.zaxxer.hikari.HikariDataSource;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.examples.spring.SpringBootExample;
import io.github.iamauth4j.jdbc.IamDriver;
import io.github.iamauth4j.testkit.net.EmulatorStats;
import io.github.iamauth4j.testkit.rds.DsqlEmulator;
import io.github.iamauth4j.testkit.rds.RdsMySqlEmulator;
import io.github.iamauth4j.testkit.rds.RdsPostgresEmulator;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.server.MariaDbServer;
import io.github.iamauth4j.testkit.server.PostgresServer;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.redisson.api.RAtomicLong;
import org.redisson.api.RTopic;
import org.redisson.client.codec.StringCodec;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The local tour: each example against the testkit's IAM emulators, which check every token as AWS
 * does, in front of real Redis, PostgreSQL and MariaDB servers. No AWS account: the emulators trust
 * AWS's documented example keys. Exits 1 if any step does not behave as described.
 */
public final class Tour {
  private static final TrustedCredentials IDENTITY = TrustedCredentials.example();
  private static final Duration CONNECTION_LIMIT = Duration.ofSeconds(5);

  private final List<String> failures = new ArrayList<>();

  private Tour() {}

  /**
   * Runs the tour.
   *
   * @param args ignored
   * @throws Exception if a server cannot be started
   */
  public static void main(String[] args) throws Exception {
    Tour tour = new Tour();
    tour.elastiCacheWithLettuce();
    tour.elastiCacheWithJedis();
    tour.elastiCacheWithValkeyJava();
    tour.elastiCacheWithRedisson();
    tour.postgresWithHikari();
    tour.mysqlByUrlAlone();
    tour.dsqlByUrlAlone();
    tour.springBootByPropertiesAlone();
    tour.migrationFromAPassword();
    tour.refusals();
    System.out.println();
    if (tour.failures.isEmpty()) {
      System.out.println("Tour complete: every step behaved as described.");
      System.exit(0);
    }
    System.out.println("Tour FAILED: " + String.join("; ", tour.failures));
    System.exit(1);
  }

  /** A real Redis with an administrator the emulator uses to create the IAM user's ACL user. */
  private static RedisServer redisWithAdmin() {
    return RedisServer.builder()
        .config("user admin on >admin-pw ~* &* +@all")
        .auth("admin", "admin-pw")
        .start();
  }

  /** An emulated ElastiCache cache "orders" in us-east-1 in front of {@code redis}. */
  private static ElastiCacheEmulator elastiCacheIn(RedisServer redis) {
    return ElastiCacheEmulator.builder()
        .backend(redis.host(), redis.port())
        .backendAdmin("admin", "admin-pw")
        .kind(IamTarget.Kind.ELASTICACHE)
        .cacheName("orders")
        .region("us-east-1")
        .trust(IDENTITY)
        .connectionLimit(CONNECTION_LIMIT)
        .start();
  }

  /** The renewal policy the Redis steps use under the compressed limit. */
  private static RenewalPolicy compressedPolicy() {
    return RenewalPolicy.builder()
        .connectionLimit(CONNECTION_LIMIT)
        .reauthenticationInterval(Duration.ofSeconds(2))
        .reauthenticationJitter(Duration.ofMillis(500))
        .maxConnectionAge(Duration.ofSeconds(4))
        .maxConnectionAgeJitter(Duration.ofSeconds(1))
        .build();
  }

  private void check(boolean ok, String what) {
    System.out.println("   " + (ok ? "ok   " : "FAIL ") + what);
    if (!ok) {
      failures.add(what);
    }
  }

  private static void section(String title) {
    System.out.println();
    System.out.println("== " + title);
  }

  /** Lettuce on an emulated ElastiCache whose 12-hour limit is compressed to 5 seconds. */
  private void elastiCacheWithLettuce() throws Exception {
    section(
        "ElastiCache with Lettuce: live connections re-authenticated before the server's limit"
            + " (12 h, here "
            + CONNECTION_LIMIT.toSeconds()
            + " s)");
    try (RedisServer redis = redisWithAdmin();
        ElastiCacheEmulator cache = elastiCacheIn(redis)) {
      try (LettuceExample.Connected app =
          LettuceExample.connect(
              cache.host(),
              cache.port(),
              IDENTITY.asProvider(),
              cache.tls().trustStore(),
              compressedPolicy())) {
        String whoami = app.connection().sync().aclWhoami();
        System.out.println("   ACL WHOAMI -> " + whoami);
        check("app".equals(whoami), "the connection is the IAM user, over verified TLS");
        int ok = 0;
        int failed = 0;
        long until = System.nanoTime() + CONNECTION_LIMIT.multipliedBy(2).toNanos();
        while (System.nanoTime() < until) {
          try {
            app.connection().sync().incr("tour:counter");
            ok++;
          } catch (RuntimeException e) {
            failed++;
          }
          TimeUnit.MILLISECONDS.sleep(50);
        }
        EmulatorStats s = cache.stats();
        System.out.printf(
            "   %d commands over %d s (two connection limits): %d failed; the emulator saw %d"
                + " re-authentications and closed %d connections at the limit%n",
            ok + failed,
            CONNECTION_LIMIT.multipliedBy(2).toSeconds(),
            failed,
            s.reauthentications(),
            s.connectionsClosedAtLimit());
        check(failed == 0, "no command failed");
        check(s.reauthentications() > 0, "the live connection was re-authenticated with AUTH");
        check(s.connectionsClosedAtLimit() == 0, "no connection was closed at the limit");
      }
    }
  }

  /** Jedis on an emulated ElastiCache whose 12-hour limit is compressed. */
  @SuppressWarnings("deprecation") // UnifiedJedis has no typed ACL WHOAMI
  private void elastiCacheWithJedis() throws Exception {
    section(
        "ElastiCache with Jedis: each pooled connection re-authenticated on its own interval"
            + " (12 h, here "
            + CONNECTION_LIMIT.toSeconds()
            + " s)");
    try (RedisServer redis = redisWithAdmin();
        ElastiCacheEmulator cache = elastiCacheIn(redis)) {
      try (JedisExample.Connected app =
          JedisExample.connect(
              cache.host(),
              cache.port(),
              IDENTITY.asProvider(),
              cache.tls().trustStore(),
              compressedPolicy())) {
        Object reply = app.client().sendCommand(Protocol.Command.ACL, "WHOAMI");
        String whoami = SafeEncoder.encode((byte[]) reply);
        System.out.println("   ACL WHOAMI -> " + whoami);
        check("app".equals(whoami), "the connection is the IAM user, over verified TLS");
        int ok = 0;
        int failed = 0;
        long until = System.nanoTime() + CONNECTION_LIMIT.multipliedBy(2).toNanos();
        while (System.nanoTime() < until) {
          try {
            app.client().incr("tour:jedis");
            ok++;
          } catch (RuntimeException e) {
            failed++;
          }
          TimeUnit.MILLISECONDS.sleep(50);
        }
        EmulatorStats s = cache.stats();
        System.out.printf(
            "   %d commands over %d s (two connection limits): %d failed; the emulator saw %d"
                + " re-authentications and closed %d connections at the limit%n",
            ok + failed,
            CONNECTION_LIMIT.multipliedBy(2).toSeconds(),
            failed,
            s.reauthentications(),
            s.connectionsClosedAtLimit());
        check(failed == 0, "no command failed");
        check(s.reauthentications() > 0, "the pooled connection was re-authenticated with AUTH");
        check(s.connectionsClosedAtLimit() == 0, "no connection was closed at the limit");
      }
    }
  }

  /** Redisson on an emulated ElastiCache whose 12-hour limit is compressed. */
  private void elastiCacheWithRedisson() throws Exception {
    section(
        "ElastiCache with Redisson: every connection, pub/sub included, re-authenticated through"
            + " nextRenewal() before the server's limit (12 h, here "
            + CONNECTION_LIMIT.toSeconds()
            + " s)");
    try (RedisServer redis = redisWithAdmin();
        ElastiCacheEmulator cache = elastiCacheIn(redis)) {
      try (RedissonExample.Connected app =
          RedissonExample.connect(
              cache.host(),
              cache.port(),
              IDENTITY.asProvider(),
              cache.tls().trustStore(),
              compressedPolicy())) {
        RTopic topic = app.redisson().getTopic("tour:news", StringCodec.INSTANCE);
        List<String> received = new CopyOnWriteArrayList<>();
        topic.addListener(String.class, (channel, message) -> received.add(message));
        RAtomicLong counter = app.redisson().getAtomicLong("tour:redisson");
        int ok = 0;
        int failed = 0;
        int published = 0;
        long until = System.nanoTime() + CONNECTION_LIMIT.multipliedBy(2).toNanos();
        while (System.nanoTime() < until) {
          try {
            counter.incrementAndGet();
            topic.publish("news " + published);
            published++;
            ok++;
          } catch (RuntimeException e) {
            failed++;
          }
          TimeUnit.MILLISECONDS.sleep(50);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received.size() < published && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(20);
        }
        EmulatorStats s = cache.stats();
        System.out.printf(
            "   %d commands over %d s (two connection limits): %d failed; %d/%d pub/sub messages"
                + " received; the emulator saw %d re-authentications and closed %d connections at"
                + " the limit%n",
            ok + failed,
            CONNECTION_LIMIT.multipliedBy(2).toSeconds(),
            failed,
            received.size(),
            published,
            s.reauthentications(),
            s.connectionsClosedAtLimit());
        check(failed == 0, "no command failed");
        check(received.size() == published, "every pub/sub message arrived across the renewals");
        check(s.reauthentications() > 0, "live connections were re-authenticated with AUTH");
        check(s.connectionsClosedAtLimit() == 0, "no connection was closed at the limit");
      }
    }
  }

  /** valkey-java's JedisPooled on an emulated ElastiCache whose 12-hour limit is compressed. */
  private void elastiCacheWithValkeyJava() throws Exception {
    section(
        "ElastiCache with valkey-java: pooled connections and a blocked subscriber re-authenticated"
            + " before the server's limit (12 h, here "
            + CONNECTION_LIMIT.toSeconds()
            + " s)");
    try (RedisServer redis = redisWithAdmin();
        ElastiCacheEmulator cache = elastiCacheIn(redis)) {
      try (ValkeyExample.Connected app =
          ValkeyExample.connect(
              cache.host(),
              cache.port(),
              IDENTITY.asProvider(),
              cache.tls().trustStore(),
              compressedPolicy())) {
        Object whoami = app.valkey().sendCommand(io.valkey.Protocol.Command.ACL, "WHOAMI");
        String user =
            whoami instanceof byte[] b
                ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                : String.valueOf(whoami);
        System.out.println("   ACL WHOAMI -> " + user);
        check("app".equals(user), "the pooled connection is the IAM user, over verified TLS");
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
        io.valkey.JedisPubSub listener =
            new io.valkey.JedisPubSub() {
              @Override
              public void onSubscribe(String channel, int count) {
                subscribed.countDown();
              }

              @Override
              public void onMessage(String channel, String message) {
                received.add(message);
              }
            };
        Thread subscriber =
            new Thread(() -> app.valkey().subscribe(listener, "tour"), "tour-subscriber");
        subscriber.setDaemon(true);
        subscriber.start();
        check(subscribed.await(10, TimeUnit.SECONDS), "a subscriber is blocked in subscribe()");
        int ok = 0;
        int failed = 0;
        long until = System.nanoTime() + CONNECTION_LIMIT.multipliedBy(2).toNanos();
        while (System.nanoTime() < until) {
          try {
            app.valkey().incr("tour:counter");
            app.valkey().publish("tour", "m" + ok);
            ok++;
          } catch (RuntimeException e) {
            failed++;
          }
          TimeUnit.MILLISECONDS.sleep(50);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received.size() < ok && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(20);
        }
        listener.unsubscribe();
        subscriber.join(5_000);
        EmulatorStats s = cache.stats();
        System.out.printf(
            "   %d commands over %d s (two connection limits): %d failed; %d/%d messages reached"
                + " the subscriber; the emulator saw %d re-authentications and closed %d"
                + " connections at the limit%n",
            ok + failed,
            CONNECTION_LIMIT.multipliedBy(2).toSeconds(),
            failed,
            received.size(),
            ok,
            s.reauthentications(),
            s.connectionsClosedAtLimit());
        check(failed == 0, "no command failed");
        check(received.size() == ok, "the blocked subscriber received every message");
        check(s.reauthentications() > 0, "pooled and subscribed connections were re-authenticated");
        check(s.connectionsClosedAtLimit() == 0, "no connection was closed at the limit");
      }
    }
  }

  /** A HikariCP 7 pool on an emulated RDS PostgreSQL endpoint. */
  private void postgresWithHikari() throws Exception {
    section("RDS PostgreSQL with a HikariCP 7 pool: one cached token serves many connections");
    try (PostgresServer pg = PostgresServer.builder().start();
        RdsPostgresEmulator rds =
            RdsPostgresEmulator.builder()
                .backend(pg.host(), pg.port())
                .backendAdmin(pg.superuser(), pg.superuserPassword())
                .region("us-east-1")
                .trust(IDENTITY)
                .start()) {
      AtomicInteger tokens = new AtomicInteger();
      String url = "jdbc:postgresql://localhost:" + rds.port() + "/" + pg.database();
      System.out.println("   jdbcUrl " + url + " (no password; sslmode=verify-full is added)");
      try (HikariDataSource pool =
          HikariExample.pool(
              url,
              "app",
              IDENTITY.asProvider(),
              rds.caPemFile(),
              e -> {
                if (e instanceof IamAuthEvent.TokenIssued) {
                  tokens.incrementAndGet();
                }
              })) {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          results.add(threads.submit(() -> query(pool.getConnection(), "select current_user")));
        }
        int asApp = 0;
        for (Future<String> f : results) {
          asApp += "app".equals(f.get()) ? 1 : 0;
        }
        threads.shutdown();
        pool.getHikariPoolMXBean().softEvictConnections();
        String after = query(pool.getConnection(), "select current_user");
        System.out.printf(
            "   %d queries as %s on %d connections opened; tokens minted: %d%n",
            results.size() + 1, after, rds.stats().connectionsOpened(), tokens.get());
        check(asApp == results.size() && "app".equals(after), "every query ran as the IAM user");
        check(
            tokens.get() == 1 && rds.stats().connectionsOpened() > 1,
            "connections reuse the cached token (RDS throttles new tokens, not reuse)");
        check(rds.stats().authenticationsRejected() == 0, "the emulator refused no token");
      }
    }
  }

  /** The {@code jdbc:iamauth4j:} driver on an emulated RDS MySQL endpoint. */
  private void mysqlByUrlAlone() throws Exception {
    section("RDS MySQL by JDBC URL alone (what a Spring Boot app sets)");
    try (MariaDbServer db = MariaDbServer.builder().start();
        RdsMySqlEmulator rds =
            RdsMySqlEmulator.builder()
                .backend(db.host(), db.port())
                .backendAdmin(db.adminUser(), db.adminPassword())
                .region("us-east-1")
                .trust(IDENTITY)
                .start()) {
      // An app on AWS gets credentials from its role; here the SDK's default chain reads the
      // same system properties an app could set.
      System.setProperty("aws.accessKeyId", IDENTITY.accessKeyId());
      System.setProperty("aws.secretAccessKey", IDENTITY.secretAccessKey());
      String url =
          "jdbc:iamauth4j:mariadb://localhost:"
              + rds.port()
              + "/"
              + db.database()
              + "?iamRegion=us-east-1&iamCaBundle="
              + rds.caPemFile();
      System.out.println("   spring.datasource.url=" + url);
      System.out.println("   spring.datasource.username=app");
      System.out.println(
          "   spring.datasource.driver-class-name=io.github.iamauth4j.jdbc.IamDriver");
      String user = JdbcUrlExample.currentUser(url, "app");
      System.out.println("   select current_user() -> " + user);
      check(
          user.startsWith("app@"), "connected as the IAM user through mysql_clear_password in TLS");
    }
  }

  /** Aurora DSQL by JDBC URL alone: admin and a role, one token each, one-hour sessions. */
  private void dsqlByUrlAlone() throws Exception {
    section("Aurora DSQL by JDBC URL alone: admin and a custom role, each token reused");
    try (PostgresServer pg = PostgresServer.builder().start();
        DsqlEmulator dsql =
            DsqlEmulator.builder()
                .backend(pg.host(), pg.port())
                .backendAdmin(pg.superuser(), pg.superuserPassword())
                .region("us-east-1")
                .trust(IDENTITY)
                .sessionLimit(Duration.ofSeconds(3)) // DSQL: one hour
                .start()) {
      System.setProperty("aws.accessKeyId", IDENTITY.accessKeyId());
      System.setProperty("aws.secretAccessKey", IDENTITY.secretAccessKey());
      // On AWS: jdbc:iamauth4j:dsql://<id>.dsql.us-east-1.on.aws/postgres, the region read from
      // the host name and the JVM's trust store for DSQL's public CA; here localhost needs both.
      String url =
          "jdbc:iamauth4j:dsql://localhost:"
              + dsql.port()
              + "/postgres?iamRegion=us-east-1&iamCaBundle="
              + dsql.caPemFile();
      System.out.println("   spring.datasource.url=" + url);
      System.out.println("   spring.datasource.username=admin   (or a role, e.g. app)");
      AtomicInteger tokens = new AtomicInteger();
      IamAuthListener counter =
          e -> {
            if (e instanceof IamAuthEvent.TokenIssued t
                && t.target().kind() == IamTarget.Kind.DSQL) {
              tokens.incrementAndGet();
            }
          };
      IamDriver.addListener(counter);
      int asAdmin = 0;
      int asApp = 0;
      try {
        for (int i = 0; i < 5; i++) {
          String admin =
              query(DriverManager.getConnection(url, "admin", null), "select current_user");
          String app = query(DriverManager.getConnection(url, "app", null), "select current_user");
          asAdmin += "admin".equals(admin) ? 1 : 0;
          asApp += "app".equals(app) ? 1 : 0;
        }
        // No wait needed: the provider tells listeners of a token before the connection that
        // waited for it gets it.
      } finally {
        IamDriver.removeListener(counter);
      }
      System.out.printf(
          "   10 connections (5 as admin, 5 as app); tokens minted: %d%n", tokens.get());
      check(asAdmin == 5 && asApp == 5, "admin (DbConnectAdmin) and app (DbConnect) both connect");
      check(tokens.get() == 2, "one token per role, reused: not one per connection");
      String afterLimit;
      try (Connection c = DriverManager.getConnection(url, "app", null)) {
        long closed = dsql.stats().connectionsClosedAtLimit();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (dsql.stats().connectionsClosedAtLimit() == closed && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        afterLimit =
            firstLine(
                () -> {
                  try (Statement s = c.createStatement()) {
                    s.execute("select 1");
                  }
                  return () -> {};
                });
      }
      System.out.println("   a query after the session limit -> " + afterLimit);
      check(
          afterLimit.contains("session limit"),
          "DSQL ends a session after its limit: pools must retire connections first"
              + " (IamHikari lowers a DSQL pool's maxLifetime above 55 min to 55 min)");
    }
  }

  /** What a user sees when something is wrong: one clear line, never the token. */
  /** A Spring Boot app made passwordless by one dependency and properties: Redis and a database. */
  private void springBootByPropertiesAlone() throws Exception {
    section(
        "Spring Boot: iamauth4j-spring-boot and properties only (Spring Data Redis with Jedis,"
            + " and spring.datasource.url=jdbc:iamauth4j:… with a user name)");
    try (RedisServer redis = redisWithAdmin();
        ElastiCacheEmulator cache = elastiCacheIn(redis);
        PostgresServer pg = PostgresServer.builder().start();
        RdsPostgresEmulator rds =
            RdsPostgresEmulator.builder()
                .backend(pg.host(), pg.port())
                .backendAdmin(pg.superuser(), pg.superuserPassword())
                .region("us-east-1")
                .trust(IDENTITY)
                .start()) {
      // An app on AWS gets credentials from its role; here the SDK's default chain reads them.
      System.setProperty("aws.accessKeyId", IDENTITY.accessKeyId());
      System.setProperty("aws.secretAccessKey", IDENTITY.secretAccessKey());
      List<String> properties =
          List.of(
              "spring.data.redis.client-type=jedis",
              "spring.data.redis.host=localhost",
              "spring.data.redis.port=" + cache.port(),
              "spring.data.redis.ssl.enabled=true",
              "spring.data.redis.ssl.bundle=emulator",
              "spring.ssl.bundle.pem.emulator.truststore.certificate=file:"
                  + cache.tls().caPemFile(),
              "iamauth4j.redis.cache-name=orders",
              "iamauth4j.redis.user=app",
              "iamauth4j.redis.region=us-east-1",
              "iamauth4j.redis.connection-limit=" + CONNECTION_LIMIT.toMillis() + "ms",
              "iamauth4j.redis.reauthentication-interval=2s",
              "spring.datasource.url=jdbc:iamauth4j:postgresql://localhost:"
                  + rds.port()
                  + "/"
                  + pg.database(),
              "spring.datasource.username=app",
              "iamauth4j.datasource.region=us-east-1",
              "iamauth4j.datasource.ca-bundle=" + rds.caPemFile());
      properties.forEach(p -> System.out.println("   " + p));
      try (ConfigurableApplicationContext app = SpringBootExample.start(properties)) {
        String dbUser = SpringBootExample.databaseUser(app);
        System.out.println("   JdbcTemplate: select current_user -> " + dbUser);
        check(
            "app".equals(dbUser),
            "the data source from the URL and user name alone is the IAM user");
        int failed = 0;
        long visits = 0;
        long end = System.nanoTime() + CONNECTION_LIMIT.multipliedBy(2).toNanos();
        while (System.nanoTime() < end) {
          try {
            visits = SpringBootExample.countVisit(app);
          } catch (RuntimeException e) {
            failed++;
          }
          Thread.sleep(50);
        }
        System.out.printf(
            "   StringRedisTemplate: %d INCRs across two %d-second limits, %d failed%n",
            visits, CONNECTION_LIMIT.toSeconds(), failed);
        check(
            failed == 0 && cache.stats().connectionsClosedAtLimit() == 0,
            "no command failed and no connection reached the limit");
        MeterRegistry meters = app.getBean(MeterRegistry.class);
        double reauthentications =
            meters
                .get("iamauth4j.reauthentications")
                .tag("target", "orders")
                .functionCounter()
                .count();
        double tokens =
            meters.get("iamauth4j.tokens.issued").tag("kind", "rds").functionCounter().count();
        System.out.printf(
            "   meters: iamauth4j.reauthentications{target=orders} %.0f,"
                + " iamauth4j.tokens.issued{kind=rds} %.0f%n",
            reauthentications, tokens);
        check(reauthentications > 0, "re-authentications reached the app's meters by themselves");
        String health =
            app.getBean(HealthEndpoint.class).healthForPath("iamauth4jRedis").getStatus().getCode();
        System.out.println("   /actuator/health/iamauth4jRedis -> " + health);
        check("UP".equals(health), "the health indicator shows the token provider UP");
      }
    }
  }

  /**
   * AWS's migration from a database password to IAM: both users exist, the app connects IAM first
   * and falls back to the old password while IAM does not work, and comes back to IAM by itself.
   */
  private void migrationFromAPassword() throws Exception {
    section("Migrating from a password: IAM first, the old password while IAM fails, back to IAM");
    String legacyPassword = "legacy-" + Long.toHexString(System.nanoTime());
    java.nio.file.Path passwordFile = java.nio.file.Files.createTempFile("app_legacy", ".pw");
    java.nio.file.Files.writeString(passwordFile, legacyPassword);
    List<IamAuthEvent.PasswordFallback> fallbacks = new CopyOnWriteArrayList<>();
    IamAuthListener listener =
        e -> {
          if (e instanceof IamAuthEvent.PasswordFallback f) {
            fallbacks.add(f);
          }
        };
    IamDriver.addListener(listener);
    try (PostgresServer pg = PostgresServer.builder().start();
        RdsPostgresEmulator rds =
            RdsPostgresEmulator.builder()
                .backend(pg.host(), pg.port())
                .backendAdmin(pg.superuser(), pg.superuserPassword())
                .region("us-east-1")
                .trust(IDENTITY)
                .iamUser("app")
                .passwordUser("app_legacy", legacyPassword)
                .start()) {
      System.setProperty("aws.accessKeyId", IDENTITY.accessKeyId());
      System.setProperty("aws.secretAccessKey", IDENTITY.secretAccessKey());
      String url =
          "jdbc:iamauth4j:postgresql://localhost:"
              + rds.port()
              + "/"
              + pg.database()
              + "?iamRegion=us-east-1&iamCaBundle="
              + rds.caPemFile()
              + "&iamFallbackUser=app_legacy&iamFallbackPasswordFile="
              + passwordFile
              + "&iamFallbackRetryIamAfter=1";
      System.out.println("   users: app (rds_iam, tokens only), app_legacy (its old password)");
      System.out.println(
          "   url adds iamFallbackUser=app_legacy&iamFallbackPasswordFile=<file> (never the"
              + " password)");
      String before = query(DriverManager.getConnection(url, "app", null), "select current_user");
      System.out.println("   1. IAM works:            select current_user -> " + before);
      check("app".equals(before) && fallbacks.isEmpty(), "IAM first, no fallback while it works");

      rds.removeIamUser("app"); // IAM broken: the server now refuses app's tokens
      List<String> during = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        during.add(query(DriverManager.getConnection(url, "app", null), "select current_user"));
      }
      System.out.println("   2. rds_iam revoked:      select current_user -> " + during);
      System.out.println(
          "      fallbacks: "
              + fallbacks.size()
              + " ("
              + (fallbacks.isEmpty() ? "-" : fallbacks.get(0).reason())
              + "), each a WARN line without the password");
      check(
          during.stream().allMatch("app_legacy"::equals) && fallbacks.size() == 3,
          "every connection still works, on the password, each fallback reported");

      rds.addIamUser("app"); // IAM fixed
      Thread.sleep(1_100); // iamFallbackRetryIamAfter=1: IAM is tried again after a second
      String after = query(DriverManager.getConnection(url, "app", null), "select current_user");
      System.out.println("   3. IAM fixed:            select current_user -> " + after);
      check("app".equals(after), "back on IAM without a restart");
      System.out.println("   emulator metrics: " + rds.metrics().byName());
    } finally {
      IamDriver.removeListener(listener);
      IamDriver.closeSharedTokenProviders();
      java.nio.file.Files.deleteIfExists(passwordFile);
    }
  }

  private void refusals() throws Exception {
    section("Refusals: clear errors, and no token sent without TLS");
    try (PostgresServer pg = PostgresServer.builder().start();
        RdsPostgresEmulator rds =
            RdsPostgresEmulator.builder()
                .backend(pg.host(), pg.port())
                .backendAdmin(pg.superuser(), pg.superuserPassword())
                .region("us-east-1")
                .trust(IDENTITY)
                .start()) {
      String base = "jdbc:iamauth4j:postgresql://localhost:" + rds.port() + "/" + pg.database();
      String wrongRegion = base + "?iamRegion=eu-west-1&iamCaBundle=" + rds.caPemFile();
      String refused = firstLine(() -> DriverManager.getConnection(wrongRegion, "app", null));
      System.out.println("   token signed for the wrong region -> " + refused);
      check(
          refused.contains("PAM authentication failed for user \"app\""),
          "a wrong token fails with the server's own error");
      long before = rds.stats().authenticationsAccepted() + rds.stats().authenticationsRejected();
      String plaintext =
          firstLine(() -> DriverManager.getConnection(base + "?sslmode=disable", "app", null));
      System.out.println("   sslmode=disable -> " + plaintext);
      long after = rds.stats().authenticationsAccepted() + rds.stats().authenticationsRejected();
      check(
          plaintext.contains("sslmode") && after == before,
          "plaintext is refused before any token is sent");
    }
  }

  private interface Attempt {
    AutoCloseable run() throws SQLException;
  }

  private static String firstLine(Attempt attempt) {
    try {
      attempt.run().close();
      return "(connected: not refused)";
    } catch (Exception e) {
      String m = String.valueOf(e.getMessage());
      int nl = m.indexOf('\n');
      return nl < 0 ? m : m.substring(0, nl);
    }
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (c;
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
