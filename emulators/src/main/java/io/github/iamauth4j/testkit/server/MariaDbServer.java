package io.github.iamauth4j.testkit.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB server for integration tests: {@code mariadb-install-db} and {@code mariadbd} on a
 * free port of {@code 127.0.0.1}, in a temporary directory that is deleted on {@link #close()}.
 *
 * <p>The server ignores every {@code my.cnf} ({@code --no-defaults}), resolves no host names, keeps
 * InnoDB small and does not flush its log at each commit (fast, not durable). The account {@code
 * root} gets a password generated per server, for {@code localhost} (the socket) and {@code
 * 127.0.0.1} (TCP); the database {@value #DEFAULT_DATABASE} is created.
 *
 * <pre>{@code
 * try (MariaDbServer db = MariaDbServer.builder().start()) {
 *   db.createUser("app", "app-secret");
 *   db.executeAs("app", "app-secret", "select 1");   // "1", over TCP with a password
 *   String url = db.jdbcUrl();                       // jdbc:mariadb://127.0.0.1:<port>/test
 * }
 * }</pre>
 *
 * <p><b>Running as root.</b> {@code mariadbd} refuses to run as root unless told to; when the JVM
 * runs as root, the launcher passes {@code --user=root} to {@code mariadb-install-db} and {@code
 * mariadbd}, so the server runs as root, in its own directory. Otherwise it runs as the JVM's user.
 *
 * <p><b>Binaries.</b> {@code mariadbd} (or {@code mysqld}), {@code mariadb-install-db} (or {@code
 * mysql_install_db}) and the {@code mariadb} (or {@code mysql}) client in {@code
 * /usr/local/mysql/bin}, {@code /usr/local/mysql/scripts}, {@code /usr/bin}, {@code /usr/sbin},
 * {@code /usr/local/bin}, {@code /usr/local/sbin} and {@code PATH}, or only in {@link
 * Builder#binDir(Path)} when it is set. When they are missing and a Docker engine is reachable, a
 * container ({@value #DEFAULT_IMAGE}) runs instead, and the SQL helpers run the client inside it.
 *
 * <p><b>Why the {@code mariadb} client and not JDBC.</b> So that the testkit puts no JDBC driver on
 * the test classpath: the adapters' tests choose their own driver and version.
 *
 * <p>Instances are thread-safe.
 */
public final class MariaDbServer implements AutoCloseable {
  /** The administrator account, with all privileges. */
  public static final String ADMIN_USER = "root";

  /** The database created unless {@link Builder#database(String)} names another. */
  public static final String DEFAULT_DATABASE = "test";

  /** The container image used when MariaDB is not installed. */
  public static final String DEFAULT_IMAGE = "mariadb:10.11";

  private static final Logger LOG = LoggerFactory.getLogger(MariaDbServer.class);
  private static final int START_ATTEMPTS = 3;
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);
  private static final List<Path> EXTRA_DIRS =
      List.of(Path.of("/usr/local/mysql/bin"), Path.of("/usr/local/mysql/scripts"));

  /** Runs SQL through the client, locally or in the container. */
  @FunctionalInterface
  interface SqlRunner {
    Cli.Result run(String user, String password, String database, String sql);
  }

  private final String host;
  private final int port;
  private final String password;
  private final String database;
  private final Path directory;
  private final Path logFile;
  private final boolean keepLogs;
  private final ServerHandle handle;
  private final SqlRunner sql;
  private final String description;
  private boolean closed;

  private MariaDbServer(
      String host,
      int port,
      String password,
      String database,
      Path directory,
      Path logFile,
      boolean keepLogs,
      ServerHandle handle,
      SqlRunner sql,
      String description) {
    this.host = host;
    this.port = port;
    this.password = password;
    this.database = database;
    this.directory = directory;
    this.logFile = logFile;
    this.keepLogs = keepLogs;
    this.handle = handle;
    this.sql = sql;
    this.description = description;
  }

  /**
   * Returns a builder with the defaults: database {@value #DEFAULT_DATABASE}, no extra server
   * options, a 30-second startup timeout, logs deleted on a clean close, container fallback on.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the host clients connect to.
   *
   * @return {@code 127.0.0.1}, or the Docker host when the server runs in a container
   */
  public String host() {
    return host;
  }

  /**
   * Returns the port clients connect to.
   *
   * @return the TCP port
   */
  public int port() {
    return port;
  }

  /**
   * Returns the administrator's account name.
   *
   * @return {@value #ADMIN_USER}
   */
  public String adminUser() {
    return ADMIN_USER;
  }

  /**
   * Returns the administrator's password, generated for this server.
   *
   * @return the password
   */
  public String adminPassword() {
    return password;
  }

  /**
   * Returns the database the launcher created.
   *
   * @return the database name, {@value #DEFAULT_DATABASE} by default
   */
  public String database() {
    return database;
  }

  /**
   * Returns a MariaDB Connector/J URL for {@link #database()}, without credentials.
   *
   * @return e.g. {@code jdbc:mariadb://127.0.0.1:41234/test}
   */
  public String jdbcUrl() {
    return "jdbc:mariadb://" + host + ":" + port + "/" + database;
  }

  /**
   * Returns a MySQL Connector/J URL for {@link #database()}, without credentials.
   *
   * @return e.g. {@code jdbc:mysql://127.0.0.1:41234/test}
   */
  public String mysqlJdbcUrl() {
    return "jdbc:mysql://" + host + ":" + port + "/" + database;
  }

  /**
   * Returns the server's log: the output of {@code mariadb-install-db} and the server's error log.
   * It is deleted with the server's directory on {@link #close()} unless the server failed or logs
   * are kept.
   *
   * @return the path of the log file
   */
  public Path logFile() {
    return logFile;
  }

  /**
   * Returns the server's temporary directory: the data directory ({@code data}), the socket and the
   * log.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * Runs SQL as {@value #ADMIN_USER} in {@link #database()} with the {@code mariadb} client over
   * TCP, stopping at the first error.
   *
   * @param sql one or more statements separated by {@code ;}
   * @return the rows in batch format: one line per row, columns separated by tabs, no header,
   *     without the trailing line break; empty for statements without rows
   * @throws ServerCommandException if a statement fails or the client cannot connect
   */
  public String execute(String sql) {
    return executeAs(ADMIN_USER, password, sql);
  }

  /**
   * Runs SQL as another account in {@link #database()} over TCP, authenticating with a password,
   * e.g. to check that an account created by a test can log in.
   *
   * @param user the account name
   * @param password its password
   * @param sql one or more statements
   * @return the rows, as for {@link #execute(String)}
   * @throws ServerCommandException if authentication or a statement fails
   */
  public String executeAs(String user, String password, String sql) {
    return executeAs(user, password, database, sql);
  }

  /**
   * Runs SQL as an account in a given database (empty for none); see {@link #execute(String)}.
   *
   * @param user the account name
   * @param password its password
   * @param database the default database, or {@code ""} for none
   * @param sql one or more statements
   * @return the rows, as for {@link #execute(String)}
   * @throws ServerCommandException if authentication or a statement fails
   */
  public String executeAs(String user, String password, String database, String sql) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(sql, "sql");
    Cli.Result result = this.sql.run(user, password, database, sql);
    if (!result.ok()) {
      throw new ServerCommandException(
          "mariadb client as \""
              + user
              + "\" on "
              + description
              + " failed with exit code "
              + result.exitCode()
              + ": "
              + Redact.text(result.stderr().strip(), List.of(password, this.password)),
          result.exitCode());
    }
    String out = result.stdout();
    return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
  }

  /**
   * Creates an account that logs in from any host with a password, with all privileges on {@link
   * #database()}.
   *
   * @param name the account name
   * @param password its password
   * @throws ServerCommandException if the account exists or the server rejects it
   */
  public void createUser(String name, String password) {
    String account = quoteLiteral(name) + "@'%'";
    execute(
        "CREATE USER "
            + account
            + " IDENTIFIED BY "
            + quoteLiteral(password)
            + ";\nGRANT ALL PRIVILEGES ON "
            + quoteIdentifier(database)
            + ".* TO "
            + account
            + ";");
  }

  /**
   * Quotes an SQL identifier with backticks: {@code a`b} becomes {@code `a``b`}.
   *
   * @param identifier the identifier
   * @return the quoted identifier
   */
  public static String quoteIdentifier(String identifier) {
    return '`' + identifier.replace("`", "``") + '`';
  }

  /**
   * Quotes an SQL string literal: {@code it's} becomes {@code 'it\'s'}; backslashes are escaped.
   *
   * @param value the value
   * @return the quoted literal
   */
  public static String quoteLiteral(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /**
   * Stops the server (SIGTERM, then SIGKILL after 20 seconds) and deletes its directory, unless
   * logs are kept or the server had died or had to be killed, in which case the log's path is
   * logged. Calling it again does nothing.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    Live.unregister(this);
    boolean clean = handle.stop();
    if (clean && !keepLogs) {
      TempDirs.deleteQuietly(directory);
    } else if (clean) {
      LOG.info("Stopped {}; log kept at {}", description, logFile);
    } else {
      LOG.warn("{} had died or had to be killed; log kept at {}", description, logFile);
    }
  }

  /** Stops the server after a failed start, keeping its directory for the log. */
  void abandon() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    Live.unregister(this);
    handle.stop();
  }

  /** Returns e.g. {@code mariadbd on 127.0.0.1:41234}. */
  @Override
  public String toString() {
    return description;
  }

  /**
   * Whether the server accepts connections: it sends a protocol-10 handshake rather than an error
   * packet.
   */
  static boolean sendsHandshake(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      socket.setSoTimeout(2000);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] header = in.readNBytes(4);
      if (header.length < 4) {
        return false;
      }
      return in.readUnsignedByte() == 10;
    }
  }

  /**
   * Options for a {@link MariaDbServer}; {@link #start()} starts one. Not thread-safe; one builder
   * can start several servers.
   */
  public static final class Builder {
    private String database = DEFAULT_DATABASE;
    private final List<String> serverOptions = new ArrayList<>();
    private Duration startupTimeout = Duration.ofSeconds(30);
    private boolean keepLogs = TempDirs.keepLogsByDefault();
    private @Nullable Path binDir;
    private boolean containerFallback = true;
    private String containerImage = DEFAULT_IMAGE;

    private Builder() {}

    /**
     * Sets the database the launcher creates and the helpers and {@link #jdbcUrl()} use. Default:
     * {@value MariaDbServer#DEFAULT_DATABASE}.
     *
     * @param database a database name
     * @return this builder
     * @throws IllegalArgumentException if {@code database} is blank
     */
    public Builder database(String database) {
      if (Objects.requireNonNull(database, "database").isBlank()) {
        throw new IllegalArgumentException("database: must not be blank");
      }
      this.database = database;
      return this;
    }

    /**
     * Adds {@code mariadbd} options, after the launcher's own so that they override them, e.g.
     * {@code "--general-log=1"}, {@code "--ssl-cert=/path/cert.pem"}, {@code
     * "--plugin-load-add=..."}.
     *
     * @param options command-line options of {@code mariadbd}
     * @return this builder
     * @throws IllegalArgumentException if an option does not start with {@code --}
     */
    public Builder serverOptions(String... options) {
      for (String option : options) {
        if (!Objects.requireNonNull(option, "option").startsWith("--")) {
          throw new IllegalArgumentException(
              "serverOptions: each option must start with \"--\" (got \"" + option + "\")");
        }
      }
      serverOptions.addAll(List.of(options));
      return this;
    }

    /**
     * Sets how long {@link #start()} waits for the server to accept connections. Default: 30
     * seconds.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = Checks.positive("startupTimeout", timeout);
      return this;
    }

    /**
     * Keeps the server's directory, with its log and data, after {@link MariaDbServer#close()}.
     * Default: {@code false}, unless the system property {@code iamauth4j.testkit.keepLogs} is
     * {@code true}. The directory is always kept when the server fails.
     *
     * @param keepLogs whether to keep the directory
     * @return this builder
     */
    public Builder keepLogs(boolean keepLogs) {
      this.keepLogs = keepLogs;
      return this;
    }

    /**
     * Uses the MariaDB programs in this directory (and in {@code ../scripts} and {@code ../bin}
     * next to it, as in MariaDB's binary tarballs) instead of looking them up.
     *
     * @param binDir e.g. {@code /opt/mariadb/bin}
     * @return this builder
     */
    public Builder binDir(Path binDir) {
      this.binDir = Objects.requireNonNull(binDir, "binDir");
      return this;
    }

    /**
     * Sets whether a container may be started when MariaDB is not installed. Default: {@code true}.
     *
     * @param containerFallback whether to use Testcontainers as a fallback
     * @return this builder
     */
    public Builder containerFallback(boolean containerFallback) {
      this.containerFallback = containerFallback;
      return this;
    }

    /**
     * Sets the image of the fallback container, an image of the official {@code mariadb} family.
     * Default: {@value MariaDbServer#DEFAULT_IMAGE}.
     *
     * @param image a Docker image name with tag
     * @return this builder
     */
    public Builder containerImage(String image) {
      if (Objects.requireNonNull(image, "image").isBlank()) {
        throw new IllegalArgumentException("containerImage: must not be blank");
      }
      this.containerImage = image;
      return this;
    }

    /**
     * Starts a server with these options, waits until it accepts connections, sets the
     * administrator's password and creates the database.
     *
     * @return the running server; close it when done
     * @throws ServerUnavailableException if MariaDB is not installed and no container can be
     *     started
     * @throws ServerStartException if the server does not start
     */
    public MariaDbServer start() {
      List<Path> dirs = searchDirs();
      Optional<Path> server = Binaries.find(List.of("mariadbd", "mysqld"), dirs);
      Optional<Path> installDb =
          Binaries.find(List.of("mariadb-install-db", "mysql_install_db"), dirs);
      Optional<Path> client = Binaries.find(List.of("mariadb", "mysql"), dirs);
      if (server.isEmpty() || installDb.isEmpty() || client.isEmpty()) {
        String reason = Containers.unavailableReason(containerFallback);
        if (reason == null) {
          return ContainerServers.startMariaDb(this);
        }
        List<String> missing = new ArrayList<>();
        if (server.isEmpty()) {
          missing.add("mariadbd");
        }
        if (installDb.isEmpty()) {
          missing.add("mariadb-install-db");
        }
        if (client.isEmpty()) {
          missing.add("the mariadb client");
        }
        throw Containers.unavailable(
            String.join(" and ", missing),
            lookedIn(),
            "apt-get install mariadb-server mariadb-client",
            reason);
      }
      boolean root = OsUser.runningAsRoot();
      return LocalProcess.retryOnPortInUse(
          START_ATTEMPTS, () -> startLocal(server.get(), installDb.get(), client.get(), root));
    }

    private List<Path> searchDirs() {
      if (binDir == null) {
        return Binaries.searchDirs(EXTRA_DIRS);
      }
      Set<Path> dirs = new LinkedHashSet<>();
      dirs.add(binDir);
      Path parent = binDir.toAbsolutePath().getParent();
      if (parent != null) {
        dirs.add(parent.resolve("scripts"));
        dirs.add(parent.resolve("bin"));
      }
      return new ArrayList<>(dirs);
    }

    private String lookedIn() {
      if (binDir == null) {
        return Binaries.describe(EXTRA_DIRS);
      }
      List<String> dirs = new ArrayList<>();
      searchDirs().forEach(d -> dirs.add(d.toString()));
      return String.join(", ", dirs);
    }

    private MariaDbServer startLocal(Path mariadbd, Path installDb, Path client, boolean root) {
      int port = FreePorts.pick();
      String password = Passwords.generate();
      Path dir = TempDirs.create("iamauth4j-mariadb-", false);
      Path logFile = dir.resolve("server.log");
      Path data = dir.resolve("data");
      Path socket = dir.resolve("mysqld.sock");
      String description = "mariadbd on " + FreePorts.HOST + ":" + port;
      long started = System.nanoTime();
      LocalProcess process = null;
      try {
        Files.createFile(logFile);
        Templates.copy(template(mariadbd, installDb, root).resolve("data"), data, logFile);
        List<String> command = new ArrayList<>();
        command.add(mariadbd.toString());
        command.add("--no-defaults");
        command.add("--datadir=" + data);
        command.add("--socket=" + socket);
        command.add("--pid-file=" + dir.resolve("mysqld.pid"));
        command.add("--port=" + port);
        command.add("--bind-address=" + FreePorts.HOST);
        command.add("--tmpdir=" + dir);
        command.add("--skip-name-resolve");
        command.add("--skip-log-bin");
        command.add("--performance-schema=OFF");
        command.add("--innodb-flush-log-at-trx-commit=0");
        command.add("--innodb-doublewrite=0");
        command.addAll(common(root));
        command.addAll(serverOptions);
        process =
            LocalProcess.start(description, command, dir, logFile, Map.of(), List.of(password));
        process.awaitReady(startupTimeout, () -> sendsHandshake(FreePorts.HOST, port));
        LocalProcess p = process;
        SqlRunner runner = new LocalClient(client, FreePorts.HOST, port);
        // The fresh server has password-less root accounts; set the password over the socket.
        Cli.Result setup =
            Cli.run(
                List.of(
                    client.toString(),
                    "--no-defaults",
                    "--protocol=SOCKET",
                    "--socket=" + socket,
                    "--user=" + ADMIN_USER,
                    "--batch"),
                Map.of(),
                List.of("MYSQL"),
                setupSql(password),
                startupTimeout,
                null);
        if (!setup.ok()) {
          throw process.failure(
              "could not set up the administrator and database \""
                  + database
                  + "\" on "
                  + description
                  + ": "
                  + Redact.text(setup.stderr().strip(), List.of(password)),
              null);
        }
        MariaDbServer server =
            new MariaDbServer(
                FreePorts.HOST,
                port,
                password,
                database,
                dir,
                logFile,
                keepLogs,
                () -> p.stop(null, p::pid, STOP_GRACE),
                runner,
                description);
        Live.register(server);
        LOG.info(
            "Started {} in {} ms (log: {})",
            description,
            (System.nanoTime() - started) / 1_000_000,
            logFile);
        return server;
      } catch (LocalProcess.PortInUseException e) {
        throw e.beforeRetry(() -> TempDirs.deleteQuietly(dir));
      } catch (IOException e) {
        if (process != null) {
          process.stop(null, process::pid, STOP_GRACE);
        }
        throw new ServerStartException(
            "could not prepare " + description + " in " + dir + ": " + e.getMessage(), logFile, e);
      } catch (RuntimeException e) {
        if (process != null) {
          process.stop(null, process::pid, STOP_GRACE);
        }
        throw e;
      }
    }

    private static List<String> common(boolean root) {
      List<String> common = new ArrayList<>();
      if (root) {
        // mariadbd refuses to run as root unless told to.
        common.add("--user=root");
      }
      common.add("--innodb-buffer-pool-size=16M");
      common.add("--innodb-log-file-size=8M");
      return common;
    }

    /** A directory whose {@code data} was made by {@code mariadb-install-db}, for copying. */
    private Path template(Path mariadbd, Path installDb, boolean root) {
      String key = "mariadb " + mariadbd + " " + installDb + " " + root;
      return Templates.get(
          key,
          () -> {
            Path dir = TempDirs.create("iamauth4j-mariadb-template-", false);
            Path log = dir.resolve("install-db.log");
            long started = System.nanoTime();
            List<String> install = new ArrayList<>();
            install.add(installDb.toString());
            install.add("--no-defaults");
            install.add("--datadir=" + dir.resolve("data"));
            install.add("--auth-root-authentication-method=normal");
            install.add("--skip-test-db");
            install.add("--skip-name-resolve");
            install.addAll(common(root));
            Cli.Result init = Cli.run(install, Map.of(), List.of(), null, startupTimeout, log);
            if (!init.ok()) {
              throw new ServerStartException(
                  installDb
                      + " failed with exit code "
                      + init.exitCode()
                      + "; log kept at "
                      + log
                      + ", last lines:\n"
                      + LocalProcess.tail(log, 40),
                  log,
                  null);
            }
            LOG.debug(
                "{} made the template {} in {} ms",
                installDb.getFileName(),
                dir,
                (System.nanoTime() - started) / 1_000_000);
            return dir;
          });
    }

    private String setupSql(String password) {
      String pw = quoteLiteral(password);
      return "ALTER USER 'root'@'localhost' IDENTIFIED BY "
          + pw
          + ";\nCREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY "
          + pw
          + ";\nALTER USER 'root'@'127.0.0.1' IDENTIFIED BY "
          + pw
          + ";\nGRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
          + "\nGRANT PROXY ON ''@'%' TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
          + "\nALTER USER IF EXISTS 'root'@'::1' IDENTIFIED BY "
          + pw
          + ";\nCREATE DATABASE IF NOT EXISTS "
          + quoteIdentifier(database)
          + ";\n";
    }

    String database() {
      return database;
    }

    List<String> serverOptions() {
      return serverOptions;
    }

    Duration startupTimeout() {
      return startupTimeout;
    }

    String containerImage() {
      return containerImage;
    }

    /** Creates the server object for a container the fallback started. */
    MariaDbServer containerServer(
        String host,
        int port,
        String password,
        Path dir,
        Path logFile,
        ServerHandle handle,
        SqlRunner sql) {
      MariaDbServer server =
          new MariaDbServer(
              host,
              port,
              password,
              database,
              dir,
              logFile,
              keepLogs,
              handle,
              sql,
              "mariadbd container on " + host + ":" + port);
      Live.register(server);
      return server;
    }
  }

  /** Runs SQL with the local client over TCP, the script on standard input. */
  private static final class LocalClient implements SqlRunner {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private final Path client;
    private final String host;
    private final int port;

    LocalClient(Path client, String host, int port) {
      this.client = client;
      this.host = host;
      this.port = port;
    }

    @Override
    public Cli.Result run(String user, String password, String database, String sql) {
      List<String> command = new ArrayList<>();
      command.add(client.toString());
      command.add("--no-defaults");
      command.add("--protocol=TCP");
      command.add("--host=" + host);
      command.add("--port=" + port);
      command.add("--user=" + user);
      command.add("--batch");
      command.add("--skip-column-names");
      command.add("--connect-timeout=10");
      if (!database.isEmpty()) {
        command.add("--database=" + database);
      }
      try {
        // MYSQL_PWD keeps the password out of the process list.
        return Cli.run(
            command, Map.of("MYSQL_PWD", password), List.of("MYSQL"), sql, TIMEOUT, null);
      } catch (UncheckedIOException e) {
        throw new ServerCommandException("could not run " + client + ": " + e.getMessage(), -1);
      }
    }
  }
}
