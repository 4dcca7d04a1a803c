package io.github.iamauth4j.examples;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.jedis.IamJedis;
import java.security.KeyStore;
import redis.clients.jedis.RedisClient;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * ElastiCache (cluster mode off) with Jedis: what an app writes. In production, leave out the
 * credentials provider (the AWS SDK's default chain finds the app's role), the trust store
 * (ElastiCache's certificates are publicly trusted) and the renewal policy (the defaults
 * re-authenticate each connection hourly, well inside the 12-hour limit); the tour passes them to
 * run against a local emulator with the limit compressed to seconds.
 */
public final class JedisExample {
  private JedisExample() {}

  /**
   * Connects to a cache as an IAM user.
   *
   * @param host the cache's primary endpoint
   * @param port its port
   * @param credentials where AWS credentials come from
   * @param trust the CA to trust
   * @param renewal how often to re-authenticate live connections
   * @return the client (a pool of connections) and the IAM wiring
   */
  public static Connected connect(
      String host,
      int port,
      AwsCredentialsProvider credentials,
      KeyStore trust,
      RenewalPolicy renewal) {
    IamJedis iam =
        IamJedis.builder()
            .target(IamTarget.elastiCache("orders", "app")) // replication group id, IAM user id
            .region("us-east-1") // or .endpoint(host): the region is in ElastiCache host names
            .credentialsProvider(credentials)
            .trustStore(trust)
            .renewalPolicy(renewal)
            .build();
    RedisClient client = iam.redisClient(host, port); // TLS, verified; each connection re-auths
    return new Connected(iam, client);
  }

  /**
   * A client and what made it.
   *
   * @param iam the IAM wiring (token cache); keep one per cache and user
   * @param client the Jedis client
   */
  public record Connected(IamJedis iam, RedisClient client) implements AutoCloseable {
    @Override
    public void close() {
      client.close();
      iam.close();
    }
  }
}
