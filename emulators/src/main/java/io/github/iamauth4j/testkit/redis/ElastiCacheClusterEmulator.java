package io.github.iamauth4j.testkit.redis;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenGenerator;
import io.github.iamauth4j.testkit.net.AuthMetrics;
import io.github.iamauth4j.testkit.tls.TlsMaterial;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ElastiCache (cluster mode enabled) or MemoryDB IAM authentication in front of a real Redis
 * Cluster: one {@link ElastiCacheEmulator} per node, and nodes that announce the emulators' ports
 * ({@code cluster-announce-ip 127.0.0.1}, {@code cluster-announce-port} = the node's emulator,
 * {@code cluster-announce-bus-port} = the node's real bus port, so gossip still works). {@code
 * CLUSTER SLOTS}, {@code CLUSTER SHARDS}, {@code CLUSTER NODES}, {@code MOVED} and {@code ASK}
 * therefore lead cluster-aware clients to emulators only, each of which verifies tokens the same
 * way.
 *
 * <pre>{@code
 * try (ElastiCacheClusterEmulator cluster =
 *     ElastiCacheClusterEmulator.builder()
 *         .backendNode("127.0.0.1", 7000)          // one node: the others are discovered
 *         .backendAdmin("admin", "admin-password")
 *         .cacheName("orders")
 *         .start()) {
 *   // Point the client at cluster.host():cluster.port(), trusting cluster.tls().
 * }
 * }</pre>
 *
 * <p>The emulator changes the nodes' {@code cluster-announce-*} settings with {@code CONFIG SET} at
 * start, waits until every node sees every other at its emulator's port, and restores the previous
 * settings on {@link #close()}. The backend administrator needs {@code CONFIG} and {@code CLUSTER}
 * permissions on every node, as well as {@code ACL}.
 */
public final class ElastiCacheClusterEmulator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ElastiCacheClusterEmulator.class);
  private static final String[] ANNOUNCE = {
    "cluster-announce-ip", "cluster-announce-port", "cluster-announce-bus-port"
  };

  private final List<ElastiCacheEmulator> nodes;
  private final List<Map<String, String>> previousAnnounce;
  private final ClusterStats stats;
  private boolean closed;

  private ElastiCacheClusterEmulator(
      List<ElastiCacheEmulator> nodes, List<Map<String, String>> previousAnnounce) {
    this.nodes = List.copyOf(nodes);
    this.previousAnnounce = List.copyOf(previousAnnounce);
    List<io.github.iamauth4j.testkit.net.EmulatorStats> s = new ArrayList<>();
    nodes.forEach(n -> s.add(n.stats()));
    this.stats = new ClusterStats(s);
  }

  /**
   * A builder: at least one {@link Builder#backendNode(String, int) backend node} and the {@link
   * Builder#cacheName(String) cache name} are required; the other settings and defaults are those
   * of {@link ElastiCacheEmulator#builder()}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** One emulator per backend node (masters and replicas), the seed first. */
  public List<ElastiCacheEmulator> nodes() {
    return nodes;
  }

  /** The host of the seed emulator: {@code 127.0.0.1}. */
  public String host() {
    return nodes.get(0).host();
  }

  /** The port of the seed emulator (any node's emulator works as a seed). */
  public int port() {
    return nodes.get(0).port();
  }

  /** {@code host:port} of every node's emulator. */
  public List<String> endpoints() {
    return nodes.stream().map(ElastiCacheEmulator::endpoint).toList();
  }

  /** The TLS material clients must trust (shared by every node's emulator). */
  public TlsMaterial tls() {
    return nodes.get(0).tls();
  }

  /** The kind of resource emulated. */
  public IamTarget.Kind kind() {
    return nodes.get(0).kind();
  }

  /** The replication group or cluster name tokens must be signed for. */
  public String cacheName() {
    return nodes.get(0).cacheName();
  }

  /** The region tokens must be signed for. */
  public String region() {
    return nodes.get(0).region();
  }

  /**
   * What a token for {@code user} on this cluster targets.
   *
   * @param user the IAM-enabled user
   */
  public IamTarget target(String user) {
    return nodes.get(0).target(user);
  }

  /**
   * A token generator for {@code user} that signs with the first trusted credentials and the
   * emulator's clock.
   *
   * @param user the IAM-enabled user
   */
  public IamTokenGenerator tokenGenerator(String user) {
    return nodes.get(0).tokenGenerator(user);
  }

  /** The counters of every node's emulator, added up. */
  public ClusterStats stats() {
    return stats;
  }

  /**
   * The counters of every node's emulator, added up, under AWS's CloudWatch names; see {@link
   * ElastiCacheEmulator#metrics()}.
   */
  public AuthMetrics metrics() {
    return stats.metrics();
  }

  /** Whether a user group was configured; see {@link ElastiCacheEmulator#hasUserGroup()}. */
  public boolean hasUserGroup() {
    return nodes.get(0).hasUserGroup();
  }

  /** The IAM users of the user group now; see {@link ElastiCacheEmulator#iamUsers()}. */
  public Set<String> iamUsers() {
    return nodes.get(0).iamUsers();
  }

  /** The password users' names now; see {@link ElastiCacheEmulator#passwordUsers()}. */
  public Set<String> passwordUsers() {
    return nodes.get(0).passwordUsers();
  }

  /**
   * Adds an IAM user on every node; see {@link ElastiCacheEmulator#addIamUser(String)}.
   *
   * @param user the user name
   */
  public void addIamUser(String user) {
    nodes.forEach(n -> n.addIamUser(user));
  }

  /**
   * Adds a password user on every node; see {@link ElastiCacheEmulator#addPasswordUser(String,
   * String)}.
   *
   * @param user the user name
   * @param password its password (never logged)
   */
  public void addPasswordUser(String user, String password) {
    nodes.forEach(n -> n.addPasswordUser(user, password));
  }

  /**
   * Takes a user out of the user group on every node; see {@link
   * ElastiCacheEmulator#removeUser(String)}.
   *
   * @param user the user name
   */
  public void removeUser(String user) {
    nodes.forEach(n -> n.removeUser(user));
  }

  /** Fault injection: closes every client connection of every node now. */
  public void dropAllConnections() {
    nodes.forEach(ElastiCacheEmulator::dropAllConnections);
  }

  /**
   * Fault injection: every node refuses new connections for {@code duration} of the emulator's
   * clock.
   *
   * @param duration how long to refuse
   */
  public void refuseNewConnections(Duration duration) {
    nodes.forEach(n -> n.refuseNewConnections(duration));
  }

  /** Stops refusing new connections. */
  public void acceptNewConnections() {
    nodes.forEach(ElastiCacheEmulator::acceptNewConnections);
  }

  /**
   * Stops every node's emulator and restores the nodes' previous {@code cluster-announce-*}
   * settings and ACLs. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = 0; i < nodes.size(); i++) {
      ElastiCacheEmulator node = nodes.get(i);
      node.dropAllConnections();
      restoreAnnounce(node, previousAnnounce.get(i));
      node.close();
    }
  }

  private static void restoreAnnounce(ElastiCacheEmulator node, Map<String, String> previous) {
    if (previous.isEmpty()) {
      return;
    }
    List<String> args = new ArrayList<>(List.of("CONFIG", "SET"));
    previous.forEach(
        (k, v) -> {
          args.add(k);
          args.add(v);
        });
    try {
      node.admin().call(args.toArray(new String[0]));
    } catch (IOException e) {
      log.warn(
          "could not restore the cluster-announce settings of {}:{}: {}",
          node.backendHost(),
          node.backendPort(),
          e.getMessage());
    }
  }

  /**
   * The endpoints, the CA file and a {@code redis-cli -c} command line, for a person at a terminal.
   * Contains no secret.
   */
  public String describe() {
    ElastiCacheEmulator seed = nodes.get(0);
    StringBuilder sb = new StringBuilder();
    sb.append(seed.kind().label())
        .append(" \"")
        .append(seed.cacheName())
        .append("\" (")
        .append(seed.region())
        .append(", cluster mode) emulated by ")
        .append(nodes.size())
        .append(" node endpoints (TLS):\n");
    for (ElastiCacheEmulator n : nodes) {
      sb.append("  ")
          .append(n.endpoint())
          .append(" -> redis at ")
          .append(n.backendHost())
          .append(':')
          .append(n.backendPort())
          .append('\n');
    }
    sb.append("  CA certificate:   ").append(seed.tls().caPemFile()).append('\n');
    sb.append("  connection limit: ")
        .append(seed.connectionLimit())
        .append(" after authentication\n");
    sb.append("  users:            ").append(seed.users()).append('\n');
    sb.append("  connect:          REDISCLI_AUTH=<token> redis-cli -c --tls --cacert ")
        .append(seed.tls().caPemFile())
        .append(" -h ")
        .append(seed.host())
        .append(" -p ")
        .append(seed.port())
        .append(" --user <user>\n");
    return sb.toString();
  }

  @Override
  public String toString() {
    return "ElastiCacheClusterEmulator["
        + kind().label()
        + " \""
        + cacheName()
        + "\", "
        + region()
        + ", nodes "
        + endpoints()
        + "]";
  }

  /** Settings of an {@link ElastiCacheClusterEmulator}; {@link #start()} starts one. */
  public static final class Builder {
    private final ElastiCacheEmulator.Builder node = ElastiCacheEmulator.builder();
    private final List<String> backendHosts = new ArrayList<>();
    private final List<Integer> backendPorts = new ArrayList<>();
    private Duration convergenceTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /**
     * A node of the real cluster, reached in plaintext. Give one, and the others are discovered
     * with {@code CLUSTER NODES}; or give every node (needed when the cluster already announces
     * other addresses).
     *
     * @param host the node's host
     * @param port the node's client port
     */
    public Builder backendNode(String host, int port) {
      backendHosts.add(Objects.requireNonNull(host, "host"));
      backendPorts.add(port);
      return this;
    }

    /**
     * The backend administrator, the same on every node; see {@link
     * ElastiCacheEmulator.Builder#backendAdmin(String, String)}.
     *
     * @param user the ACL user; null for {@code default}
     * @param password its password; null for none
     */
    public Builder backendAdmin(@Nullable String user, @Nullable String password) {
      node.backendAdmin(user, password);
      return this;
    }

    /**
     * See {@link ElastiCacheEmulator.Builder#backendTimeout(Duration)}.
     *
     * @param timeout a positive duration
     */
    public Builder backendTimeout(Duration timeout) {
      node.backendTimeout(timeout);
      return this;
    }

    /**
     * {@link IamTarget.Kind#ELASTICACHE} (the default) or {@link IamTarget.Kind#MEMORYDB}; see
     * {@link ElastiCacheEmulator.Builder#kind(IamTarget.Kind)}.
     *
     * @param kind the kind
     */
    public Builder kind(IamTarget.Kind kind) {
      node.kind(kind);
      return this;
    }

    /**
     * The replication group or MemoryDB cluster name. Required.
     *
     * @param name e.g. {@code orders}
     */
    public Builder cacheName(String name) {
      node.cacheName(name);
      return this;
    }

    /**
     * The region. Default {@code us-east-1}.
     *
     * @param region e.g. {@code eu-west-1}
     */
    public Builder region(String region) {
      node.region(region);
      return this;
    }

    /**
     * Trusts tokens signed with these credentials. Default {@link TrustedCredentials#example()}.
     *
     * @param credentials the test identity
     */
    public Builder trust(TrustedCredentials credentials) {
      node.trust(credentials);
      return this;
    }

    /**
     * The connection limit of every node. Default 12 hours.
     *
     * @param limit a positive duration
     */
    public Builder connectionLimit(Duration limit) {
      node.connectionLimit(limit);
      return this;
    }

    /**
     * The allowed clock skew. Default 5 minutes.
     *
     * @param skew zero or more
     */
    public Builder allowedClockSkew(Duration skew) {
      node.allowedClockSkew(skew);
      return this;
    }

    /**
     * The clock of every node. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     */
    public Builder clock(Clock clock) {
      node.clock(clock);
      return this;
    }

    /**
     * The TLS material of every node. Default {@link TlsMaterial#localhost()}.
     *
     * @param tls the material
     */
    public Builder tls(TlsMaterial tls) {
      node.tls(tls);
      return this;
    }

    /**
     * Adds an IAM user to the user group of every node; see {@link
     * ElastiCacheEmulator.Builder#iamUser(String)}.
     *
     * @param user the user name
     */
    public Builder iamUser(String user) {
      node.iamUser(user);
      return this;
    }

    /**
     * Adds a password user to every node (a normal ACL user of each); see {@link
     * ElastiCacheEmulator.Builder#passwordUser(String, String)}.
     *
     * @param user the user name
     * @param password its password; never logged or shown
     */
    public Builder passwordUser(String user, String password) {
      node.passwordUser(user, password);
      return this;
    }

    /**
     * The most IAM authentications per second, per node; see {@link
     * ElastiCacheEmulator.Builder#authenticationRateLimit(int)}.
     *
     * @param perSecond 1 or more, or 0 for none
     */
    public Builder authenticationRateLimit(int perSecond) {
      node.authenticationRateLimit(perSecond);
      return this;
    }

    /**
     * How long {@link #start()} waits for every node to see every other at its emulator's port.
     * Default 30 seconds.
     *
     * @param timeout a positive duration
     */
    public Builder convergenceTimeout(Duration timeout) {
      this.convergenceTimeout = Objects.requireNonNull(timeout, "convergenceTimeout");
      return this;
    }

    /**
     * Starts an emulator per node, makes the nodes announce them, and waits until the whole cluster
     * does.
     *
     * @return the running cluster emulator; close it when done
     * @throws IamConfigurationException listing every invalid setting
     * @throws IllegalStateException if the cluster cannot be reached, administered or does not
     *     converge in time
     */
    public ElastiCacheClusterEmulator start() {
      List<String> problems = new ArrayList<>();
      if (backendHosts.isEmpty()) {
        problems.add("backendNode: at least one node of the cluster is required");
      } else {
        node.backend(backendHosts.get(0), backendPorts.get(0));
      }
      try {
        node.copy().validate();
      } catch (IamConfigurationException e) {
        problems.addAll(e.problems());
      }
      if (node.kindSetting() == IamTarget.Kind.ELASTICACHE_SERVERLESS) {
        problems.add(
            "kind: ElastiCache Serverless has a single endpoint; use ElastiCacheEmulator in front"
                + " of a cluster node");
      }
      if (convergenceTimeout.isZero() || convergenceTimeout.isNegative()) {
        problems.add("convergenceTimeout: " + convergenceTimeout + " is not positive");
      }
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      List<NodeInfo> infos = discover();
      List<ElastiCacheEmulator> started = new ArrayList<>();
      List<Map<String, String>> previous = new ArrayList<>();
      try {
        for (NodeInfo info : infos) {
          started.add(node.copy().port(0).backend(info.host, info.port).start());
        }
        for (int i = 0; i < infos.size(); i++) {
          previous.add(announce(started.get(i), infos.get(i)));
        }
        awaitConvergence(started, infos);
      } catch (RuntimeException e) {
        for (int i = 0; i < started.size(); i++) {
          if (i < previous.size()) {
            restoreAnnounce(started.get(i), previous.get(i));
          }
          started.get(i).close();
        }
        throw e;
      }
      ElastiCacheClusterEmulator cluster = new ElastiCacheClusterEmulator(started, previous);
      log.info("cluster emulator started: {}", cluster);
      return cluster;
    }

    private List<NodeInfo> discover() {
      List<NodeInfo> infos = new ArrayList<>();
      List<String[]> addresses = new ArrayList<>();
      if (backendHosts.size() == 1) {
        // The seed first, at the address it was given; the others as the seed knows them.
        addresses.add(new String[] {backendHosts.get(0), String.valueOf(backendPorts.get(0))});
        for (String line : clusterNodes(backendHosts.get(0), backendPorts.get(0))) {
          String[] f = line.split(" ");
          if (f.length < 3
              || f[2].contains("myself")
              || f[2].contains("fail")
              || f[2].contains("noaddr")
              || f[2].contains("handshake")) {
            continue;
          }
          String address = f[1].split("[@,]")[0];
          int colon = address.lastIndexOf(':');
          String host = address.substring(0, colon);
          addresses.add(
              new String[] {
                host.isEmpty() ? backendHosts.get(0) : host, address.substring(colon + 1)
              });
        }
      } else {
        for (int i = 0; i < backendHosts.size(); i++) {
          addresses.add(new String[] {backendHosts.get(i), String.valueOf(backendPorts.get(i))});
        }
      }
      for (String[] a : addresses) {
        infos.add(describeNode(a[0], Integer.parseInt(a[1])));
      }
      return infos;
    }

    private List<String> clusterNodes(String host, int port) {
      try (BackendClient c =
          BackendClient.connect(
              host, port, node.adminUser(), node.adminPassword(), node.backendTimeout())) {
        return List.of(String.valueOf(c.call("CLUSTER", "NODES")).split("\n"));
      } catch (IOException e) {
        throw new IllegalStateException(
            "could not read CLUSTER NODES from the backend node "
                + host
                + ":"
                + port
                + ": "
                + e.getMessage(),
            e);
      }
    }

    private NodeInfo describeNode(String host, int port) {
      try (BackendClient c =
          BackendClient.connect(
              host, port, node.adminUser(), node.adminPassword(), node.backendTimeout())) {
        String id = String.valueOf(c.call("CLUSTER", "MYID"));
        Object reply = c.call("CONFIG", "GET", "cluster-port");
        int busPort = 0;
        if (reply instanceof List && ((List<?>) reply).size() == 2) {
          busPort = Integer.parseInt(String.valueOf(((List<?>) reply).get(1)));
        }
        if (busPort == 0) {
          busPort = port + 10000;
        }
        return new NodeInfo(host, port, busPort, id);
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException(
            "could not inspect the backend node "
                + host
                + ":"
                + port
                + " (is it a cluster node? the administrator needs CLUSTER and CONFIG): "
                + e.getMessage(),
            e);
      }
    }

    /** Makes the node announce its emulator; returns the settings to restore. */
    private static Map<String, String> announce(ElastiCacheEmulator emulator, NodeInfo info) {
      BackendAdmin admin = emulator.admin();
      try {
        Map<String, String> previous = new LinkedHashMap<>();
        for (String key : ANNOUNCE) {
          Object reply = admin.call("CONFIG", "GET", key);
          if (reply instanceof List && ((List<?>) reply).size() == 2) {
            previous.put(key, String.valueOf(((List<?>) reply).get(1)));
          }
        }
        admin.call(
            "CONFIG",
            "SET",
            "cluster-announce-ip",
            emulator.host(),
            "cluster-announce-port",
            String.valueOf(emulator.port()),
            "cluster-announce-bus-port",
            String.valueOf(info.busPort));
        log.debug(
            "backend node {}:{} ({}) now announces {}",
            info.host,
            info.port,
            info.id,
            emulator.endpoint());
        return previous;
      } catch (IOException e) {
        throw new IllegalStateException(
            "could not make the backend node "
                + info.host
                + ":"
                + info.port
                + " announce its emulator (CONFIG SET cluster-announce-*): "
                + e.getMessage(),
            e);
      }
    }

    private void awaitConvergence(List<ElastiCacheEmulator> emulators, List<NodeInfo> infos) {
      Map<String, String> expected = new HashMap<>();
      for (int i = 0; i < infos.size(); i++) {
        expected.put(infos.get(i).id, emulators.get(i).endpoint());
      }
      long deadline = System.nanoTime() + convergenceTimeout.toNanos();
      String lastMismatch = "";
      while (true) {
        lastMismatch = mismatch(emulators, expected);
        if (lastMismatch.isEmpty()) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the cluster did not announce the emulators within "
                  + convergenceTimeout
                  + ": "
                  + lastMismatch);
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while the cluster converged", e);
        }
      }
    }

    /** What some node does not yet see as expected, or "" when all agree. */
    private static String mismatch(
        List<ElastiCacheEmulator> emulators, Map<String, String> expected) {
      for (ElastiCacheEmulator e : emulators) {
        String nodes;
        try {
          nodes = String.valueOf(e.admin().call("CLUSTER", "NODES"));
        } catch (IOException ex) {
          return "node " + e.backendHost() + ":" + e.backendPort() + ": " + ex.getMessage();
        }
        int seen = 0;
        for (String line : nodes.split("\n")) {
          String[] f = line.split(" ");
          if (f.length < 2 || !expected.containsKey(f[0])) {
            continue;
          }
          seen++;
          String address = f[1].split("[@,]")[0];
          if (!address.equals(expected.get(f[0]))) {
            return "node "
                + e.backendHost()
                + ":"
                + e.backendPort()
                + " sees "
                + f[0]
                + " at "
                + address
                + ", expected "
                + expected.get(f[0]);
          }
        }
        if (seen != expected.size()) {
          return "node "
              + e.backendHost()
              + ":"
              + e.backendPort()
              + " knows "
              + seen
              + " of the "
              + expected.size()
              + " nodes";
        }
      }
      return "";
    }
  }

  private static final class NodeInfo {
    final String host;
    final int port;
    final int busPort;
    final String id;

    NodeInfo(String host, int port, int busPort, String id) {
      this.host = host;
      this.port = port;
      this.busPort = busPort;
      this.id = id;
    }
  }
}
