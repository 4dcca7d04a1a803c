package io.github.iamauth4j.examples;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.redisson.IamRedisson;
import java.security.KeyStore;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * ElastiCache (cluster mode off) with Redisson: what an app writes. In production, leave out the
 * credentials provider (the AWS SDK's default chain finds the app's role), the trust store
 * (ElastiCache's certificates are publicly trusted) and the renewal policy (the defaults
 * re-authenticate hourly, well inside the 12-hour limit); the tour passes them to run against a
 * local emulator with the limit compressed to seconds.
 */
public final class RedissonExample {
  private RedissonExample() {}

  /**
   * Connects to a cache as an IAM user.
   *
   * @param host the cache's primary endpoint
   * @param port its port
   * @param credentials where AWS credentials come from
   * @param trust the CA to trust
   * @param renewal how often to re-authenticate live connections
   * @return the client and the IAM wiring (close them together)
   */
  public static Connected connect(
      String host,
      int port,
      AwsCredentialsProvider credentials,
      KeyStore trust,
      RenewalPolicy renewal) {
    IamRedisson iam =
        IamRedisson.builder()
            .target(IamTarget.elastiCache("orders", "app")) // replication group id, IAM user id
            .region("us-east-1") // or .endpoint(host): the region is in ElastiCache host names
            .credentialsProvider(credentials)
            .trustStore(trust)
            .renewalPolicy(renewal)
            .build();
    // rediss://, host verified, RESP3, the IAM resolver and its Netty hook
    RedissonClient redisson = Redisson.create(iam.singleServer(host, port));
    return new Connected(iam, redisson);
  }

  /**
   * A connected client and what made it.
   *
   * @param iam the IAM wiring (token cache); keep one per cache and user
   * @param redisson the Redisson client
   */
  public record Connected(IamRedisson iam, RedissonClient redisson) implements AutoCloseable {
    @Override
    public void close() {
      redisson.shutdown();
      iam.close();
    }
  }
}
