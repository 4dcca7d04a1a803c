package io.github.iamauth4j.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.EmulatorCounters;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.server.RedisCluster;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.event.MovedRedirectionEvent;
import io.lettuce.core.event.Event;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The compatibility kit against a cluster-mode cache (three masters), plus connections Lettuce
 * opens later: after a {@code MOVED} and on topology refreshes.
 */
class LettuceClusterCompatibilityIT extends RedisAdapterCompatibilityKit {
  LettuceClusterCompatibilityIT() {
    super(Topology.CLUSTER);
  }

  @Override
  protected RedisClientUnderTest connect(ClientSettings settings) {
    return LettuceClientUnderTest.connect(settings);
  }

  @Override
  protected Class<? extends Throwable> authenticationFailure() {
    return RedisCommandExecutionException.class;
  }

  /**
   * A slot moves to another master: the client follows the {@code MOVED} to that node's emulator
   * and refreshes its topology (every second, and on the redirect), and every connection it opens
   * for that authenticates; over three and a half limits nothing fails, nothing is rejected and
   * nothing is closed at the limit. The client is one the app builds itself from the adapter's
   * parts: {@link IamLettuce#redisUri}, {@link IamLettuce#configure} on the app's own options
   * builder, and {@link IamLettuce#reauthenticate} for the connection's keyless channel.
   */
  @Test
  // Adaptive refresh triggers are on by default since Lettuce 7 (the call is deprecated there) but
  // off in 6.6, the lowest version this runs on.
  @SuppressWarnings("deprecation")
  void followsMovedAndTopologyRefreshesWithAuthenticatedConnections() throws Exception {
    // A client the app builds itself, from the adapter's parts.
    IamLettuce iam = LettuceClientUnderTest.iam(settings());
    RedisClusterClient client =
        RedisClusterClient.create(List.of(iam.redisUri(settings().host(), settings().port())));
    client.setOptions(
        iam.configure(
                ClusterClientOptions.builder()
                    .topologyRefreshOptions(
                        ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(1))
                            .enableAllAdaptiveRefreshTriggers()
                            .build()))
            .build());
    closeAfterTest(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
    closeAfterTest(iam.reportReauthentications(client));
    List<Event> moved = new CopyOnWriteArrayList<>();
    Disposable listening =
        client
            .getResources()
            .eventBus()
            .get()
            .filter(MovedRedirectionEvent.class::isInstance)
            .subscribe(moved::add);
    closeAfterTest(listening::dispose);
    StatefulRedisClusterConnection<String, String> connection = client.connect();
    closeAfterTest(connection);
    // Lettuce leaves the connection's own channel (keyless commands) out of re-authentication.
    closeAfterTest(iam.reauthenticate(connection));

    RedisCluster backend = backendCluster();
    String key = "kit:moving";
    int slot = RedisCluster.slot(key);
    RedisCluster.Node owner = backend.masterForKey(key);
    RedisCluster.Node target = backend.masters().get((owner.index() + 1) % 3);
    assertThat(connection.sync().get(key)).isNull();
    EmulatorCounters before = counters();
    int targetEmulator = emulatorIndexOf(target);
    EmulatorCounters targetBefore = countersPerNode().get(targetEmulator);

    moveSlot(backend, slot, target);
    try {
      connection.sync().set(key, "moved");
      assertThat(connection.sync().get(key)).isEqualTo("moved");
      Awaitility.await("a MOVED redirection followed").until(() -> !moved.isEmpty());

      AtomicLong commands = new AtomicLong();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      ScheduledExecutorService load = Executors.newScheduledThreadPool(2);
      load.scheduleWithFixedDelay(
          () -> {
            try {
              String k = "kit:refresh:" + (commands.get() % 32);
              connection.sync().set(k, "v");
              connection.sync().get(key);
              connection.sync().ping();
              commands.incrementAndGet();
            } catch (RuntimeException e) {
              failures.add(e);
            }
          },
          0,
          10,
          TimeUnit.MILLISECONDS);
      CountDownLatch ran = new CountDownLatch(1);
      load.schedule(
          ran::countDown,
          CONNECTION_LIMIT.multipliedBy(7).dividedBy(2).toMillis(),
          TimeUnit.MILLISECONDS);
      ran.await();
      load.shutdown();
      assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      assertThat(failures).as("failed commands").isEmpty();
      assertThat(commands.get()).isGreaterThan(100);
      EmulatorCounters d = counters().minus(before);
      assertThat(d.authenticationsRejected()).as("rejected").isZero();
      assertThat(d.connectionsClosedAtLimit()).as("closed at the limit").isZero();
      // A topology refresh every second opens a connection to each node.
      assertThat(d.connectionsOpened()).as("connections opened by refreshes").isGreaterThan(9);
      assertThat(d.reauthentications()).as("re-authentications").isPositive();
      assertThat(
              countersPerNode().get(targetEmulator).minus(targetBefore).authenticationsAccepted())
          .as("authentications on the node the slot moved to")
          .isPositive();
    } finally {
      // A slot with keys cannot be reassigned.
      connection.sync().del(key);
      moveSlot(backend, slot, owner);
    }
  }

  /** The position of the emulator in front of {@code node} in {@link #countersPerNode()}. */
  private int emulatorIndexOf(RedisCluster.Node node) {
    List<ElastiCacheEmulator> emulators = clusterEmulator().nodes();
    for (int i = 0; i < emulators.size(); i++) {
      if (emulators.get(i).backendPort() == node.port()) {
        return i;
      }
    }
    throw new AssertionError("no emulator in front of " + node);
  }

  /** Assigns an empty slot to {@code to} on every node, the new owner first. */
  private static void moveSlot(RedisCluster backend, int slot, RedisCluster.Node to) {
    backend.command(to, "CLUSTER", "SETSLOT", String.valueOf(slot), "NODE", to.id());
    for (RedisCluster.Node node : backend.masters()) {
      if (node != to) {
        backend.command(node, "CLUSTER", "SETSLOT", String.valueOf(slot), "NODE", to.id());
      }
    }
  }
}
