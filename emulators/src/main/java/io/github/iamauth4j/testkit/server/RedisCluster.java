package io.github.iamauth4j.testkit.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster for integration tests: {@code redis-server} processes in cluster mode on
 * free ports of {@code 127.0.0.1}, with all 16384 slots assigned and every node agreeing on the
 * layout ({@code cluster_state:ok}) before {@link Builder#start()} returns.
 *
 * <p>Nodes {@code 0 .. masters-1} are masters, each owning one contiguous slot range in order;
 * nodes {@code masters ..} are replicas, those of master 0 first. Each node can announce another
 * address than its own ({@code cluster-announce-ip}, {@code cluster-announce-port}), so that a
 * proxy in front of each node, such as an IAM emulator, is what clients see in {@code CLUSTER
 * SLOTS} and {@code MOVED} replies. Announced ports need not be open: the nodes talk to each other
 * over their own cluster bus ports.
 *
 * <pre>{@code
 * int[] proxyPorts = ...; // chosen before the cluster starts
 * try (RedisCluster cluster =
 *     RedisCluster.builder()
 *         .masters(3)
 *         .announcePort(node -> proxyPorts[node])
 *         .config("user default off", "user admin on >admin-secret ~* &* +@all")
 *         .auth("admin", "admin-secret")
 *         .start()) {
 *   RedisCluster.Node owner = cluster.masterForKey("orders:42");
 *   cluster.command(owner, "SET", "orders:42", "paid");
 * }
 * }</pre>
 *
 * <p>Requires a local {@code redis-server} 7.0 or later (cluster bus ports are chosen with {@code
 * cluster-port}); there is no container fallback for clusters. Starting takes about two seconds:
 * Redis keeps a new master's cluster state failed for two seconds after it starts.
 */
public final class RedisCluster implements AutoCloseable {
  /** The number of hash slots of a Redis Cluster. */
  public static final int SLOTS = 16384;

  private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);
  private static final long POLL_MILLIS = 50;

  private final List<Node> nodes;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisCluster(List<Node> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Returns a builder with the defaults: 3 masters, no replicas, no announced addresses, no extra
   * configuration, no credentials, a 30-second startup timeout, logs deleted on a clean close.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns all nodes, masters first, by index.
   *
   * @return an immutable list where {@code nodes().get(i).index() == i}
   */
  public List<Node> nodes() {
    return nodes;
  }

  /**
   * Returns the nodes that started as masters.
   *
   * @return the masters, by index
   */
  public List<Node> masters() {
    List<Node> masters = new ArrayList<>();
    for (Node node : nodes) {
      if (node.isMaster()) {
        masters.add(node);
      }
    }
    return List.copyOf(masters);
  }

  /**
   * Returns the nodes that started as replicas.
   *
   * @return the replicas, by index; empty unless {@link Builder#replicasPerMaster(int)} was set
   */
  public List<Node> replicas() {
    List<Node> replicas = new ArrayList<>();
    for (Node node : nodes) {
      if (!node.isMaster()) {
        replicas.add(node);
      }
    }
    return List.copyOf(replicas);
  }

  /**
   * Returns the node with the given index.
   *
   * @param index from 0 to {@code nodes().size() - 1}
   * @return the node
   * @throws IndexOutOfBoundsException if there is no such node
   */
  public Node node(int index) {
    return nodes.get(index);
  }

  /**
   * Runs one command on a node, as {@link RedisServer#command(String...)} does: a fresh connection
   * to the node's own port (not the announced one), authenticated with the builder's credentials.
   *
   * @param node one of this cluster's nodes
   * @param args the command and its arguments
   * @return the reply, as for {@link RedisServer#command(String...)}
   * @throws RedisReplyException if the node replies with an error, e.g. {@code MOVED}
   * @throws java.io.UncheckedIOException if the connection fails
   */
  public @Nullable Object command(Node node, String... args) {
    return node.command(args);
  }

  /**
   * Returns the master that owned {@code slot} when the cluster started.
   *
   * @param slot from 0 to 16383
   * @return the master
   * @throws IllegalArgumentException if {@code slot} is out of range
   */
  public Node masterForSlot(int slot) {
    if (slot < 0 || slot >= SLOTS) {
      throw new IllegalArgumentException("slot: must be 0 to 16383 (got " + slot + ")");
    }
    for (Node node : nodes) {
      if (node.isMaster() && node.firstSlot() <= slot && slot <= node.lastSlot()) {
        return node;
      }
    }
    throw new IllegalStateException("no master owns slot " + slot);
  }

  /**
   * Returns the master that owned {@code key}'s slot when the cluster started.
   *
   * @param key a key; a hash tag ({@code {...}}) is honoured
   * @return the master
   */
  public Node masterForKey(String key) {
    return masterForSlot(slot(key));
  }

  /**
   * Computes a key's hash slot as Redis does: CRC16 (XMODEM) of the key, or of its hash tag, modulo
   * 16384.
   *
   * @param key a key
   * @return the slot, from 0 to 16383
   */
  public static int slot(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    int start = 0;
    int end = bytes.length;
    for (int open = 0; open < bytes.length; open++) {
      if (bytes[open] == '{') {
        for (int close = open + 1; close < bytes.length; close++) {
          if (bytes[close] == '}') {
            if (close > open + 1) {
              start = open + 1;
              end = close;
            }
            break;
          }
        }
        break;
      }
    }
    int crc = 0;
    for (int i = start; i < end; i++) {
      crc ^= (bytes[i] & 0xff) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
    }
    return (crc & 0xffff) % SLOTS;
  }

  /**
   * Stops every node and deletes their directories (see {@link RedisServer#close()}). Calling it
   * again does nothing.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      Live.unregister(this);
      nodes.forEach(node -> node.server.close());
    }
  }

  /** Returns e.g. {@code Redis Cluster of 3 masters and 0 replicas on 127.0.0.1:41001, ...}. */
  @Override
  public String toString() {
    List<String> ports = new ArrayList<>();
    for (Node node : nodes) {
      ports.add(node.host() + ":" + node.port());
    }
    return "Redis Cluster of "
        + masters().size()
        + " masters and "
        + replicas().size()
        + " replicas on "
        + String.join(", ", ports);
  }

  /** One node of a {@link RedisCluster}: a {@link RedisServer} in cluster mode. */
  public static final class Node {
    private final int index;
    private final RedisServer server;
    private final String id;
    private final @Nullable String announcedIp;
    private final int announcedPort;
    private final int firstSlot;
    private final int lastSlot;
    private final int masterIndex;

    Node(
        int index,
        RedisServer server,
        String id,
        @Nullable String announcedIp,
        int announcedPort,
        int firstSlot,
        int lastSlot,
        int masterIndex) {
      this.index = index;
      this.server = server;
      this.id = id;
      this.announcedIp = announcedIp;
      this.announcedPort = announcedPort;
      this.firstSlot = firstSlot;
      this.lastSlot = lastSlot;
      this.masterIndex = masterIndex;
    }

    /**
     * Returns the node's position in {@link RedisCluster#nodes()}.
     *
     * @return the index
     */
    public int index() {
      return index;
    }

    /**
     * Returns the host the node listens on.
     *
     * @return {@code 127.0.0.1}
     */
    public String host() {
      return server.host();
    }

    /**
     * Returns the port the node itself listens on (not the announced one).
     *
     * @return the TCP port
     */
    public int port() {
      return server.port();
    }

    /**
     * Returns the address the node announces to clients ({@code cluster-announce-ip}).
     *
     * @return the announced IP, or {@link #host()} when none was set
     */
    public String announcedHost() {
      return announcedIp != null ? announcedIp : server.host();
    }

    /**
     * Returns the port the node announces to clients in {@code CLUSTER SLOTS}, {@code CLUSTER
     * NODES} and redirections ({@code cluster-announce-port}).
     *
     * @return the announced port, or {@link #port()} when none was set
     */
    public int announcedPort() {
      return announcedPort != 0 ? announcedPort : server.port();
    }

    /**
     * Returns the node's cluster id ({@code CLUSTER MYID}).
     *
     * @return the 40-character node id
     */
    public String id() {
      return id;
    }

    /**
     * Returns whether the node started as a master.
     *
     * @return {@code true} for a master, {@code false} for a replica
     */
    public boolean isMaster() {
      return masterIndex < 0;
    }

    /**
     * Returns the first slot the node owned when the cluster started.
     *
     * @return the first slot, or {@code -1} for a replica
     */
    public int firstSlot() {
      return firstSlot;
    }

    /**
     * Returns the last slot the node owned when the cluster started.
     *
     * @return the last slot (inclusive), or {@code -1} for a replica
     */
    public int lastSlot() {
      return lastSlot;
    }

    /**
     * Returns the index of the master this node replicates.
     *
     * @return the master's index, or {@code -1} for a master
     */
    public int masterIndex() {
      return masterIndex;
    }

    /**
     * Returns the node's server: its log, directory and command helpers.
     *
     * @return the server
     */
    public RedisServer server() {
      return server;
    }

    /**
     * Runs one command on this node; see {@link RedisServer#command(String...)}.
     *
     * @param args the command and its arguments
     * @return the reply
     * @throws RedisReplyException if the node replies with an error
     * @throws java.io.UncheckedIOException if the connection fails
     */
    public @Nullable Object command(String... args) {
      return server.command(args);
    }

    /**
     * Returns the server's log file.
     *
     * @return the path of the node's log
     */
    public Path logFile() {
      return server.logFile();
    }

    /** Returns e.g. {@code master 0 on 127.0.0.1:41001 (announced 127.0.0.1:7000)}. */
    @Override
    public String toString() {
      return (isMaster() ? "master " : "replica ")
          + index
          + " on "
          + host()
          + ":"
          + port()
          + " (announced "
          + announcedHost()
          + ":"
          + announcedPort()
          + ")";
    }
  }

  /** Options for a {@link RedisCluster}; {@link #start()} starts one. Not thread-safe. */
  public static final class Builder {
    private int masters = 3;
    private int replicasPerMaster;
    private final List<String> config = new ArrayList<>();
    private IntFunction<? extends Collection<String>> nodeConfig = node -> List.of();
    private IntUnaryOperator announcePort = node -> 0;
    private @Nullable String announceIp;
    // The options every node shares: credentials, binary, timeouts, logs.
    private final RedisServer.Builder nodeOptions = RedisServer.builder();

    private Builder() {}

    /**
     * Sets the number of masters. Default: 3.
     *
     * @param masters at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code masters} is less than 1 or more than 100
     */
    public Builder masters(int masters) {
      if (masters < 1 || masters > 100) {
        throw new IllegalArgumentException("masters: must be 1 to 100 (got " + masters + ")");
      }
      this.masters = masters;
      return this;
    }

    /**
     * Sets the number of replicas of each master. Default: 0.
     *
     * @param replicas 0 or more
     * @return this builder
     * @throws IllegalArgumentException if {@code replicas} is negative or more than 5
     */
    public Builder replicasPerMaster(int replicas) {
      if (replicas < 0 || replicas > 5) {
        throw new IllegalArgumentException(
            "replicasPerMaster: must be 0 to 5 (got " + replicas + ")");
      }
      this.replicasPerMaster = replicas;
      return this;
    }

    /**
     * Adds configuration lines for every node, after the launcher's own; see {@link
     * RedisServer.Builder#config(String...)}.
     *
     * @param lines configuration lines in {@code redis.conf} syntax
     * @return this builder
     * @throws IllegalArgumentException if a line contains a line break
     */
    public Builder config(String... lines) {
      config.addAll(RedisServer.Builder.checkConfig(List.of(lines)));
      return this;
    }

    /**
     * Sets extra configuration lines per node, added after {@link #config(String...)}'s, e.g.
     * {@code node -> List.of("cluster-announce-tls-port " + tlsPorts[node])}.
     *
     * @param nodeConfig from a node index to that node's lines
     * @return this builder
     */
    public Builder nodeConfig(IntFunction<? extends Collection<String>> nodeConfig) {
      this.nodeConfig = Objects.requireNonNull(nodeConfig, "nodeConfig");
      return this;
    }

    /**
     * Sets the port each node announces to clients ({@code cluster-announce-port}), e.g. the port
     * of a proxy in front of it. Default: none, each node announces its own port.
     *
     * @param announcePort from a node index to the port to announce, or 0 for the node's own
     * @return this builder
     */
    public Builder announcePort(IntUnaryOperator announcePort) {
      this.announcePort = Objects.requireNonNull(announcePort, "announcePort");
      return this;
    }

    /**
     * Sets the IP address every node announces ({@code cluster-announce-ip}). Nodes also use it to
     * reach each other's cluster bus, so it must lead to this machine. Default: none, the nodes
     * announce {@code 127.0.0.1}.
     *
     * @param announceIp an IP address
     * @return this builder
     * @throws IllegalArgumentException if {@code announceIp} is blank
     */
    public Builder announceIp(String announceIp) {
      if (Objects.requireNonNull(announceIp, "announceIp").isBlank()) {
        throw new IllegalArgumentException("announceIp: must not be blank");
      }
      this.announceIp = announceIp;
      return this;
    }

    /**
     * Makes the launcher and {@link RedisCluster#command(Node, String...)} authenticate with {@code
     * AUTH password} (for {@code requirepass}). Replicas use it as {@code masterauth}.
     *
     * @param password the password of the {@code default} user
     * @return this builder
     */
    public Builder auth(String password) {
      nodeOptions.auth(password);
      return this;
    }

    /**
     * Makes the launcher and {@link RedisCluster#command(Node, String...)} authenticate with {@code
     * AUTH user password}; replicas use them as {@code masteruser}/{@code masterauth}. The user
     * must exist in the configuration and be allowed everything ({@code ~* &* +@all}).
     *
     * @param user the ACL user
     * @param password its password
     * @return this builder
     */
    public Builder auth(String user, String password) {
      nodeOptions.auth(user, password);
      return this;
    }

    /**
     * Sets how long {@link #start()} waits for each node to answer and then for the whole cluster
     * to agree. Default: 30 seconds.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public Builder startupTimeout(Duration timeout) {
      nodeOptions.startupTimeout(timeout);
      return this;
    }

    /**
     * Keeps the nodes' directories, with their logs, after {@link RedisCluster#close()}. Default:
     * {@code false}, unless the system property {@code iamauth4j.testkit.keepLogs} is {@code true}.
     *
     * @param keepLogs whether to keep the directories
     * @return this builder
     */
    public Builder keepLogs(boolean keepLogs) {
      nodeOptions.keepLogs(keepLogs);
      return this;
    }

    /**
     * Uses this {@code redis-server} (or {@code valkey-server}) binary instead of looking one up.
     *
     * @param executable the server binary
     * @return this builder
     */
    public Builder executable(Path executable) {
      nodeOptions.executable(executable);
      return this;
    }

    /**
     * Starts the nodes, assigns the slots, joins the nodes, attaches the replicas and waits until
     * every node reports {@code cluster_state:ok} and the same layout.
     *
     * @return the running cluster; close it when done
     * @throws ServerUnavailableException if {@code redis-server} is not installed
     * @throws ServerStartException if a node does not start or the cluster does not form in time
     */
    public RedisCluster start() {
      long started = System.nanoTime();
      int total = masters * (1 + replicasPerMaster);
      List<RedisServer> servers = new ArrayList<>();
      try {
        for (int i = 0; i < total; i++) {
          String role = i < masters ? "master " : "replica ";
          servers.add(
              nodeOptions.startClusterNode("redis-server cluster " + role + i, nodeLines(i)));
        }
        List<Node> nodes = join(servers);
        RedisCluster cluster = new RedisCluster(nodes);
        Live.register(cluster);
        LOG.info("Started {} in {} ms", cluster, (System.nanoTime() - started) / 1_000_000);
        return cluster;
      } catch (RuntimeException e) {
        for (RedisServer server : servers) {
          server.abandon();
        }
        throw e;
      }
    }

    /** A node's configuration: the launcher's lines for the cluster, then the caller's. */
    private List<String> nodeLines(int index) {
      List<String> lines = new ArrayList<>();
      // Replicas sync at once instead of waiting 5 s for more replicas to share the transfer.
      lines.add("repl-diskless-sync-delay 0");
      int port = announcePort.applyAsInt(index);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "announcePort: must be 0 to 65535 (got " + port + " for node " + index + ")");
      }
      if (port != 0) {
        lines.add("cluster-announce-port " + port);
      }
      if (announceIp != null) {
        lines.add("cluster-announce-ip " + announceIp);
      }
      String user = nodeOptions.user();
      String password = nodeOptions.password();
      if (password != null) {
        if (user != null) {
          lines.add("masteruser " + user);
        }
        lines.add("masterauth " + password);
      }
      lines.addAll(config);
      lines.addAll(nodeConfig.apply(index));
      return lines;
    }

    private List<Node> join(List<RedisServer> servers) {
      long deadline = System.nanoTime() + nodeOptions.startupTimeout().toNanos();
      int total = servers.size();
      List<String> ids = new ArrayList<>();
      for (RedisServer server : servers) {
        ids.add(String.valueOf(server.command("CLUSTER", "MYID")));
      }
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < masters; i++) {
        int first = (int) ((long) SLOTS * i / masters);
        int last = (int) ((long) SLOTS * (i + 1) / masters) - 1;
        // ADDSLOTS with every slot works on all versions (ADDSLOTSRANGE needs 7.0).
        String[] args = new String[2 + last - first + 1];
        args[0] = "CLUSTER";
        args[1] = "ADDSLOTS";
        for (int slot = first; slot <= last; slot++) {
          args[2 + slot - first] = Integer.toString(slot);
        }
        servers.get(i).command(args);
        nodes.add(node(i, servers.get(i), ids.get(i), first, last, -1));
      }
      for (int i = 1; i < masters; i++) {
        meet(servers.get(0), servers.get(i));
      }
      // Each replica meets its own master and replicates it before the others hear of it, so that
      // they learn it as a replica at first contact instead of by slow gossip later.
      for (int i = masters; i < total; i++) {
        meet(servers.get(i), servers.get((i - masters) / replicasPerMaster));
      }
      for (int i = masters; i < total; i++) {
        int master = (i - masters) / replicasPerMaster;
        replicate(servers, servers.get(i), ids.get(master), deadline);
        nodes.add(node(i, servers.get(i), ids.get(i), -1, -1, master));
      }
      awaitCluster(servers, deadline, "all nodes to know each other", this::knowsAll);
      LOG.debug("All {} nodes know each other", total);
      awaitCluster(servers, deadline, "cluster_state:ok on every node", this::isOk);
      LOG.debug("cluster_state:ok on all {} nodes", total);
      awaitAgreement(servers, deadline);
      LOG.debug("All {} nodes agree on the layout", total);
      return nodes;
    }

    private static void meet(RedisServer from, RedisServer to) {
      from.command(
          "CLUSTER",
          "MEET",
          to.host(),
          Integer.toString(to.port()),
          Integer.toString(to.clusterBusPort()));
    }

    /** Makes {@code replica} replicate {@code masterId} as soon as it knows that node. */
    private void replicate(
        List<RedisServer> servers, RedisServer replica, String masterId, long deadline) {
      while (true) {
        try {
          replica.command("CLUSTER", "REPLICATE", masterId);
          return;
        } catch (RedisReplyException e) {
          // "ERR Unknown node": the handshake with the master is not done yet.
          failIfLate(
              servers,
              deadline,
              replica + " to replicate " + masterId + " (" + e.getMessage() + ")");
          LocalProcess.pause(20);
        }
      }
    }

    private Node node(int index, RedisServer server, String id, int first, int last, int master) {
      return new Node(
          index, server, id, announceIp, announcePort.applyAsInt(index), first, last, master);
    }

    private boolean knowsAll(RedisServer server, int total) {
      return info(server).contains("cluster_known_nodes:" + total + "\r\n");
    }

    private boolean isOk(RedisServer server, int total) {
      String info = info(server);
      if (!info.contains("cluster_state:ok\r\n")
          || !info.contains("cluster_slots_assigned:" + SLOTS + "\r\n")
          || !info.contains("cluster_known_nodes:" + total + "\r\n")) {
        return false;
      }
      String role = String.valueOf(server.command("ROLE"));
      return !role.startsWith("[slave") || role.contains("connected");
    }

    private static String info(RedisServer server) {
      return String.valueOf(server.command("CLUSTER", "INFO"));
    }

    /** A check of one node of a cluster of {@code total} nodes. */
    @FunctionalInterface
    private interface NodeCheck {
      boolean test(RedisServer server, int total);
    }

    private void awaitCluster(
        List<RedisServer> servers, long deadline, String what, NodeCheck check) {
      while (true) {
        boolean all = true;
        for (RedisServer server : servers) {
          if (!check.test(server, servers.size())) {
            all = false;
            break;
          }
        }
        if (all) {
          return;
        }
        failIfLate(servers, deadline, what);
        LocalProcess.pause(POLL_MILLIS);
      }
    }

    /** Waits until every node's {@code CLUSTER NODES} shows the same nodes, roles and slots. */
    private void awaitAgreement(List<RedisServer> servers, long deadline) {
      while (true) {
        TreeSet<String> views = new TreeSet<>();
        for (RedisServer server : servers) {
          views.add(signature(String.valueOf(server.command("CLUSTER", "NODES"))));
        }
        if (views.size() == 1) {
          return;
        }
        failIfLate(servers, deadline, "every node to show the same cluster layout");
        LocalProcess.pause(POLL_MILLIS);
      }
    }

    /** Id, announced address, role, master and slots of each node, sorted. */
    private static String signature(String clusterNodes) {
      TreeSet<String> lines = new TreeSet<>();
      for (String line : clusterNodes.split("\n")) {
        String[] fields = line.strip().split(" ");
        if (fields.length < 8) {
          continue;
        }
        String role = fields[2].contains("master") ? "master" : "slave";
        StringBuilder entry =
            new StringBuilder(fields[0])
                .append(' ')
                .append(fields[1].split(",")[0])
                .append(' ')
                .append(role)
                .append(' ')
                .append(fields[3]);
        for (int i = 8; i < fields.length; i++) {
          entry.append(' ').append(fields[i]);
        }
        lines.add(entry.toString());
      }
      return String.join("\n", lines);
    }

    private void failIfLate(List<RedisServer> servers, long deadline, String what) {
      if (System.nanoTime() - deadline <= 0) {
        return;
      }
      StringBuilder message =
          new StringBuilder("Redis Cluster did not form within ")
              .append(nodeOptions.startupTimeout().toMillis())
              .append(" ms: waited for ")
              .append(what);
      for (RedisServer server : servers) {
        String state;
        try {
          state =
              info(server)
                  .lines()
                  .filter(l -> l.startsWith("cluster_"))
                  .limit(6)
                  .toList()
                  .toString();
        } catch (RuntimeException e) {
          state = e.toString();
        }
        message.append("\n  ").append(server).append(": ").append(state);
        message.append(" (log: ").append(server.logFile()).append(')');
      }
      message
          .append("\nlast lines of ")
          .append(servers.get(0).logFile())
          .append(":\n")
          .append(
              Redact.text(LocalProcess.tail(servers.get(0).logFile(), 20), nodeOptions.secrets()));
      throw new ServerStartException(message.toString(), servers.get(0).logFile(), null);
    }
  }
}
