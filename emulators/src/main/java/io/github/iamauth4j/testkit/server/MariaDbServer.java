package io.github.iamauth4j.testkit.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * <p>{@link #close()} stops the server with {@code SIGTERM}, then {@code SIGKILL} after 20 seconds.
 * Instances are thread-safe.
 */
public final class MariaDbServer extends SqlServer {
  /** The administrator account, with all privileges. */
  public static final String ADMIN_USER = "root";

  /** The database created unless {@link Builder#database(String)} names another. */
  public static final String DEFAULT_DATABASE = "test";

  /** The container image used when MariaDB is not installed. */
  public static final String DEFAULT_IMAGE = "mariadb:10.11";

  private static final Logger LOG = LoggerFactory.getLogger(MariaDbServer.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);
  private static final List<Path> EXTRA_DIRS =
      List.of(Path.of("/usr/local/mysql/bin"), Path.of("/usr/local/mysql/scripts"));

  private static final Engine ENGINE = new Engine("mariadb client", ADMIN_USER, "mariadb");

  MariaDbServer(Builder options, Site site, ServerHandle handle, String password, SqlRunner sql) {
    super(ENGINE, options, site, handle, password, sql);
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
    return password();
  }

  /**
   * Returns a MySQL Connector/J URL for {@link #database()}, without credentials.
   *
   * @return e.g. {@code jdbc:mysql://127.0.0.1:41234/test}
   */
  public String mysqlJdbcUrl() {
    return jdbcUrl("mysql");
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
            + quoteIdentifier(database())
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
    return quote('`', identifier);
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
  public static final class Builder extends SqlServerBuilder<Builder, MariaDbServer> {
    private final List<String> serverOptions = new ArrayList<>();

    private Builder() {
      super(DEFAULT_IMAGE, DEFAULT_DATABASE);
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
     * Starts a server with these options, waits until it accepts connections, sets the
     * administrator's password and creates the database.
     *
     * @return the running server; close it when done
     * @throws ServerUnavailableException if MariaDB is not installed and no container can be
     *     started
     * @throws ServerStartException if the server does not start
     */
    @Override
    public MariaDbServer start() {
      List<Path> dirs = searchDirs();
      Optional<Path> server = Binaries.find(List.of("mariadbd", "mysqld"), dirs);
      Optional<Path> installDb =
          Binaries.find(List.of("mariadb-install-db", "mysql_install_db"), dirs);
      Optional<Path> client = Binaries.find(List.of("mariadb", "mysql"), dirs);
      if (server.isEmpty() || installDb.isEmpty() || client.isEmpty()) {
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
        return startInContainer(
            String.join(" and ", missing),
            lookedIn(),
            "apt-get install mariadb-server mariadb-client");
      }
      boolean root = OsUser.runningAsRoot();
      Path template = template(server.get(), installDb.get(), root);
      return LocalStart.run(
          "mariadbd",
          server.get(),
          "iamauth4j-mariadb-",
          false,
          start -> startLocal(start, server.get(), client.get(), template, root));
    }

    private List<Path> searchDirs() {
      Path binDir = binDir();
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
      if (binDir() == null) {
        return Binaries.describe(EXTRA_DIRS);
      }
      List<String> dirs = new ArrayList<>();
      searchDirs().forEach(d -> dirs.add(d.toString()));
      return String.join(", ", dirs);
    }

    private MariaDbServer startLocal(
        LocalStart start, Path mariadbd, Path client, Path template, boolean root) {
      Path dir = start.dir();
      Path data = dir.resolve("data");
      Path socket = dir.resolve("mysqld.sock");
      String password = Passwords.generate();
      Templates.copy(template, data, start.logFile());
      List<String> command = new ArrayList<>();
      command.add(mariadbd.toString());
      command.add("--no-defaults");
      command.add("--datadir=" + data);
      command.add("--socket=" + socket);
      command.add("--pid-file=" + dir.resolve("mysqld.pid"));
      command.add("--port=" + start.port());
      command.add("--bind-address=" + FreePorts.HOST);
      command.add("--tmpdir=" + dir);
      command.add("--skip-name-resolve");
      command.add("--skip-log-bin");
      command.add("--performance-schema=OFF");
      command.add("--innodb-flush-log-at-trx-commit=0");
      command.add("--innodb-doublewrite=0");
      command.addAll(common(root));
      command.addAll(serverOptions);
      LocalProcess process =
          start.launch(command, List.of(password), LocalProcess.Shutdown.terminate(STOP_GRACE));
      process.awaitReady(startupTimeout(), () -> sendsHandshake(FreePorts.HOST, start.port()));
      // The fresh server has password-less root accounts; set the password over the socket.
      SqlRunner socketClient = mariadb(client, "--protocol=SOCKET", "--socket=" + socket);
      setUp(process, socketClient, ADMIN_USER, "", setupSql(password), password);
      return new MariaDbServer(
          this,
          start.site(),
          process,
          password,
          mariadb(client, "--protocol=TCP", "--host=" + FreePorts.HOST, "--port=" + start.port()));
    }

    @Override
    MariaDbServer startContainer() {
      return ContainerServers.startMariaDb(this);
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

    /** A data directory made by {@code mariadb-install-db}, without passwords. */
    private Path template(Path mariadbd, Path installDb, boolean root) {
      return Templates.dataDir(
          "mariadb " + mariadbd + " " + installDb + " " + root,
          "iamauth4j-mariadb-template-",
          null,
          data -> {
            List<String> install = new ArrayList<>();
            install.add(installDb.toString());
            install.add("--no-defaults");
            install.add("--datadir=" + data);
            install.add("--auth-root-authentication-method=normal");
            install.add("--skip-test-db");
            install.add("--skip-name-resolve");
            install.addAll(common(root));
            return install;
          },
          List.of(),
          startupTimeout());
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
          + quoteIdentifier(database())
          + ";\n";
    }

    List<String> serverOptions() {
      return serverOptions;
    }
  }

  /** Runs SQL with the local {@code mariadb} client, connecting as {@code connection} says. */
  private static SqlRunner mariadb(Path client, String... connection) {
    return SqlRunner.local(
        (user, database) -> {
          List<String> command = new ArrayList<>();
          command.add(client.toString());
          command.add("--no-defaults");
          command.addAll(List.of(connection));
          command.add("--user=" + user);
          command.add("--batch");
          command.add("--skip-column-names");
          command.add("--connect-timeout=10");
          if (!database.isEmpty()) {
            command.add("--database=" + database);
          }
          return command;
        },
        password -> Map.of("MYSQL_PWD", password),
        "MYSQL");
  }
}
