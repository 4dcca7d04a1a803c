package io.github.iamauth4j.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The DSQL emulator's builder checks and its connection-rate bucket. */
class DsqlEmulatorTest {

  @Test
  void startListsEveryMissingSetting() {
    assertThatThrownBy(() -> DsqlEmulator.builder().start())
        .isInstanceOfSatisfying(
            IamConfigurationException.class, e -> assertThat(e.problems()).hasSize(2));
  }

  @Test
  void settersRefuseBadValuesNamingTheSetting() {
    DsqlEmulator.Builder b = DsqlEmulator.builder();
    assertThatThrownBy(() -> b.sessionLimit(Duration.ZERO))
        .hasMessageStartingWith("sessionLimit: PT0S is not positive");
    assertThatThrownBy(() -> b.transactionGrace(Duration.ofSeconds(-1)))
        .hasMessageStartingWith("transactionGrace:");
    assertThatThrownBy(() -> b.maxConnections(0)).hasMessageStartingWith("maxConnections: 0");
    assertThatThrownBy(() -> b.connectionRate(0, 10)).hasMessageStartingWith("connectionRate:");
    assertThatThrownBy(() -> b.connectionRate(10, 0)).hasMessageStartingWith("connectionRate:");
  }

  @Test
  void dsqlsDocumentedDefaults() {
    assertThat(DsqlEmulator.SESSION_LIMIT).isEqualTo(Duration.ofHours(1));
    assertThat(DsqlEmulator.TRANSACTION_GRACE).isEqualTo(Duration.ofMinutes(5));
    assertThat(DsqlEmulator.MAX_CONNECTIONS).isEqualTo(10_000);
    assertThat(DsqlEmulator.CONNECTION_RATE).isEqualTo(100);
    assertThat(DsqlEmulator.CONNECTION_BURST).isEqualTo(1_000);
    assertThat(IamTarget.DSQL_MAX_EXPIRY).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void theBucketLetsABurstThroughThenRefuses() {
    // Refilled at 1 a second: the four calls take microseconds.
    DsqlEmulator.TokenBucket bucket = new DsqlEmulator.TokenBucket(1, 3);
    assertThat(bucket.tryAcquire()).isTrue();
    assertThat(bucket.tryAcquire()).isTrue();
    assertThat(bucket.tryAcquire()).isTrue();
    assertThat(bucket.tryAcquire()).isFalse();
  }

  @Test
  void dsqlHasNoPasswordUsers() {
    assertThatThrownBy(
            () ->
                DsqlEmulator.builder()
                    .backend("127.0.0.1", 5432)
                    .backendAdmin("postgres", "pw")
                    .passwordUser("legacy", "legacy-pw")
                    .start())
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("passwordUser: Aurora DSQL has no password users")
        .hasMessageNotContaining("legacy-pw");
  }
}
