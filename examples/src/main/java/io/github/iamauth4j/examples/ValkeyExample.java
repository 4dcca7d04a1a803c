package io.github.iamauth4j.examples;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.valkey.IamValkey;
import io.valkey.JedisPooled;
import java.security.KeyStore;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * ElastiCache (cluster mode off) with valkey-java: what an app writes. In production, leave out the
 * credentials provider (the AWS SDK's default chain finds the app's role), the trust store
 * (ElastiCache's certificates are publicly trusted) and the renewal policy (the defaults
 * re-authenticate each pooled connection hourly, well inside the 12-hour limit); the tour passes
 * them to run against a local emulator with the limit compressed to seconds.
 */
public final class ValkeyExample {
  private ValkeyExample() {}

  /**
   * Connects a pool to a cache as an IAM user.
   *
   * @param host the cache's primary endpoint
   * @param port its port
   * @param credentials where AWS credentials come from
   * @param trust the CA to trust
   * @param renewal how often pooled connections re-authenticate
   * @return the pool and the IAM wiring; close it when done
   */
  public static Connected connect(
      String host,
      int port,
      AwsCredentialsProvider credentials,
      KeyStore trust,
      RenewalPolicy renewal) {
    IamValkey iam =
        IamValkey.builder()
            .target(IamTarget.elastiCache("orders", "app")) // replication group id, IAM user id
            .region("us-east-1") // or .endpoint(host): the region is in ElastiCache host names
            .credentialsProvider(credentials)
            .trustStore(trust)
            .renewalPolicy(renewal)
            .build();
    JedisPooled valkey = iam.pooled(host, port); // TLS, verified; re-auth when borrowed or idle
    return new Connected(iam, valkey);
  }

  /**
   * A pooled client and what made it.
   *
   * @param iam the IAM wiring (token cache); keep one per cache and user
   * @param valkey the pooled client
   */
  public record Connected(IamValkey iam, JedisPooled valkey) implements AutoCloseable {
    @Override
    public void close() {
      valkey.close();
      iam.close();
    }
  }
}
