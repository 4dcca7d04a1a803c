package io.github.iamauth4j.jdbc.internal;

import java.util.Locale;
import java.util.Optional;

/** The database engines (and their JDBC drivers) the adapter knows. */
public enum Engine {
  /** PostgreSQL through pgjdbc: RDS for PostgreSQL, Aurora PostgreSQL, RDS Proxy. */
  POSTGRESQL("postgresql", "postgresql", 5432, "org.postgresql.Driver"),
  /** MySQL through MySQL Connector/J: RDS for MySQL, Aurora MySQL, RDS Proxy. */
  MYSQL("mysql", "mysql", 3306, "com.mysql.cj.jdbc.Driver"),
  /** MariaDB (or MySQL) through MariaDB Connector/J: RDS for MariaDB, RDS for MySQL. */
  MARIADB("mariadb", "mariadb", 3306, "org.mariadb.jdbc.Driver"),
  /** Aurora DSQL: the PostgreSQL wire protocol through pgjdbc, tokens signed for {@code dsql}. */
  DSQL("dsql", "postgresql", 5432, "org.postgresql.Driver");

  private final String iamScheme;
  private final String driverScheme;
  private final int defaultPort;
  private final String driverClassName;

  Engine(String iamScheme, String driverScheme, int defaultPort, String driverClassName) {
    this.iamScheme = iamScheme;
    this.driverScheme = driverScheme;
    this.defaultPort = defaultPort;
    this.driverClassName = driverClassName;
  }

  /** The sub-protocol after {@code jdbc:iamauth4j:}, e.g. {@code dsql}. */
  public String iamScheme() {
    return iamScheme;
  }

  /** The real driver's sub-protocol, e.g. {@code postgresql} for DSQL. */
  public String driverScheme() {
    return driverScheme;
  }

  /** The port used when the URL names none. */
  public int defaultPort() {
    return defaultPort;
  }

  /** The real driver's class, used when {@code DriverManager} does not find one. */
  public String driverClassName() {
    return driverClassName;
  }

  /** Whether the real driver is pgjdbc. */
  public boolean isPostgresWire() {
    return this == POSTGRESQL || this == DSQL;
  }

  /**
   * The engine for an iamauth4j sub-protocol.
   *
   * @param scheme e.g. {@code postgresql}
   */
  public static Optional<Engine> forIamScheme(String scheme) {
    String s = scheme.toLowerCase(Locale.ROOT);
    for (Engine e : values()) {
      if (e.iamScheme.equals(s)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /**
   * The engine for a real driver's sub-protocol ({@code postgresql}, {@code mysql}, {@code
   * mariadb}); DSQL is recognised by host name elsewhere.
   *
   * @param scheme e.g. {@code mysql}
   */
  public static Optional<Engine> forDriverScheme(String scheme) {
    switch (scheme.toLowerCase(Locale.ROOT)) {
      case "postgresql":
        return Optional.of(POSTGRESQL);
      case "mysql":
        return Optional.of(MYSQL);
      case "mariadb":
        return Optional.of(MARIADB);
      default:
        return Optional.empty();
    }
  }
}
