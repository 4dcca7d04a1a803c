package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenGenerator;
import io.github.iamauth4j.testkit.net.EmulatorServer;
import io.github.iamauth4j.testkit.net.EmulatorStats;
import io.github.iamauth4j.testkit.rds.RdsPostgresEmulator;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.server.PostgresServer;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.github.iamauth4j.testkit.tls.TlsMaterial;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * One run's emulator in front of the shared real server, and what every driver shares: the TLS
 * material to trust, the target and user, the switchable AWS credentials, the event counts, the
 * token provider's configuration, and a run id that keeps this run's keys apart from other runs'.
 */
final class Environment implements AutoCloseable {
  /** The emulated cache (replication group). */
  static final String CACHE = "orders";

  /** The IAM user every client connects as. */
  static final String USER = "app";

  /**
   * The static-password user of the connect comparison, beside the IAM user on the same endpoint (a
   * name valid for both a Redis ACL user and a PostgreSQL role).
   */
  static final String STATIC_USER = "soakstatic";

  /** The emulated region. */
  static final String REGION = "us-east-1";

  private final SoakSettings settings;
  private final @Nullable ElastiCacheEmulator cache;
  private final @Nullable RdsPostgresEmulator rds;
  private final @Nullable PostgresServer postgres;
  private final SwitchableCredentials aws =
      new SwitchableCredentials(TrustedCredentials.example().asProvider());
  private final EventCounts events = new EventCounts();
  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  private final String staticPassword;

  private Environment(
      SoakSettings settings,
      @Nullable ElastiCacheEmulator cache,
      @Nullable RdsPostgresEmulator rds,
      @Nullable PostgresServer postgres,
      String staticPassword) {
    this.settings = settings;
    this.staticPassword = staticPassword;
    this.cache = cache;
    this.rds = rds;
    this.postgres = postgres;
  }

  /** Starts the run's emulator (and its backend server, if the backends have not yet). */
  static Environment start(SoakSettings settings, Backends backends) {
    String password = UUID.randomUUID().toString();
    if (settings.adapter().isRedis()) {
      RedisServer redis = backends.redis();
      ElastiCacheEmulator cache =
          ElastiCacheEmulator.builder()
              .backend(redis.host(), redis.port())
              .backendAdmin(Backends.REDIS_ADMIN, backends.redisAdminPassword())
              .cacheName(CACHE)
              .region(REGION)
              .trust(TrustedCredentials.example())
              .connectionLimit(settings.limit())
              // A user group as in a migration: the IAM user, and a user with a password.
              .iamUser(USER)
              .passwordUser(STATIC_USER, password)
              .start();
      return new Environment(settings, cache, null, null, password);
    }
    PostgresServer pg = backends.postgres();
    RdsPostgresEmulator rds =
        RdsPostgresEmulator.builder()
            .backend(pg.host(), pg.port())
            .backendAdmin(pg.superuser(), pg.superuserPassword())
            .region(REGION)
            .trust(TrustedCredentials.example())
            .passwordUser(STATIC_USER, password)
            .start();
    return new Environment(settings, null, rds, pg, password);
  }

  SoakSettings settings() {
    return settings;
  }

  EmulatorServer emulator() {
    return cache != null ? cache : Objects.requireNonNull(rds);
  }

  EmulatorStats stats() {
    return emulator().stats();
  }

  ElastiCacheEmulator cache() {
    return Objects.requireNonNull(cache, "the ElastiCache emulator (Redis adapters only)");
  }

  RdsPostgresEmulator rds() {
    return Objects.requireNonNull(rds, "the RDS emulator (JDBC only)");
  }

  /** The database behind the RDS emulator. */
  String database() {
    return Objects.requireNonNull(postgres, "PostgreSQL (JDBC only)").database();
  }

  String host() {
    return emulator().host();
  }

  int port() {
    return emulator().port();
  }

  TlsMaterial tls() {
    return cache != null ? cache.tls() : Objects.requireNonNull(rds).tls();
  }

  KeyStore trustStore() {
    return tls().trustStore();
  }

  TrustManagerFactory trustManagers() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore());
      return tmf;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a trust manager for the emulator's CA", e);
    }
  }

  SSLContext sslContext() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, trustManagers().getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context for the emulator's CA", e);
    }
  }

  SwitchableCredentials aws() {
    return aws;
  }

  EventCounts events() {
    return events;
  }

  /** A short id for this run, in its keys and channel names. */
  String runId() {
    return runId;
  }

  IamTarget target() {
    return cache != null ? cache.target(USER) : Objects.requireNonNull(rds).target(USER);
  }

  /**
   * The token provider's settings without a target (the JDBC adapter's template): the run's AWS
   * credentials, region, compressed token life and the event counts.
   */
  IamAuthConfig.Builder authTemplate() {
    return IamAuthConfig.builder()
        .region(REGION)
        .credentialsProvider(aws)
        .expiry(settings.tokenLife())
        .refreshBeforeExpiry(settings.tokenRefreshLead())
        .safetyMargin(settings.tokenSafetyMargin())
        .retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
        .listener(events);
  }

  /** The token provider's configuration for the Redis adapters. */
  IamAuthConfig config() {
    return authTemplate().target(target()).build();
  }

  /**
   * The user of the connect comparison's other side: {@link #STATIC_USER}, a user the real server
   * behind the emulator judges by its own password, as a user that has not moved to IAM; or, with
   * {@link SoakSettings#staticToken()}, the IAM user itself.
   */
  String staticUser() {
    return settings.staticToken() ? USER : STATIC_USER;
  }

  /**
   * Its password: {@link #STATIC_USER}'s; or, with {@link SoakSettings#staticToken()}, a token
   * signed now (for 15 minutes) and then sent as a fixed password by the client without the
   * adapter, so that the emulator does the same work for both sides and the difference is what the
   * adapter adds on the client. Never logged.
   */
  String staticPassword() {
    if (!settings.staticToken()) {
      return staticPassword;
    }
    return IamTokenGenerator.builder()
        .target(target())
        .region(REGION)
        .credentialsProvider(TrustedCredentials.example().asProvider())
        .build()
        .generate()
        .value();
  }

  @Override
  public void close() {
    if (cache != null) {
      cache.close();
    }
    if (rds != null) {
      rds.close();
    }
  }
}
