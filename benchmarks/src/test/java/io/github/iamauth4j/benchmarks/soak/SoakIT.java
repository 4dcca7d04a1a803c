package io.github.iamauth4j.benchmarks.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A few seconds of the soak harness per adapter, against the emulators in front of a real
 * redis-server and PostgreSQL, so that the harness keeps working: every operation succeeds, no
 * {@code AUTH} is rejected, no connection reaches the server's limit, nothing published or queued
 * is lost, connections renew, and the tokens minted follow the token period, not the connection
 * count. Nothing here is timed: latencies and ratios are measured by the soak runs themselves (see
 * {@code benchmarks/RESULTS.md}), never asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SoakIT {
  private static final int CONNECTIONS = 12;

  private Backends backends;

  @BeforeAll
  void startServers() {
    backends = new Backends(100);
  }

  @AfterAll
  void stopServers() {
    backends.close();
  }

  /** A short run: two 3-second limits after a second of warm-up, 400 operations a second. */
  private static SoakSettings.Builder settings(Adapter adapter) {
    return SoakSettings.builder(adapter)
        .connections(CONNECTIONS)
        .threads(4)
        .rate(400)
        .limit(Duration.ofSeconds(3))
        .limits(2)
        .warmup(Duration.ofSeconds(1))
        .connectSamples(10)
        .progressEvery(Duration.ofSeconds(3));
  }

  private SoakResult run(SoakSettings.Builder settings) throws Exception {
    SoakResult r = new SoakRun(settings.build(), backends, System.out).run();
    System.out.println(r.table());
    return r;
  }

  private static void assertCorrect(SoakResult r) {
    assertThat(r.failedOperations()).as("failed operations, warm-up included").isZero();
    assertThat(r.measuredOperations()).as("operations measured").isGreaterThan(1000);
    assertThat(r.rejectedAuths()).as("AUTHs rejected (WRONGPASS)").isZero();
    // (A pool that retires connections has one or two being replaced at any moment.)
    assertThat(r.meanOpenConnections())
        .as("connections open at the emulator, on average")
        .isGreaterThan(CONNECTIONS * 0.8);
    // A token per token period (7 s here) whatever the connection count: far fewer than the
    // connections, which all renewed at least once.
    assertThat(r.tokensMinted())
        .as("tokens minted")
        .isPositive()
        .isLessThanOrEqualTo((long) Math.ceil(r.expectedTokens()) + 2)
        .isLessThan(CONNECTIONS / 2);
    assertThat(r.connectSamples()).as("connect pairs timed").isEqualTo(10);
    assertThat(r.connectRatio()).as("IAM / static connect ratio, any value").isPositive();
    assertThat(r.toJson())
        .startsWith("{")
        .contains("\"checks\"", "\"latency\"", "\"authsPerConnectionPerInterval\"");
    assertThat(r.table()).contains("p99 inside re-authentication waves vs steady state");
  }

  private static void assertRedisCorrect(SoakResult r) {
    assertCorrect(r);
    assertThat(r.closedAtLimit()).as("connections closed at the server's limit").isZero();
    assertThat(r.lostMessages()).as("pub/sub messages lost").isZero();
    assertThat(r.lostElements()).as("queue elements lost").isZero();
    // Every connection (the pool, the subscriber, the consumer) renews about once a second.
    assertThat(r.reauthentications())
        .as("re-authentications of live connections")
        .isGreaterThanOrEqualTo((long) CONNECTIONS * 3);
    assertThat(r.authsPerConnectionPerInterval())
        .as("AUTHs per connection per interval")
        .isLessThan(2);
  }

  @Test
  void lettuce() throws Exception {
    assertRedisCorrect(run(settings(Adapter.LETTUCE)));
  }

  @Test
  void jedis() throws Exception {
    assertRedisCorrect(run(settings(Adapter.JEDIS)));
  }

  @Test
  void valkey() throws Exception {
    assertRedisCorrect(run(settings(Adapter.VALKEY)));
  }

  @Test
  void redisson() throws Exception {
    assertRedisCorrect(run(settings(Adapter.REDISSON)));
  }

  @Test
  void hikari() throws Exception {
    SoakResult r = run(settings(Adapter.HIKARI));

    assertCorrect(r);
    // RDS does not cut connections: the pool retires each at maxLifetime (3 s) and opens another.
    assertThat(r.reauthentications()).isZero();
    assertThat(r.openedInLastQuarter())
        .as("connections opened to replace retired ones")
        .isPositive();
  }

  @Test
  void lettuceRecoversFromDroppedConnectionsWithoutAWrongpassOrReconnectLoop() throws Exception {
    SoakResult r = run(settings(Adapter.LETTUCE).fault(Fault.DROP_ALL).faultAt(0.25).limits(3));

    assertThat(r.rejectedAuths()).as("AUTHs rejected after the drop").isZero();
    assertThat(r.openedInLastQuarter()).as("connections opened in the last quarter").isZero();
    assertThat(r.rejectedInLastQuarter()).isZero();
    assertThat(r.closedAtLimit()).isZero();
  }
}
