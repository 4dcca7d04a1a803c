package io.github.iamauth4j.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A real standalone {@code redis-server} for integration tests, on a free port of {@code
 * 127.0.0.1}, in a temporary directory that is deleted on {@link #close()}.
 *
 * <p>The server runs with {@code save ""}, {@code appendonly no} and {@code protected-mode no}
 * (safe since it binds to loopback only); the caller adds any other configuration lines, which come
 * after the launcher's own and so override them:
 *
 * <pre>{@code
 * try (RedisServer redis =
 *     RedisServer.builder()
 *         .config("user default off", "user admin on >admin-secret ~* &* +@all")
 *         .auth("admin", "admin-secret")
 *         .start()) {
 *   redis.command("SET", "greeting", "hello");          // authenticated as admin
 *   redis.commandWithoutAuth("GET", "greeting");         // throws RedisReplyException NOAUTH
 * }
 * }</pre>
 *
 * <p>Binaries: {@code redis-server} (Redis 6 or later; Debian's {@code redis-server} package) is
 * looked up in {@code /usr/bin}, {@code /usr/sbin}, {@code /usr/local/bin}, {@code /usr/local/sbin}
 * and {@code PATH}. When it is missing and a Docker engine is reachable, the server runs in a
 * container ({@value #DEFAULT_IMAGE} unless {@link Builder#containerImage(String)} says otherwise)
 * through Testcontainers, with the same configuration (paths in configuration lines then refer to
 * the container's file system); otherwise {@link #builder()}{@code .start()} throws {@link
 * ServerUnavailableException}.
 *
 * <p>{@link #close()} stops the server with {@code SIGTERM}, then {@code SIGKILL} after 10 seconds.
 * Instances are thread-safe: each {@code command} uses its own connection.
 */
public final class RedisServer extends LaunchedServer {
  /** The container image used when {@code redis-server} is not installed. */
  public static final String DEFAULT_IMAGE = "redis:7.0";

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final int clusterBusPort;
  private final @Nullable String user;
  private final @Nullable String password;
  private final Duration commandTimeout;

  RedisServer(Builder builder, Site site, int clusterBusPort, ServerHandle handle) {
    super(site, builder.keepLogs(), handle);
    this.clusterBusPort = clusterBusPort;
    this.user = builder.user;
    this.password = builder.password;
    this.commandTimeout = builder.commandTimeout;
  }

  /**
   * Returns a builder with the defaults: no extra configuration, no credentials, a 30-second
   * startup timeout, a 30-second command timeout, logs deleted on a clean close, container fallback
   * on.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The cluster bus port when the server runs in cluster mode, else 0. */
  int clusterBusPort() {
    return clusterBusPort;
  }

  /**
   * Runs one command on a fresh connection, authenticated with the builder's {@link
   * Builder#auth(String, String) credentials} if any, and returns the reply.
   *
   * @param args the command and its arguments, e.g. {@code "SET", "k", "v"}
   * @return the reply: a {@code String} (simple and bulk strings), a {@code Long} (integers), a
   *     {@code List} (arrays; nested errors appear as {@link RedisReplyException} elements), or
   *     {@code null} (nil); RESP3 replies (after {@code HELLO 3}) also give {@code Map}, {@code
   *     Boolean}, {@code Double} and {@code BigInteger}
   * @throws RedisReplyException if Redis replies with an error, or rejects the credentials
   * @throws UncheckedIOException if the connection fails or times out
   */
  public @Nullable Object command(String... args) {
    return call(user, password, args);
  }

  /**
   * Runs one command on a fresh connection authenticated as {@code user}, e.g. to check that an ACL
   * user can or cannot do something.
   *
   * @param user the ACL user name
   * @param password the user's password
   * @param args the command and its arguments
   * @return the reply, as for {@link #command(String...)}
   * @throws RedisReplyException if Redis rejects the credentials or replies with an error
   * @throws UncheckedIOException if the connection fails or times out
   */
  public @Nullable Object commandAs(String user, String password, String... args) {
    return call(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password), args);
  }

  /**
   * Runs one command on a fresh connection without authenticating, e.g. to check that the default
   * user is disabled ({@code NOAUTH}).
   *
   * @param args the command and its arguments
   * @return the reply, as for {@link #command(String...)}
   * @throws RedisReplyException if Redis replies with an error
   * @throws UncheckedIOException if the connection fails or times out
   */
  public @Nullable Object commandWithoutAuth(String... args) {
    return call(null, null, args);
  }

  private @Nullable Object call(@Nullable String user, @Nullable String password, String... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("args: a command is required");
    }
    try (Resp resp = Resp.connect(host(), port(), CONNECT_TIMEOUT, commandTimeout)) {
      if (password != null) {
        if (user == null) {
          resp.call("AUTH", password);
        } else {
          resp.call("AUTH", user, password);
        }
      }
      return resp.call(args);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "command " + args[0] + " to redis-server on " + host() + ":" + port() + " failed", e);
    }
  }

  /**
   * Options for a {@link RedisServer}; {@link #start()} starts one. Not thread-safe; one builder
   * can start several servers.
   */
  public static final class Builder extends ServerBuilder<Builder, RedisServer> {
    private final List<String> config = new ArrayList<>();
    private @Nullable String user;
    private @Nullable String password;
    private Duration commandTimeout = Duration.ofSeconds(30);
    private @Nullable Path executable;

    private Builder() {
      super(DEFAULT_IMAGE);
    }

    /**
     * Adds lines to the server's configuration file, after the launcher's own (so they override
     * them), e.g. {@code "user default off"}, {@code "aclfile /path/users.acl"}, {@code
     * "requirepass secret"}, {@code "tls-port 0"}. Leave {@code port}, {@code bind}, {@code dir}
     * and {@code logfile} to the launcher: {@link RedisServer#port()} and the log depend on them.
     *
     * @param lines configuration lines in {@code redis.conf} syntax, one directive each
     * @return this builder
     * @throws IllegalArgumentException if a line contains a line break
     */
    public Builder config(String... lines) {
      return config(List.of(lines));
    }

    /**
     * Adds lines to the server's configuration file; see {@link #config(String...)}.
     *
     * @param lines configuration lines in {@code redis.conf} syntax, one directive each
     * @return this builder
     * @throws IllegalArgumentException if a line contains a line break
     */
    public Builder config(Collection<String> lines) {
      config.addAll(checkConfig(lines));
      return this;
    }

    /** Returns {@code lines} if none contains a line break. */
    static Collection<String> checkConfig(Collection<String> lines) {
      for (String line : lines) {
        Objects.requireNonNull(line, "config line");
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
          throw new IllegalArgumentException(
              "config: a line must not contain a line break (got "
                  + Redact.text(line, List.of())
                  + ")");
        }
      }
      return lines;
    }

    /**
     * Makes {@link RedisServer#command(String...)} authenticate with {@code AUTH password}, for a
     * server configured with {@code requirepass}. Default: no authentication.
     *
     * @param password the password of the {@code default} user
     * @return this builder
     */
    public Builder auth(String password) {
      this.user = null;
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Makes {@link RedisServer#command(String...)}, and the launcher's own startup check,
     * authenticate with {@code AUTH user password}. The user must exist in the configuration (a
     * {@code user} line or the {@code aclfile}); the launcher does not create it.
     *
     * @param user the ACL user, typically one with {@code ~* &* +@all}
     * @param password its password
     * @return this builder
     */
    public Builder auth(String user, String password) {
      this.user = Objects.requireNonNull(user, "user");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Sets how long {@link RedisServer#command(String...)} waits for a reply. Default: 30 seconds.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = Checks.positive("commandTimeout", timeout);
      return this;
    }

    /**
     * Uses this {@code redis-server} (or {@code valkey-server}) binary instead of looking one up.
     *
     * @param executable the server binary
     * @return this builder
     */
    public Builder executable(Path executable) {
      this.executable = Objects.requireNonNull(executable, "executable");
      return this;
    }

    /**
     * Starts a server with these options and waits until it answers {@code PING} (authenticated
     * with the {@link #auth(String, String) credentials} if set).
     *
     * @return the running server; close it when done
     * @throws ServerUnavailableException if {@code redis-server} is not installed and no container
     *     can be started
     * @throws ServerStartException if the server does not start or rejects the credentials
     */
    @Override
    public RedisServer start() {
      Optional<Path> binary = findBinary();
      if (binary.isEmpty()) {
        return startInContainer("redis-server", lookedIn(), "apt-get install redis-server");
      }
      return startLocal("redis-server", binary.get(), false, List.of());
    }

    /**
     * Starts a node of a {@link RedisCluster} with these options: a local process (there is no
     * container fallback) in cluster mode, with its own free cluster bus port, and {@code lines}
     * after the configuration's.
     *
     * @param name how messages name the node, e.g. {@code redis-server cluster master 0}
     */
    RedisServer startClusterNode(String name, List<String> lines) {
      checkConfig(lines);
      Path binary =
          findBinary()
              .orElseThrow(
                  () ->
                      new ServerUnavailableException(
                          "redis-server not found (looked in "
                              + lookedIn()
                              + "); install it (apt-get install redis-server): RedisCluster runs"
                              + " local redis-server processes only, it has no container"
                              + " fallback"));
      return startLocal(name, binary, true, lines);
    }

    private Optional<Path> findBinary() {
      if (executable != null) {
        return Files.isExecutable(executable) ? Optional.of(executable) : Optional.empty();
      }
      return Binaries.find(List.of("redis-server"), Binaries.searchDirs(List.of()));
    }

    private String lookedIn() {
      return executable != null ? executable.toString() : Binaries.describe(List.of());
    }

    private RedisServer startLocal(
        String name, Path binary, boolean clusterNode, List<String> nodeLines) {
      return LocalStart.run(
          name,
          binary,
          "iamauth4j-redis-",
          false,
          start -> startLocal(start, binary, clusterNode ? FreePorts.pick() : 0, nodeLines));
    }

    private RedisServer startLocal(
        LocalStart start, Path binary, int busPort, List<String> nodeLines) throws IOException {
      Path configFile = start.dir().resolve("redis.conf");
      Files.writeString(
          configFile,
          configText(FreePorts.HOST, start.port(), busPort, start.dir(), nodeLines),
          StandardCharsets.UTF_8);
      LocalProcess process =
          start.launch(
              List.of(binary.toString(), configFile.toString()),
              secrets(),
              LocalProcess.Shutdown.terminate(STOP_GRACE));
      RedisServer server = new RedisServer(this, start.site(), busPort, process);
      process.awaitReady(
          startupTimeout(),
          () -> {
            try {
              server.commandWithoutAuth("PING");
            } catch (RedisReplyException e) {
              // NOAUTH and the like: the server is up, and the check below says if we can get in.
            }
            return true;
          });
      checkCredentials(server);
      return server;
    }

    @Override
    RedisServer startContainer() {
      return ContainerServers.startRedis(this);
    }

    /** Fails the start if the server rejects the launcher's credentials. */
    void checkCredentials(RedisServer server) {
      if (password == null) {
        return;
      }
      try {
        server.command("PING");
      } catch (RedisReplyException e) {
        throw ServerStartException.withLog(
            server
                + " rejected the launcher's credentials"
                + (user == null ? "" : " for user \"" + user + "\"")
                + ": "
                + e.getMessage(),
            server.logFile(),
            secrets(),
            e);
      }
    }

    /**
     * The configuration file: the launcher's settings, then the caller's lines, then a cluster
     * node's.
     *
     * @param busPort the cluster bus port of a cluster node, or 0 for a standalone server
     */
    String configText(String bind, int port, int busPort, Path dir, List<String> nodeLines) {
      List<String> lines = new ArrayList<>();
      lines.add("# Written by iamauth4j-testkit; the caller's lines come last and override.");
      lines.add("port " + port);
      lines.add("bind " + bind);
      lines.add("protected-mode no");
      lines.add("daemonize no");
      lines.add("save \"\"");
      lines.add("appendonly no");
      lines.add("dir " + quote(dir.toString()));
      lines.add("logfile \"\"");
      if (busPort != 0) {
        lines.add("cluster-enabled yes");
        lines.add("cluster-port " + busPort);
        lines.add("cluster-config-file nodes.conf");
      }
      lines.addAll(config);
      lines.addAll(nodeLines);
      return String.join("\n", lines) + "\n";
    }

    private static String quote(String value) {
      return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    List<String> secrets() {
      return password == null ? List.of() : List.of(password);
    }

    @Nullable String user() {
      return user;
    }

    @Nullable String password() {
      return password;
    }
  }
}
