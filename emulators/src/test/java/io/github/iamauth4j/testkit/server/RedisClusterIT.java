package io.github.iamauth4j.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisClusterIT {
  // Ports nobody listens on: the nodes only announce them, as they would a proxy's.
  private static final int[] ANNOUNCED = {17001, 17002, 17003};

  private static RedisCluster cluster;

  @BeforeAll
  static void start() {
    cluster =
        RedisCluster.builder()
            .announcePort(node -> ANNOUNCED[node])
            .config("user default off", "user admin on >admin-secret ~* &* +@all")
            .auth("admin", "admin-secret")
            .start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    for (RedisCluster.Node node : cluster.nodes()) {
      assertThat(node.server().directory()).doesNotExist();
    }
  }

  @Test
  void hasThreeMastersCoveringEverySlot() {
    assertThat(cluster.nodes()).hasSize(3);
    assertThat(cluster.masters()).hasSize(3);
    assertThat(cluster.replicas()).isEmpty();
    assertThat(cluster.node(0).firstSlot()).isZero();
    assertThat(cluster.node(2).lastSlot()).isEqualTo(16383);
    for (RedisCluster.Node node : cluster.nodes()) {
      String info = String.valueOf(cluster.command(node, "CLUSTER", "INFO"));
      assertThat(info)
          .contains("cluster_state:ok")
          .contains("cluster_slots_assigned:16384")
          .contains("cluster_known_nodes:3")
          .contains("cluster_size:3");
      assertThat(cluster.command(node, "CLUSTER", "MYID")).isEqualTo(node.id());
      assertThat(node.port()).isNotEqualTo(node.announcedPort());
    }
  }

  @Test
  void keysInDifferentSlotsLandOnDifferentNodes() {
    Set<Integer> owners = new HashSet<>();
    for (String key : List.of("a", "b", "c", "d", "e", "f", "g", "h")) {
      int slot = RedisCluster.slot(key);
      assertThat(cluster.command(cluster.node(0), "CLUSTER", "KEYSLOT", key))
          .isEqualTo((long) slot);
      RedisCluster.Node owner = cluster.masterForKey(key);
      owners.add(owner.index());

      assertThat(cluster.command(owner, "SET", key, "v-" + key)).isEqualTo("OK");
      assertThat(cluster.command(owner, "GET", key)).isEqualTo("v-" + key);
      RedisCluster.Node other = cluster.node((owner.index() + 1) % 3);
      assertThatThrownBy(() -> cluster.command(other, "GET", key))
          .isInstanceOfSatisfying(
              RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("MOVED"))
          .hasMessage("MOVED " + slot + " 127.0.0.1:" + owner.announcedPort());
    }
    assertThat(owners).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(RedisCluster.slot("{user1}.a")).isEqualTo(RedisCluster.slot("{user1}.b"));
  }

  @Test
  void clusterSlotsShowsTheAnnouncedPorts() {
    for (RedisCluster.Node node : cluster.nodes()) {
      List<?> slots = (List<?>) cluster.command(node, "CLUSTER", "SLOTS");
      assertThat(slots).hasSize(3);
      Set<Long> ports = new HashSet<>();
      for (Object range : slots) {
        List<?> entry = (List<?>) range;
        List<?> master = (List<?>) entry.get(2);
        assertThat(master.get(0)).isEqualTo("127.0.0.1");
        ports.add((Long) master.get(1));
        RedisCluster.Node owner = cluster.masterForSlot(((Long) entry.get(0)).intValue());
        assertThat(master.get(1)).isEqualTo((long) owner.announcedPort());
        assertThat(master.get(2)).isEqualTo(owner.id());
      }
      assertThat(ports).containsExactlyInAnyOrder(17001L, 17002L, 17003L);
    }
  }

  @Test
  void theDefaultUserIsDisabledOnEveryNode() {
    for (RedisCluster.Node node : cluster.nodes()) {
      assertThatThrownBy(() -> node.server().commandWithoutAuth("GET", "a"))
          .isInstanceOfSatisfying(
              RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("NOAUTH"));
    }
  }

  @Test
  void replicasFollowTheirMasters() {
    try (RedisCluster withReplicas =
        RedisCluster.builder().masters(3).replicasPerMaster(1).start()) {
      assertThat(withReplicas.nodes()).hasSize(6);
      assertThat(withReplicas.replicas())
          .extracting(RedisCluster.Node::masterIndex)
          .containsExactly(0, 1, 2);
      RedisCluster.Node replica = withReplicas.node(3);
      List<?> role = (List<?>) replica.command("ROLE");
      assertThat(role.get(0)).isEqualTo("slave");
      assertThat(role.get(2)).isEqualTo((long) withReplicas.node(0).port());
      String nodes = String.valueOf(withReplicas.node(1).command("CLUSTER", "NODES"));
      assertThat(nodes).contains(replica.id() + " ").contains("slave " + withReplicas.node(0).id());
    }
  }
}
