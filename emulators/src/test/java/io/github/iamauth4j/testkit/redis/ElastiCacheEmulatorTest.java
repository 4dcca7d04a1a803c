package io.github.iamauth4j.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings are checked before anything starts, every problem reported at once. */
class ElastiCacheEmulatorTest {

  @Test
  void everyInvalidSettingIsReportedTogether() {
    ElastiCacheEmulator.Builder b =
        ElastiCacheEmulator.builder()
            .region("us-east")
            .connectionLimit(Duration.ZERO)
            .allowedClockSkew(Duration.ofSeconds(-1))
            .port(70000);

    assertThatThrownBy(b::start)
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(6)
                    .anySatisfy(p -> assertThat(p).startsWith("backend: is required"))
                    .anySatisfy(p -> assertThat(p).startsWith("cacheName: is required"))
                    .anySatisfy(p -> assertThat(p).startsWith("region: \"us-east\""))
                    .anySatisfy(p -> assertThat(p).startsWith("connectionLimit: PT0S"))
                    .anySatisfy(p -> assertThat(p).startsWith("allowedClockSkew: PT-1S"))
                    .anySatisfy(p -> assertThat(p).startsWith("port: 70000")));
  }

  @Test
  void onlyRedisServicesAndValidNamesAreAccepted() {
    assertThatThrownBy(
            () ->
                ElastiCacheEmulator.builder()
                    .backend("127.0.0.1", 1)
                    .kind(IamTarget.Kind.RDS)
                    .cacheName("orders")
                    .start())
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("kind: RDS is not a Redis service");
    assertThatThrownBy(
            () -> ElastiCacheEmulator.builder().backend("127.0.0.1", 1).cacheName("1-bad").start())
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("\"1-bad\" is not a valid name");
  }

  @Test
  void anUnreachableBackendFailsTheStartNamingIt() {
    assertThatThrownBy(
            () ->
                ElastiCacheEmulator.builder()
                    .backend("127.0.0.1", 1)
                    .cacheName("orders")
                    .backendTimeout(Duration.ofSeconds(2))
                    .start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not prepare the backend redis at 127.0.0.1:1");
  }

  @Test
  void aClusterNeedsANodeAndIsNotServerless() {
    assertThatThrownBy(
            () ->
                ElastiCacheClusterEmulator.builder()
                    .kind(IamTarget.Kind.ELASTICACHE_SERVERLESS)
                    .cacheName("orders")
                    .start())
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("backendNode: at least one node"))
                    .anySatisfy(p -> assertThat(p).startsWith("kind: ElastiCache Serverless")));
  }

  @Test
  void theUserGroupIsCheckedAndNoPasswordIsShown() {
    assertThatThrownBy(
            () ->
                ElastiCacheEmulator.builder()
                    .backend("127.0.0.1", 1)
                    .backendAdmin("admin", "admin-pw")
                    .cacheName("orders")
                    .iamUser("default")
                    .iamUser("admin")
                    .iamUser("both")
                    .passwordUser("both", "secret-one")
                    .passwordUser("empty", "")
                    .passwordUser("bad name", "secret-two")
                    .authenticationRateLimit(-1)
                    .start())
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(6)
                    .anySatisfy(p -> assertThat(p).startsWith("iamUser: \"default\" cannot"))
                    .anySatisfy(p -> assertThat(p).startsWith("iamUser: \"admin\" cannot"))
                    .anySatisfy(p -> assertThat(p).startsWith("iamUser: \"both\" is also"))
                    .anySatisfy(p -> assertThat(p).startsWith("passwordUser: the password of"))
                    .anySatisfy(p -> assertThat(p).startsWith("passwordUser: \"bad name\""))
                    .anySatisfy(p -> assertThat(p).startsWith("authenticationRateLimit: -1"))
                    .allSatisfy(
                        p ->
                            assertThat(p)
                                .doesNotContain("secret-one")
                                .doesNotContain("secret-two")));
  }

  @Test
  void theRateLimitPassesOneSecondsWorthThenRefillsWithTheClock() {
    MutableClock clock = MutableClock.startingNow();
    AuthRateLimit limit = new AuthRateLimit(3, clock);

    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isFalse();
    clock.advance(Duration.ofMillis(340));
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isFalse();
    clock.advance(Duration.ofMinutes(1));
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isFalse();
  }

  @Test
  void theGroupNamesItsUsersButNeverAPassword() {
    UserGroup g =
        UserGroup.of(
            java.util.Set.of("app"), java.util.Map.of("legacy", "pw-1", "default", "pw-2"));

    assertThat(g.mode("app")).isEqualTo(UserGroup.Mode.IAM);
    assertThat(g.mode("legacy")).isEqualTo(UserGroup.Mode.PASSWORD);
    assertThat(g.mode("bob")).isEqualTo(UserGroup.Mode.NONE);
    assertThat(g.passwordMatches("legacy", "pw-1")).isTrue();
    assertThat(g.passwordMatches("legacy", "pw-2")).isFalse();
    assertThat(g.defaultEnabled()).isTrue();
    assertThat(g.toString()).contains("legacy").doesNotContain("pw-1").doesNotContain("pw-2");
    assertThat(UserGroup.open().mode("anyone")).isEqualTo(UserGroup.Mode.IAM);
    assertThat(UserGroup.open().mode("default")).isEqualTo(UserGroup.Mode.NONE);
  }
}
