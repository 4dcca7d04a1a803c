package io.github.iamauth4j.lettuce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every public way to get the Lettuce credentials hook, pointed at a real plaintext Redis as a
 * framework would (Spring Data Redis asks for a credentials provider with the connection's
 * settings), is refused before a token leaves: the server never sees an {@code AUTH} or {@code
 * HELLO} from the IAM user. With the explicit opt-out, the same server does see one, which shows
 * the probe would catch a leak.
 */
class PlaintextRefusalIT {
  private static RedisServer redis;

  @BeforeAll
  static void start() {
    // The IAM user exists on the server with another password: a token sent to it is logged.
    redis = RedisServer.builder().config("user app on >not-a-token ~* &* +@all").start();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  private static IamLettuce.Builder iam() {
    return IamLettuce.builder()
        .config(
            IamAuthConfig.builder()
                .target(IamTarget.elastiCache("orders", "app"))
                .region("us-east-1")
                .credentialsProvider(TrustedCredentials.example().asProvider())
                .build());
  }

  private static List<?> aclLog() {
    return (List<?>) redis.commandWithoutAuth("ACL", "LOG");
  }

  @Test
  void noPublicPathHandsTheHookToAPlaintextConnection() {
    redis.commandWithoutAuth("ACL", "LOG", "RESET");
    RedisURI plaintext = RedisURI.create("redis://" + redis.host() + ":" + redis.port());
    try (IamLettuce iam = iam().build()) {
      assertThatThrownBy(() -> iam.credentialsProvider(plaintext))
          .isInstanceOf(InsecureConnectionException.class);
      assertThatThrownBy(() -> iam.credentialsProvider(redis.host(), redis.port(), false, false))
          .isInstanceOf(InsecureConnectionException.class);
      assertThatThrownBy(() -> iam.redisUri(plaintext))
          .isInstanceOf(InsecureConnectionException.class);
      assertThatThrownBy(() -> iam.redisClient(plaintext))
          .isInstanceOf(InsecureConnectionException.class);
      assertThatThrownBy(() -> iam.clusterClient(List.of(plaintext)))
          .isInstanceOf(InsecureConnectionException.class);
    }
    assertThat(aclLog()).as("ACL LOG: authentication attempts the server saw").isEmpty();
  }

  @Test
  void withTheOptOutTheSameServerSeesTheAttempt() {
    redis.commandWithoutAuth("ACL", "LOG", "RESET");
    RedisURI plaintext = RedisURI.create("redis://" + redis.host() + ":" + redis.port());
    try (IamLettuce iam = iam().allowPlaintextForLocalTesting().build()) {
      RedisClient client = iam.redisClient(plaintext);
      try {
        // The token is not the user's password on a plain Redis: the handshake fails.
        assertThatThrownBy(client::connect).isNotNull();
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
    assertThat(aclLog()).as("ACL LOG after an allowed plaintext attempt").isNotEmpty();
  }
}
