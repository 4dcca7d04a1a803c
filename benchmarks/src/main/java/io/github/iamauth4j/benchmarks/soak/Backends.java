package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.testkit.server.PostgresServer;
import io.github.iamauth4j.testkit.server.RedisServer;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The real servers behind the emulators: a {@code redis-server} and a PostgreSQL, each started on
 * first use (from the installed Debian packages, on free ports in temporary directories) and shared
 * by the runs that use the same {@code Backends}, so that tests start each server once.
 */
public final class Backends implements AutoCloseable {
  static final String REDIS_ADMIN = "soak-admin";

  private final String redisAdminPassword = UUID.randomUUID().toString();
  private final int postgresMaxConnections;
  private @Nullable RedisServer redis;
  private @Nullable PostgresServer postgres;

  /**
   * @param postgresMaxConnections PostgreSQL's {@code max_connections}: the largest pool plus the
   *     probes and some room
   */
  public Backends(int postgresMaxConnections) {
    this.postgresMaxConnections = postgresMaxConnections;
  }

  /** Room for the largest HikariCP pool the settings allow. */
  public Backends() {
    this(SoakSettings.MAX_JDBC_CONNECTIONS + 50);
  }

  /** The Redis server, started on first use, with an administrator the emulators work as. */
  synchronized RedisServer redis() {
    RedisServer r = redis;
    if (r == null) {
      r =
          RedisServer.builder()
              .config(
                  "user " + REDIS_ADMIN + " on >" + redisAdminPassword + " ~* &* +@all",
                  "maxclients 10000")
              .auth(REDIS_ADMIN, redisAdminPassword)
              .start();
      redis = r;
    }
    return r;
  }

  String redisAdminPassword() {
    return redisAdminPassword;
  }

  /** The PostgreSQL server, started on first use. */
  synchronized PostgresServer postgres() {
    PostgresServer p = postgres;
    if (p == null) {
      p =
          PostgresServer.builder()
              .setting("max_connections", Integer.toString(postgresMaxConnections))
              .start();
      postgres = p;
    }
    return p;
  }

  /** Stops the servers that were started. */
  @Override
  public synchronized void close() {
    if (redis != null) {
      redis.close();
      redis = null;
    }
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }
}
