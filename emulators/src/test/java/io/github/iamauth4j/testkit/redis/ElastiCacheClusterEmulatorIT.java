package io.github.iamauth4j.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.iamauth4j.testkit.redis.RawClient.Err;
import io.github.iamauth4j.testkit.server.RedisCluster;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster emulator in front of a real 3-master Redis Cluster, with a cluster-aware client
 * (Lettuce) and redis-cli in cluster mode: clients only ever see emulators.
 */
class ElastiCacheClusterEmulatorIT {
  private static final String ADMIN = "admin";
  private static final String ADMIN_PASSWORD = "admin-pw";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static RedisCluster cluster;
  private static ElastiCacheClusterEmulator emulator;

  /** Backend node index → the emulator in front of it. */
  private static final Map<Integer, ElastiCacheEmulator> front = new HashMap<>();

  @BeforeAll
  static void start() {
    cluster =
        RedisCluster.builder()
            .masters(3)
            .config("user " + ADMIN + " on >" + ADMIN_PASSWORD + " ~* &* +@all")
            .auth(ADMIN, ADMIN_PASSWORD)
            .start();
    RedisCluster.Node seed = cluster.node(0);
    emulator =
        ElastiCacheClusterEmulator.builder()
            .backendNode(seed.host(), seed.port())
            .backendAdmin(ADMIN, ADMIN_PASSWORD)
            .cacheName("orders")
            .start();
    for (ElastiCacheEmulator e : emulator.nodes()) {
      for (RedisCluster.Node n : cluster.nodes()) {
        if (n.port() == e.backendPort()) {
          front.put(n.index(), e);
        }
      }
    }
  }

