package io.github.iamauth4j.examples;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * RDS or Aurora MySQL by JDBC URL: what a Spring Boot app configures ({@code
 * spring.datasource.url}, {@code spring.datasource.username}, no password, and {@code
 * spring.datasource.driver-class-name=io.github.iamauth4j.jdbc.IamDriver}: Spring Boot 3.5 and 4.0
 * pick the driver class from the URL's prefix and stop at start-up with "Failed to determine a
 * suitable driver class" without it). The {@code jdbc:iamauth4j:} driver signs a token, keeps TLS
 * verified and hands over to the real driver.
 */
public final class JdbcUrlExample {
  private JdbcUrlExample() {}

  /**
   * Runs {@code select current_user()} over an IAM-authenticated connection.
   *
   * @param url e.g. {@code jdbc:iamauth4j:mariadb://db1.abc123.eu-west-1.rds.amazonaws.com/app}
   * @param user the database user
   * @return who the database says we are
   * @throws SQLException if the connection or query fails
   */
  public static String currentUser(String url, String user) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, null);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_user()")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
