package io.github.iamauth4j.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenGenerator;
import io.github.iamauth4j.testkit.net.AuthMetrics;
import io.github.iamauth4j.testkit.redis.RawClient.Err;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The user group of a migration from passwords to IAM, in front of a real redis-server: IAM users,
 * password users (normal ACL users), the {@code default} user, users removed at run time, the
 * authentication rate limit and the counters under AWS's names.
 */
class ElastiCacheUserGroupIT {
  private static final String ADMIN = "admin";
  private static final String ADMIN_PASSWORD = "admin-pw";
  private static final String LEGACY_PASSWORD = "legacy-pw-3b1f";
  private static final String DEFAULT_PASSWORD = "default-pw-77c2";
  private static final String WRONGPASS =
      "WRONGPASS invalid username-password pair or user is disabled.";
  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static RedisServer redis;

  private MutableClock clock;
  private ElastiCacheEmulator cache;

  @BeforeAll
  static void startRedis() {
    redis =
        RedisServer.builder()
            .config("user " + ADMIN + " on >" + ADMIN_PASSWORD + " ~* &* +@all")
            .auth(ADMIN, ADMIN_PASSWORD)
            .start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void startEmulator() {
    clock = MutableClock.startingNow();
    cache = emulator(b -> b.iamUser("app").passwordUser("legacy", LEGACY_PASSWORD));
  }

  @AfterEach
  void stopEmulator() {
    cache.close();
  }

  private ElastiCacheEmulator emulator(UnaryOperator<ElastiCacheEmulator.Builder> settings) {
    return settings
        .apply(
            ElastiCacheEmulator.builder()
                .backend(redis.host(), redis.port())
                .backendAdmin(ADMIN, ADMIN_PASSWORD)
                .cacheName("orders")
                .clock(clock)
                .connectionLimit(LIMIT))
        .start();
  }

  private String token(String user) {
    return IamTokenGenerator.builder()
        .target(IamTarget.elastiCache("orders", user))
        .region("us-east-1")
        .credentialsProvider(TrustedCredentials.example().asProvider())
        .clock(clock)
        .build()
        .generate()
        .value();
  }

  private static Object auth(ElastiCacheEmulator emulator, String user, String password) {
    try (RawClient c = new RawClient(emulator)) {
      Object reply = c.call("AUTH", user, password);
      return reply instanceof Err e ? e.message() : c.call("ACL", "WHOAMI");
    }
  }

  @Test
  void anIamUserOfTheGroupAuthenticatesWithATokenOnly() {
    assertThat(auth(cache, "app", token("app"))).isEqualTo("app");
    assertThat(auth(cache, "app", "not-a-token")).isEqualTo(WRONGPASS);

    assertThat(cache.metrics())
        .isEqualTo(new AuthMetrics(1, 0, 0, 1, 0))
        .hasToString(
            "AuthenticationFailures=1 IamAuthenticationExpirations=0"
                + " IamAuthenticationThrottling=0 IamAuthentications=1 PasswordAuthentications=0");
  }

  @Test
  void aPasswordUserIsANormalAclUserWithItsOwnPassword() {
    assertThat(auth(cache, "legacy", LEGACY_PASSWORD)).isEqualTo("legacy");
    assertThat(auth(cache, "legacy", "wrong")).isEqualTo(WRONGPASS);
    // A password user is not an IAM user: even a valid token for it is just a wrong password.
    assertThat(auth(cache, "legacy", token("legacy"))).isEqualTo(WRONGPASS);
    try (RawClient c = new RawClient(cache)) {
      assertThat(c.call("HELLO", "3", "AUTH", "legacy", LEGACY_PASSWORD))
          .isInstanceOf(java.util.Map.class);
      assertThat(c.call("SET", "migrated", "no")).isEqualTo("OK");
    }

    assertThat(String.valueOf(redis.command("ACL", "GETUSER", "legacy"))).contains("on");
    assertThat(cache.stats().passwordAuthenticationsAccepted()).isEqualTo(2);
    assertThat(cache.stats().passwordAuthenticationsRejected()).isEqualTo(2);
    assertThat(cache.stats().authenticationsAccepted()).isZero();
    assertThat(cache.metrics().authenticationFailures()).isEqualTo(2);
    assertThat(cache.metrics().passwordAuthentications()).isEqualTo(2);
  }

  @Test
  void aUserOutsideTheGroupIsRefusedEvenWithAValidToken() {
    assertThat(auth(cache, "bob", token("bob"))).isEqualTo(WRONGPASS);

    assertThat(cache.stats().rejected(Rejection.UNKNOWN_USER)).isEqualTo(1);
    assertThat(cache.metrics().authenticationFailures()).isEqualTo(1);
  }

  @Test
  void aRemovedIamUserIsRefusedWithWrongpassAndCanBeAddedBack() {
    try (RawClient live = new RawClient(cache)) {
      assertThat(live.call("AUTH", "app", token("app"))).isEqualTo("OK");

      cache.removeUser("app");

      assertThat(cache.iamUsers()).isEmpty();
      assertThat(auth(cache, "app", token("app"))).isEqualTo(WRONGPASS);
      // The live connection stays as it was until it re-authenticates, which now fails.
      assertThat(live.call("ACL", "WHOAMI")).isEqualTo("app");
      assertThat(live.call("AUTH", "app", token("app"))).isEqualTo(new Err(WRONGPASS));
      assertThat(auth(cache, "legacy", LEGACY_PASSWORD)).isEqualTo("legacy");

      cache.addIamUser("app");

      assertThat(auth(cache, "app", token("app"))).isEqualTo("app");
      assertThat(live.call("AUTH", "app", token("app"))).isEqualTo("OK");
    }
    assertThat(cache.stats().rejected(Rejection.UNKNOWN_USER)).isEqualTo(2);
    assertThat(cache.metrics())
        .satisfies(m -> assertThat(m.iamAuthentications()).isEqualTo(3))
        .satisfies(m -> assertThat(m.passwordAuthentications()).isEqualTo(1))
        .satisfies(m -> assertThat(m.authenticationFailures()).isEqualTo(2));
  }

  @Test
  void aRemovedPasswordUserIsRefusedAndItsPasswordLeavesTheBackend() {
    cache.removeUser("legacy");

    assertThat(auth(cache, "legacy", LEGACY_PASSWORD)).isEqualTo(WRONGPASS);
    assertThat(cache.passwordUsers()).isEmpty();
    assertThat(String.valueOf(redis.command("ACL", "GETUSER", "legacy"))).contains("passwords, []");

    cache.addPasswordUser("legacy", LEGACY_PASSWORD);

    assertThat(auth(cache, "legacy", LEGACY_PASSWORD)).isEqualTo("legacy");
  }

  @Test
  void aUserCanSwitchFromPasswordToIam() {
    cache.addIamUser("legacy");

    assertThat(auth(cache, "legacy", LEGACY_PASSWORD)).isEqualTo(WRONGPASS);
    assertThat(auth(cache, "legacy", token("legacy"))).isEqualTo("legacy");
    assertThat(cache.iamUsers()).containsExactlyInAnyOrder("app", "legacy");
    assertThat(cache.passwordUsers()).isEmpty();
  }

  @Test
  void theGroupsDefaultUserIsOffUnlessGivenAPassword() {
    try (RawClient c = new RawClient(cache)) {
      assertThat(c.call("PING"))
          .isInstanceOfSatisfying(Err.class, e -> assertThat(e.message()).startsWith("NOAUTH"));
      assertThat(c.call("AUTH", DEFAULT_PASSWORD)).isEqualTo(new Err(WRONGPASS));
    }
    cache.close();

    cache = emulator(b -> b.iamUser("app").passwordUser("default", DEFAULT_PASSWORD));
    try (RawClient c = new RawClient(cache)) {
      assertThat(c.call("PING"))
          .isInstanceOfSatisfying(Err.class, e -> assertThat(e.message()).startsWith("NOAUTH"));
      assertThat(c.call("AUTH", "wrong")).isEqualTo(new Err(WRONGPASS));
      assertThat(c.call("AUTH", DEFAULT_PASSWORD)).isEqualTo("OK");
      assertThat(c.call("ACL", "WHOAMI")).isEqualTo("default");
    }
    assertThat(auth(cache, "default", DEFAULT_PASSWORD)).isEqualTo("default");
    assertThat(cache.passwordUsers()).containsExactly("default");

    cache.removeUser("default");

    assertThat(auth(cache, "default", DEFAULT_PASSWORD)).isEqualTo(WRONGPASS);
    cache.close();
    // The backend's default user is as it was before: on, without a password.
    assertThat(redis.commandWithoutAuth("PING")).isEqualTo("PONG");
  }

  @Test
  void withoutAGroupAnyTokenUserIsAcceptedExceptOneRemoved() {
    try (ElastiCacheEmulator open = emulator(b -> b)) {
      assertThat(open.hasUserGroup()).isFalse();
      assertThat(auth(open, "app", token("app"))).isEqualTo("app");

      open.removeUser("app");

      assertThat(auth(open, "app", token("app"))).isEqualTo(WRONGPASS);
      assertThat(auth(open, "bob", token("bob"))).isEqualTo("bob");
      assertThat(open.stats().rejected(Rejection.UNKNOWN_USER)).isEqualTo(1);
    }
  }

  @Test
  void iamAuthenticationsOverTheRateLimitAreThrottledAndCounted() {
    cache.close();
    cache =
        emulator(
            b ->
                b.iamUser("app")
                    .passwordUser("legacy", LEGACY_PASSWORD)
                    .authenticationRateLimit(2));
    String token = token("app");
    try (RawClient c = new RawClient(cache)) {
      assertThat(c.call("AUTH", "app", token)).isEqualTo("OK");
      assertThat(c.call("AUTH", "app", token)).isEqualTo("OK");
      assertThat(c.call("AUTH", "app", token))
          .isInstanceOfSatisfying(
              Err.class,
              e ->
                  assertThat(e.message())
                      .startsWith("ERR unknown command")
                      .contains(RedisRelay.THROTTLED));
      // Passwords are not IAM authentications: never throttled.
      assertThat(c.call("AUTH", "legacy", LEGACY_PASSWORD)).isEqualTo("OK");

      clock.advance(Duration.ofSeconds(1));

      assertThat(c.call("AUTH", "app", token)).isEqualTo("OK");
      assertThat(c.call("ACL", "WHOAMI")).isEqualTo("app");
    }
    assertThat(cache.metrics()).isEqualTo(new AuthMetrics(0, 0, 1, 3, 1));
    assertThat(cache.describe()).contains("2 IAM authentications per second");
  }

  @Test
  void iamConnectionsClosedAtTheLimitAreExpirationsAndPasswordConnectionsHaveNoLimit() {
    try (RawClient iam = new RawClient(cache);
        RawClient password = new RawClient(cache)) {
      assertThat(iam.call("AUTH", "app", token("app"))).isEqualTo("OK");
      assertThat(password.call("AUTH", "legacy", LEGACY_PASSWORD)).isEqualTo("OK");

      clock.advance(LIMIT.plusSeconds(1));
      await().atMost(WAIT).until(() -> cache.metrics().iamAuthenticationExpirations() == 1);

      assertThat(iam.isClosedByServer()).isTrue();
      assertThat(password.call("PING")).isEqualTo("PONG");
    }
    assertThat(cache.metrics().iamAuthenticationExpirations()).isEqualTo(1);
  }

  @Test
  void noPasswordIsShownAndTheGroupIsDescribed() {
    String d = cache.describe();

    assertThat(d)
        .contains("IAM users [app]")
        .contains("password users [legacy]")
        .contains("default user off")
        .doesNotContain(LEGACY_PASSWORD);
    assertThat(cache.toString()).doesNotContain(LEGACY_PASSWORD);
    assertThat(cache.passwordUsers()).isEqualTo(Set.of("legacy"));
    assertThat(cache.hasUserGroup()).isTrue();
  }

  @Test
  void closingTakesThePasswordsAwayFromTheBackend() {
    cache.close();

    assertThat(String.valueOf(redis.command("ACL", "GETUSER", "legacy"))).contains("passwords, []");
    assertThatThrownBy(() -> redis.commandAs("legacy", LEGACY_PASSWORD, "PING"))
        .hasMessageContaining("WRONGPASS");
    assertThat(List.of(redis.commandWithoutAuth("PING"))).containsExactly("PONG");
  }
}