  @AfterAll
  static void stop() {
    try {
      if (emulator != null) {
        emulator.close();
        // The nodes announce their own ports again.
        await()
            .atMost(WAIT)
            .until(
                () ->
                    cluster.nodes().stream()
                        .allMatch(
                            n ->
                                String.valueOf(cluster.command(n, "CLUSTER", "NODES"))
                                    .contains(":" + n.port() + "@")));
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  private static String token() {
    return emulator.tokenGenerator("app").generate().value();
  }

  private static Set<Integer> emulatorPorts() {
    return emulator.nodes().stream().map(ElastiCacheEmulator::port).collect(Collectors.toSet());
  }

  @Test
  void everyNodeHasAnEmulatorAndTheTopologyNamesOnlyEmulators() {
    assertThat(front).hasSize(3);
    try (RawClient c = new RawClient(front.get(1))) {
      assertThat(c.call("AUTH", "app", token())).isEqualTo("OK");

      List<?> slots = (List<?>) c.call("CLUSTER", "SLOTS");
      Set<Long> ports = new java.util.HashSet<>();
      for (Object range : slots) {
        List<?> r = (List<?>) range;
        for (Object node : r.subList(2, r.size())) {
          assertThat(((List<?>) node).get(0)).isEqualTo("127.0.0.1");
          ports.add((Long) ((List<?>) node).get(1));
        }
      }
      assertThat(ports)
          .containsExactlyInAnyOrderElementsOf(
              emulatorPorts().stream().map(Integer::longValue).toList());

      String nodes = String.valueOf(c.call("CLUSTER", "NODES"));
      for (RedisCluster.Node n : cluster.nodes()) {
        assertThat(nodes)
            .contains(n.id() + " 127.0.0.1:" + front.get(n.index()).port() + "@")
            .doesNotContain(":" + n.port() + "@");
      }
      assertThat(String.valueOf(c.call("CLUSTER", "SHARDS")))
          .doesNotContain("port=" + cluster.node(0).port());
    }
  }

  @Test
  void aKeyOnAnotherNodeIsMovedToThatNodesEmulator() {
    String key = keyOwnedBy(2);
    try (RawClient c = new RawClient(front.get(0))) {
      assertThat(c.call("AUTH", "app", token())).isEqualTo("OK");

      Object reply = c.call("GET", key);

      assertThat(reply)
          .isEqualTo(
              new Err("MOVED " + RedisCluster.slot(key) + " 127.0.0.1:" + front.get(2).port()));
    }
  }

  @Test
  void redisCliInClusterModeFollowsMovedThroughTheEmulators() {
    String key = keyOwnedBy(1);
    List<String> args = RedisCli.tlsArgs(front.get(0));
    args.addAll(List.of("-c", "--user", "app"));

    RedisCli.Result r = RedisCli.run(args, token(), "SET " + key + " moved\nGET " + key + "\n");

    assertThat(r.err()).doesNotContain("AUTH failed");
    assertThat(r.lines())
        .startsWith(
            "-> Redirected to slot ["
                + RedisCluster.slot(key)
                + "] located at 127.0.0.1:"
                + front.get(1).port(),
            "OK",
            "moved");
    assertThat(cluster.command(cluster.node(1), "GET", key)).isEqualTo("moved");
    assertThat(front.get(1).stats().authenticationsAccepted()).isPositive();
  }

  @Test
  void aSlotBeingMigratedAsksForTheTargetsEmulator() {
    RedisCluster.Node source = cluster.node(0);
    RedisCluster.Node target = cluster.node(1);
    String key = keyOwnedBy(0);
    String slot = String.valueOf(RedisCluster.slot(key));
    cluster.command(target, "CLUSTER", "SETSLOT", slot, "IMPORTING", source.id());
    cluster.command(source, "CLUSTER", "SETSLOT", slot, "MIGRATING", target.id());
    try (RawClient c = new RawClient(front.get(0))) {
      assertThat(c.call("AUTH", "app", token())).isEqualTo("OK");

      assertThat(c.call("GET", key))
          .isEqualTo(new Err("ASK " + slot + " 127.0.0.1:" + front.get(1).port()));
    } finally {
      cluster.command(source, "CLUSTER", "SETSLOT", slot, "STABLE");
      cluster.command(target, "CLUSTER", "SETSLOT", slot, "STABLE");
    }
  }

  @Test
  void lettuceSpreadsKeysOverEveryMasterAndEveryConnectionIsAuthenticatedByAnEmulator()
      throws GeneralSecurityException {
    long[] openedBefore = new long[3];
    long[] acceptedBefore = new long[3];
    for (int i = 0; i < 3; i++) {
      openedBefore[i] = front.get(i).stats().connectionsOpened();
      acceptedBefore[i] = front.get(i).stats().authenticationsAccepted();
    }
    List<Long> sizesBefore = new ArrayList<>();
    for (RedisCluster.Node n : cluster.masters()) {
      sizesBefore.add((Long) cluster.command(n, "DBSIZE"));
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(emulator.tls().trustStore());
    RedisURI uri =
        RedisURI.builder()
            .withHost(emulator.host())
            .withPort(emulator.port())
            .withSsl(true)
            .withVerifyPeer(SslVerifyMode.FULL)
            .withAuthentication("app", token())
            .build();
    RedisClusterClient client = RedisClusterClient.create(uri);
    client.setOptions(
        ClusterClientOptions.builder()
            .sslOptions(SslOptions.builder().jdkSslProvider().trustManager(trust).build())
            .build());
    try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
      RedisAdvancedClusterCommands<String, String> redis = connection.sync();
      for (int i = 0; i < 300; i++) {
        redis.set("lettuce:" + i, String.valueOf(i));
      }
      assertThat(redis.get("lettuce:299")).isEqualTo("299");
      assertThat(redis.aclWhoami()).isEqualTo("app");

      for (int i = 0; i < 3; i++) {
        RedisCluster.Node master = cluster.masters().get(i);
        assertThat((Long) cluster.command(master, "DBSIZE"))
            .as("keys on master %d", i)
            .isGreaterThan(sizesBefore.get(i) + 50);
        // Every client connection of the node, but the administrators', is the IAM user's.
        for (String line : String.valueOf(cluster.command(master, "CLIENT", "LIST")).split("\n")) {
          if (!line.contains(" user=" + ADMIN + " ") && !line.contains("cmd=client|list")) {
            assertThat(line).contains(" user=app ");
          }
        }
      }
    } finally {
      client.shutdown();
    }
    for (int i = 0; i < 3; i++) {
      ElastiCacheEmulator e = front.get(i);
      long opened = e.stats().connectionsOpened() - openedBefore[i];
      long accepted = e.stats().authenticationsAccepted() - acceptedBefore[i];
      assertThat(opened).as("connections to node %d's emulator", i).isPositive();
      assertThat(accepted).as("authentications on node %d's emulator", i).isEqualTo(opened);
    }
    assertThat(emulator.stats().authenticationsRejected()).isZero();
  }

  @Test
  void droppingAllConnectionsReachesEveryNode() {
    List<RawClient> clients = new ArrayList<>();
    try {
      for (ElastiCacheEmulator e : emulator.nodes()) {
        RawClient c = new RawClient(e);
        clients.add(c);
        assertThat(c.call("AUTH", "app", token())).isEqualTo("OK");
      }
      long open = emulator.stats().openConnections();
      assertThat(open).isGreaterThanOrEqualTo(3);

      emulator.dropAllConnections();

      for (RawClient c : clients) {
        assertThat(c.isClosedByServer()).isTrue();
      }
      await().atMost(WAIT).until(() -> emulator.stats().openConnections() == 0);
      assertThat(emulator.stats().perNode()).hasSize(3);
    } finally {
      clients.forEach(RawClient::close);
    }
  }

  @Test
  void userChangesReachEveryNodeAndTheMetricsAddUp() {
    String bobToken = emulator.tokenGenerator("bob").generate().value();
    long failuresBefore = emulator.metrics().authenticationFailures();
    long passwordsBefore = emulator.metrics().passwordAuthentications();
    emulator.addPasswordUser("legacy", "legacy-pw-51");
    emulator.removeUser("bob");
    try {
      for (ElastiCacheEmulator node : emulator.nodes()) {
        try (RawClient c = new RawClient(node)) {
          assertThat(c.call("AUTH", "legacy", "legacy-pw-51")).isEqualTo("OK");
          assertThat(c.call("ACL", "WHOAMI")).isEqualTo("legacy");
          assertThat(c.call("AUTH", "bob", bobToken)).isInstanceOf(Err.class);
        }
      }
      assertThat(emulator.passwordUsers()).containsExactly("legacy");
      assertThat(emulator.metrics().passwordAuthentications() - passwordsBefore).isEqualTo(3);
      assertThat(emulator.metrics().authenticationFailures() - failuresBefore).isEqualTo(3);
      assertThat(emulator.describe()).doesNotContain("legacy-pw-51");
    } finally {
      emulator.removeUser("legacy");
      emulator.addIamUser("bob");
    }
    try (RawClient c = new RawClient(front.get(2))) {
      assertThat(c.call("AUTH", "bob", bobToken)).isEqualTo("OK");
      assertThat(c.call("AUTH", "legacy", "legacy-pw-51")).isInstanceOf(Err.class);
    }
  }

  @Test
  void theDescriptionListsEveryNodeAndTheCaFile() {
    String d = emulator.describe();

    for (ElastiCacheEmulator e : emulator.nodes()) {
      assertThat(d).contains(e.endpoint());
    }
    assertThat(d).contains(emulator.tls().caPemFile().toString()).contains("redis-cli -c --tls");
  }

  /** A key whose slot master {@code index} owns. */
  private static String keyOwnedBy(int index) {
    RedisCluster.Node owner = cluster.node(index);
    for (int i = 0; ; i++) {
      String key = "key:" + i;
      int slot = RedisCluster.slot(key);
      if (slot >= owner.firstSlot() && slot <= owner.lastSlot()) {
        return key;
      }
    }
  }
}
