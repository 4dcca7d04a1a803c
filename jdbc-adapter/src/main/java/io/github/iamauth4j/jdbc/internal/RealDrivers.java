package io.github.iamauth4j.jdbc.internal;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Enumeration;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/** Finds the real JDBC driver for a driver URL. */
public final class RealDrivers {
  private static final ConcurrentMap<String, Driver> BY_CLASS = new ConcurrentHashMap<>();

  private RealDrivers() {}

  /**
   * The driver that accepts {@code url}: the engine's own driver class when it is on the class path
   * (so that, e.g., MariaDB Connector/J is not picked for a {@code jdbc:mysql:} URL meant for MySQL
   * Connector/J), else whichever registered driver accepts the URL.
   *
   * @param url the driver URL
   * @param engine the engine
   * @throws SQLException naming the missing driver
   */
  public static Driver forUrl(String url, Engine engine) throws SQLException {
    Driver own = byClass(engine.driverClassName());
    if (own != null && own.acceptsURL(url)) {
      return own;
    }
    Enumeration<Driver> registered = DriverManager.getDrivers();
    while (registered.hasMoreElements()) {
      Driver d = registered.nextElement();
      if (!d.getClass().getName().startsWith("io.github.iamauth4j.") && d.acceptsURL(url)) {
        return d;
      }
    }
    for (Driver d : ServiceLoader.load(Driver.class)) {
      if (!d.getClass().getName().startsWith("io.github.iamauth4j.") && d.acceptsURL(url)) {
        return d;
      }
    }
    throw new SQLException(
        "no JDBC driver accepts jdbc:"
            + engine.driverScheme()
            + ": URLs; add "
            + engine.driverClassName()
            + "'s library (e.g. "
            + artifact(engine)
            + ") to the class path",
        "08001");
  }

  private static @Nullable Driver byClass(String name) {
    Driver d = BY_CLASS.get(name);
    if (d != null) {
      return d;
    }
    for (ClassLoader cl :
        new ClassLoader[] {
          Thread.currentThread().getContextClassLoader(), RealDrivers.class.getClassLoader()
        }) {
      if (cl == null) {
        continue;
      }
      try {
        Class<?> c = Class.forName(name, true, cl);
        d = (Driver) c.getDeclaredConstructor().newInstance();
        BY_CLASS.put(name, d);
        return d;
      } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
        // Not on this loader's class path.
      }
    }
    return null;
  }

  private static String artifact(Engine engine) {
    return switch (engine) {
      case MYSQL -> "com.mysql:mysql-connector-j";
      case MARIADB -> "org.mariadb.jdbc:mariadb-java-client";
      case POSTGRESQL, DSQL -> "org.postgresql:postgresql";
    };
  }
}
