package io.github.iamauth4j.jdbc;

import io.github.iamauth4j.testkit.rds.RdsMySqlEmulator;
import io.github.iamauth4j.testkit.rds.RdsPostgresEmulator;
import io.github.iamauth4j.testkit.server.MariaDbServer;
import io.github.iamauth4j.testkit.server.PostgresServer;

/**
 * The real servers behind the emulators, started once per test JVM (they are processes; the
 * emulators in front of them are cheap and made per test class so that their counters start at
 * zero) and stopped when the JVM exits.
 */
public final class Backends {
  private static PostgresServer postgres;
  private static MariaDbServer mariadb;

  private Backends() {}

  /** The shared PostgreSQL server. */
  public static synchronized PostgresServer postgres() {
    if (postgres == null) {
      PostgresServer pg = PostgresServer.builder().setting("max_connections", "200").start();
      Runtime.getRuntime().addShutdownHook(new Thread(pg::close));
      postgres = pg;
    }
    return postgres;
  }

  /** The shared MariaDB server. */
  public static synchronized MariaDbServer mariadb() {
    if (mariadb == null) {
      MariaDbServer db = MariaDbServer.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(db::close));
      mariadb = db;
    }
    return mariadb;
  }

  /** A new RDS for PostgreSQL emulator in front of the shared server. */
  public static RdsPostgresEmulator rdsPostgres() {
    PostgresServer pg = postgres();
    return RdsPostgresEmulator.builder()
        .backend(pg.host(), pg.port())
        .backendAdmin(pg.superuser(), pg.superuserPassword())
        .start();
  }

  /** A new RDS for MySQL/MariaDB emulator in front of the shared server. */
  public static RdsMySqlEmulator rdsMySql() {
    MariaDbServer db = mariadb();
    return RdsMySqlEmulator.builder()
        .backend(db.host(), db.port())
        .backendAdmin(db.adminUser(), db.adminPassword())
        .grantDatabase(db.database())
        .start();
  }

  /**
   * URL parameters that make the driver sign with the emulators' trusted test credentials in their
   * region.
   */
  public static String iamParams() {
    return "iamRegion=us-east-1&iamCredentialsProvider="
        + ExampleCredentialsProvider.class.getName();
  }
}
