package io.github.iamauth4j.valkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Renewal;
import io.github.iamauth4j.testkit.compat.Topology;
import io.valkey.ConnectionPool;
import io.valkey.JedisCluster;
import io.valkey.exceptions.JedisAccessControlException;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit against a three-master cluster (cluster mode on), through {@code cluster},
 * plus the adapter's own node pools: every node connection tracked until its pool destroys it.
 */
class ValkeyClusterCompatibilityIT extends RedisAdapterCompatibilityKit {
  ValkeyClusterCompatibilityIT() {
    super(Topology.CLUSTER);
  }

  @Override
  protected RedisClientUnderTest connect(ClientSettings settings) {
    return ValkeyClientUnderTest.connect(settings);
  }

  @Override
  protected Class<? extends Throwable> authenticationFailure() {
    return JedisAccessControlException.class;
  }

  @Override
  protected Renewal renewal() {
    return Renewal.REAUTHENTICATE;
  }

  /**
   * Commands over every master go through the adapter's node pools (those valkey-java's topology
   * names, also for broadcasts), each connection tracked from its opening until its pool is closed.
   */
  @Test
  void everyNodeConnectionIsTrackedUntilItsPoolDestroysIt() {
    IamValkey iam = ValkeyClientUnderTest.iam(settings());
    closeAfterTest(iam);
    JedisCluster cluster = iam.cluster(settings().host(), settings().port());
    closeAfterTest(cluster);

    for (int i = 0; i < 30; i++) {
      cluster.set("node-pools:" + i, "v" + i);
    }
    cluster.sendCommand(io.valkey.Protocol.Command.ACL, "WHOAMI"); // keyless: any node
    Map<String, ConnectionPool> nodes = cluster.getClusterNodes();
    int pooled = 0;
    for (ConnectionPool p : nodes.values()) {
      pooled += p.getNumActive() + p.getNumIdle();
    }

    assertThat(nodes).as("one pool per master").hasSize(3);
    assertThat(pooled).as("connections in the node pools").isGreaterThanOrEqualTo(3);
    int inPools = pooled;
    // Polled: the pools' evictor may be between its decision and the destruction of a connection.
    Awaitility.await("connections tracked: exactly those in the node pools")
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(iam.renewals().open()).isEqualTo(inPools));
    cluster.close();
    assertThat(iam.renewals().open()).as("connections tracked once closed").isZero();
  }
}
