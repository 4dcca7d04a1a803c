package io.github.iamauth4j.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import io.github.iamauth4j.jdbc.hikari.IamHikari;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * RDS or Aurora PostgreSQL with a HikariCP 7 pool: what an app writes. The token is the password of
 * each new connection, answered from a cache on Hikari's connection-adder thread. In production,
 * leave out the credentials provider (the AWS SDK's default chain) and use the RDS CA bundle; the
 * region comes from the RDS host name.
 */
public final class HikariExample {
  private HikariExample() {}

  /**
   * A pool of IAM-authenticated connections.
   *
   * @param jdbcUrl e.g. {@code jdbc:postgresql://db1.abc123.eu-west-1.rds.amazonaws.com:5432/app}
   * @param user the database user (granted {@code rds_iam})
   * @param credentials where AWS credentials come from
   * @param caBundle the CA bundle to verify the server with
   * @param listener told of each token minted
   * @return the pool
   */
  public static HikariDataSource pool(
      String jdbcUrl,
      String user,
      AwsCredentialsProvider credentials,
      Path caBundle,
      IamAuthListener listener) {
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(jdbcUrl);
    hikari.setUsername(user); // no password: IAM tokens instead
    hikari.setMaximumPoolSize(4);
    IamHikari.configure(
        hikari,
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder() // the token provider's settings; no target
                    .region("us-east-1") // else from the RDS host name
                    .credentialsProvider(credentials)
                    .listener(listener))
            .caBundle(caBundle) // sslmode=verify-full is set for you
            .build());
    return new HikariDataSource(hikari);
  }
}
