package io.github.iamauth4j.testkit.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server for integration tests: {@code initdb} and {@code postgres} on a free
 * port of {@code 127.0.0.1}, in a temporary directory that is deleted on {@link #close()}.
 *
 * <p>The server runs with {@code fsync=off}, {@code synchronous_commit=off}, {@code
 * full_page_writes=off} and {@code shared_buffers=16MB} (fast, not durable), its Unix socket in its
 * own directory, and a database ({@value #DEFAULT_DATABASE} unless {@link Builder#database(String)}
 * says otherwise). TCP connections authenticate with {@code scram-sha-256}; the superuser {@value
 * #SUPERUSER} gets a password generated per server.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.builder().start()) {
 *   pg.createUser("app", "app-secret");
 *   pg.executeAs("app", "app-secret", "select 1");   // "1", over TCP with a password
 *   String url = pg.jdbcUrl();                       // jdbc:postgresql://127.0.0.1:<port>/test
 * }
 * }</pre>
 *
 * <p><b>Running as root.</b> {@code initdb} and {@code postgres} refuse to run as root, and CI
 * often runs as root. Then both run as the {@code postgres} system account (or {@code nobody} if
 * there is none, or {@link Builder#osUser(String)}) through {@code setpriv} (util-linux; {@code
 * runuser} if {@code setpriv} is missing), and the server's directory is given to that account.
 *
 * <p><b>Binaries.</b> The newest version under {@code /usr/lib/postgresql/<version>/bin} (Debian
 * and Ubuntu), then {@code /usr/local/pgsql/bin}, the standard directories and {@code PATH}
 * (symbolic links such as {@code /usr/local/bin/initdb} are followed to their directory); or {@link
 * Builder#binDir(Path)}. {@code psql} comes from the same directory or, failing that, from the
 * standard directories (Debian's {@code postgresql-client}). When PostgreSQL is not installed and a
 * Docker engine is reachable, a container ({@value #DEFAULT_IMAGE}) runs instead, and the SQL
 * helpers run {@code psql} inside it.
 *
 * <p><b>Why {@code psql} and not JDBC.</b> The helpers run the {@code psql} client instead of a
 * JDBC driver so that the testkit does not put a PostgreSQL driver on the test classpath: the JDBC
 * adapter's tests choose their own driver version (including the lowest supported one).
 *
 * <p>Instances are thread-safe.
 */
public final class PostgresServer implements AutoCloseable {
  /** The superuser the launcher creates. */
  public static final String SUPERUSER = "postgres";

  /** The database created unless {@link Builder#database(String)} names another. */
  public static final String DEFAULT_DATABASE = "test";

  /** The container image used when PostgreSQL is not installed. */
  public static final String DEFAULT_IMAGE = "postgres:16-alpine";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final int START_ATTEMPTS = 3;
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final Pattern IDENTIFIER_QUOTE = Pattern.compile("\"");

  /** Runs SQL through psql, locally or in the container. */
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

  private PostgresServer(
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
   * Returns a builder with the defaults: database {@value #DEFAULT_DATABASE}, no extra settings, a
   * 30-second startup timeout, logs deleted on a clean close, container fallback on.
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
   * Returns the superuser's name.
   *
   * @return {@value #SUPERUSER}
   */
  public String superuser() {
    return SUPERUSER;
  }

  /**
   * Returns the superuser's password, generated for this server.
   *
   * @return the password
   */
  public String superuserPassword() {
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
   * Returns a JDBC URL for {@link #database()}, without credentials.
   *
   * @return e.g. {@code jdbc:postgresql://127.0.0.1:41234/test}
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /**
   * Returns the server's log: the output of {@code initdb} and {@code postgres}. It is deleted with
   * the server's directory on {@link #close()} unless the server failed or logs are kept.
   *
   * @return the path of the log file
   */
  public Path logFile() {
    return logFile;
  }

  /**
   * Returns the server's temporary directory: the data directory ({@code data}), the Unix socket
   * and the log.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * Runs SQL as the superuser in {@link #database()} with {@code psql} over TCP, statement by
   * statement (so {@code CREATE DATABASE} works), stopping at the first error.
   *
   * @param sql one or more statements separated by {@code ;}
   * @return the rows printed by {@code psql -At}: one line per row, columns separated by {@code |},
   *     without the trailing line break; empty for statements without rows
   * @throws ServerCommandException if a statement fails or psql cannot connect
   */
  public String execute(String sql) {
    return executeAs(SUPERUSER, password, sql);
  }

  /**
   * Runs SQL as another user in {@link #database()} with {@code psql} over TCP, authenticating with
   * a password, e.g. to check that a user created by a test can log in.
   *
   * @param user the role to connect as
   * @param password its password
   * @param sql one or more statements
   * @return the rows, as for {@link #execute(String)}
   * @throws ServerCommandException if authentication or a statement fails
   */
  public String executeAs(String user, String password, String sql) {
    return executeAs(user, password, database, sql);
  }

  /**
   * Runs SQL as a user in a given database; see {@link #execute(String)}.
   *
   * @param user the role to connect as
   * @param password its password
   * @param database the database to connect to
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
          "psql as \""
              + user
              + "\" on "
              + description
              + " (database \""
              + database
              + "\") failed with exit code "
              + result.exitCode()
              + ": "
              + Redact.text(result.stderr().strip(), List.of(password, this.password)),
          result.exitCode());
    }
    return stripTrailingNewline(result.stdout());
  }

  /**
   * Creates a login role with a password and lets it use {@link #database()}: connect, and create
   * objects in its {@code public} schema.
   *
   * @param name the role name (quoted, so any characters work)
   * @param password its password, stored as a SCRAM-SHA-256 verifier
   * @throws ServerCommandException if the role exists or the server rejects it
   */
  public void createUser(String name, String password) {
    String role = quoteIdentifier(name);
    execute(
        "CREATE ROLE "
            + role
            + " LOGIN PASSWORD "
            + quoteLiteral(password)
            + ";\nGRANT ALL ON DATABASE "
            + quoteIdentifier(database)
            + " TO "
            + role
            + ";\nGRANT ALL ON SCHEMA public TO "
            + role
            + ";");
  }

  /**
   * Quotes an SQL identifier: {@code app"x} becomes {@code "app""x"}.
   *
   * @param identifier the identifier
   * @return the quoted identifier
   */
  public static String quoteIdentifier(String identifier) {
    return '"' + IDENTIFIER_QUOTE.matcher(identifier).replaceAll("\"\"") + '"';
  }

  /**
   * Quotes an SQL string literal: {@code it's} becomes {@code 'it''s'}.
   *
   * @param value the value
   * @return the quoted literal
   */
  public static String quoteLiteral(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /**
   * Stops the server (a fast shutdown: SIGINT, then SIGKILL after 10 seconds) and deletes its
   * directory, unless logs are kept or the server had died or had to be killed, in which case the
   * log's path is logged. Calling it again does nothing.
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

  /** Returns e.g. {@code postgres on 127.0.0.1:41234}. */
  @Override
  public String toString() {
    return description;
  }

  private static String stripTrailingNewline(String text) {
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }

  /**
   * Options for a {@link PostgresServer}; {@link #start()} starts one. Not thread-safe; one builder
   * can start several servers.
   */
  public static final class Builder {
    private String database = DEFAULT_DATABASE;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private Duration startupTimeout = Duration.ofSeconds(30);
    private boolean keepLogs = TempDirs.keepLogsByDefault();
    private @Nullable Path binDir;
    private @Nullable String osUser;
    private boolean containerFallback = true;
    private String containerImage = DEFAULT_IMAGE;

    private Builder() {}

    /**
     * Sets the database the launcher creates and the helpers and {@link #jdbcUrl()} use. Default:
     * {@value PostgresServer#DEFAULT_DATABASE}.
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
     * Adds a server setting ({@code postgres -c name=value}), applied after the launcher's own so
     * that it overrides them, e.g. {@code setting("log_connections", "on")} or {@code
     * setting("password_encryption", "md5")}.
     *
     * @param name a {@code postgresql.conf} parameter
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder setting(String name, String value) {
      if (Objects.requireNonNull(name, "name").isBlank()) {
        throw new IllegalArgumentException("setting: the name must not be blank");
      }
      settings.put(name, Objects.requireNonNull(value, "value"));
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
     * Keeps the server's directory, with its log and data, after {@link PostgresServer#close()}.
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
     * Uses the PostgreSQL programs ({@code initdb}, {@code postgres}, {@code psql}) in this
     * directory instead of looking them up.
     *
     * @param binDir e.g. {@code /usr/lib/postgresql/16/bin}
     * @return this builder
     */
    public Builder binDir(Path binDir) {
      this.binDir = Objects.requireNonNull(binDir, "binDir");
      return this;
    }

    /**
     * Sets the operating-system account the server runs as when the JVM runs as root. Default:
     * {@code postgres}, else {@code nobody}. Ignored when the JVM does not run as root.
     *
     * @param osUser an existing account other than root
     * @return this builder
     * @throws IllegalArgumentException if {@code osUser} is blank or {@code root}
     */
    public Builder osUser(String osUser) {
      if (Objects.requireNonNull(osUser, "osUser").isBlank() || osUser.equals("root")) {
        throw new IllegalArgumentException(
            "osUser: must be an account other than root (got \"" + osUser + "\")");
      }
      this.osUser = osUser;
      return this;
    }

    /**
     * Sets whether a container may be started when PostgreSQL is not installed. Default: {@code
     * true}.
     *
     * @param containerFallback whether to use Testcontainers as a fallback
     * @return this builder
     */
    public Builder containerFallback(boolean containerFallback) {
      this.containerFallback = containerFallback;
      return this;
    }

    /**
     * Sets the image of the fallback container, an image of the official {@code postgres} family.
     * Default: {@value PostgresServer#DEFAULT_IMAGE}.
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
     * Starts a server with these options, waits until it accepts connections, and creates the
     * database.
     *
     * @return the running server; close it when done
     * @throws ServerUnavailableException if PostgreSQL is not installed and no container can be
     *     started, or the JVM runs as root and there is no way to run the server as another user
     * @throws ServerStartException if the server does not start
     */
    public PostgresServer start() {
      Optional<Programs> programs = Programs.find(binDir);
      if (programs.isEmpty()) {
        String reason = Containers.unavailableReason(containerFallback);
        if (reason == null) {
          return ContainerServers.startPostgres(this);
        }
        throw Containers.unavailable(
            "PostgreSQL (initdb and postgres)",
            binDir != null ? binDir.toString() : Programs.lookedIn(),
            "apt-get install postgresql",
            reason);
      }
      Optional<OsUser> runAs = Optional.empty();
      if (OsUser.runningAsRoot()) {
        List<String> candidates = osUser != null ? List.of(osUser) : List.of("postgres", "nobody");
        runAs = OsUser.firstExisting(candidates);
        if (runAs.isEmpty()) {
          throw new ServerUnavailableException(
              "PostgreSQL refuses to run as root and none of the accounts "
                  + candidates
                  + " exists; create one (useradd postgres) or run the tests as another user");
        }
      }
      Optional<OsUser> user = runAs;
      return LocalProcess.retryOnPortInUse(
          START_ATTEMPTS, () -> startLocal(programs.get(), user.orElse(null)));
    }

    private PostgresServer startLocal(Programs programs, @Nullable OsUser runAs) {
      long started = System.nanoTime();
      Path template = template(programs, runAs).resolve("data");
      int port = FreePorts.pick();
      String password = Passwords.generate();
      Path dir = TempDirs.create("iamauth4j-postgres-", runAs != null);
      Path logFile = dir.resolve("server.log");
      Path data = dir.resolve("data");
      String description = "postgres on " + FreePorts.HOST + ":" + port;
      LocalProcess process = null;
      try {
        Files.createFile(logFile);
        if (runAs != null) {
          runAs.own(dir);
        }
        Templates.copy(template, data, logFile);
        List<String> postgres = new ArrayList<>();
        if (runAs != null) {
          postgres.addAll(runAs.commandPrefix());
        }
        postgres.add(programs.postgres.toString());
        postgres.add("-D");
        postgres.add(data.toString());
        Map<String, String> all = new LinkedHashMap<>();
        all.put("listen_addresses", FreePorts.HOST);
        all.put("port", Integer.toString(port));
        all.put("unix_socket_directories", dir.toString());
        all.put("fsync", "off");
        all.put("synchronous_commit", "off");
        all.put("full_page_writes", "off");
        all.put("shared_buffers", "16MB");
        all.put("password_encryption", "scram-sha-256");
        all.put("logging_collector", "off");
        all.putAll(settings);
        all.forEach(
            (name, value) -> {
              postgres.add("-c");
              postgres.add(name + "=" + value);
            });
        process =
            LocalProcess.start(description, postgres, dir, logFile, Map.of(), List.of(password));
        LocalProcess p = process;
        process.awaitReady(startupTimeout, () -> acceptsConnections(port));
        setUp(new LocalPsql(programs.psql, dir.toString(), port), password, process);
        PostgresServer server =
            new PostgresServer(
                FreePorts.HOST,
                port,
                password,
                database,
                dir,
                logFile,
                keepLogs,
                () -> p.stop("INT", () -> postmasterPid(data, p), STOP_GRACE),
                new LocalPsql(programs.psql, FreePorts.HOST, port),
                description);
        Live.register(server);
        LOG.info(
            "Started {} ({}) in {} ms (log: {})",
            description,
            programs.binDir,
            (System.nanoTime() - started) / 1_000_000,
            logFile);
        return server;
      } catch (LocalProcess.PortInUseException e) {
        throw e.beforeRetry(() -> TempDirs.deleteQuietly(dir));
      } catch (IOException e) {
        stopQuietly(process, data);
        throw new ServerStartException(
            "could not prepare " + description + " in " + dir + ": " + e.getMessage(), logFile, e);
      } catch (RuntimeException e) {
        stopQuietly(process, data);
        throw e;
      }
    }

    /**
     * Sets the superuser's password and creates the database, over the Unix socket where the
     * superuser needs no password.
     */
    private void setUp(SqlRunner socketPsql, String password, LocalProcess process) {
      String sql = "ALTER ROLE " + SUPERUSER + " PASSWORD " + quoteLiteral(password) + ";\n";
      if (!database.equals("postgres")) {
        sql += "CREATE DATABASE " + quoteIdentifier(database) + ";\n";
      }
      Cli.Result result = socketPsql.run(SUPERUSER, "", "postgres", sql);
      if (!result.ok()) {
        throw process.failure(
            "could not set the superuser's password and create database \""
                + database
                + "\" on "
                + process.name()
                + ": "
                + Redact.text(result.stderr().strip(), List.of(password)),
            null);
      }
    }

    /** A directory whose {@code data} was made by {@code initdb}, without passwords. */
    private Path template(Programs programs, @Nullable OsUser runAs) {
      String key = "postgres " + programs.binDir + " " + (runAs == null ? "" : runAs.name);
      return Templates.get(
          key,
          () -> {
            Path dir = TempDirs.create("iamauth4j-postgres-template-", runAs != null);
            Path log = dir.resolve("initdb.log");
            Path data = dir.resolve("data");
            long started = System.nanoTime();
            try {
              Files.createFile(log);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            List<String> initdb = new ArrayList<>();
            if (runAs != null) {
              runAs.own(dir);
              initdb.addAll(runAs.commandPrefix());
            }
            initdb.addAll(
                List.of(
                    programs.initdb.toString(),
                    "-D",
                    data.toString(),
                    "-U",
                    SUPERUSER,
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync"));
            Cli.Result init =
                Cli.run(initdb, Map.of(), List.of("PG", "LC_", "LANG"), null, startupTimeout, log);
            if (!init.ok()) {
              throw new ServerStartException(
                  programs.initdb
                      + (runAs == null ? "" : " as user \"" + runAs.name + "\"")
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
                "initdb made the template {} in {} ms",
                data,
                (System.nanoTime() - started) / 1_000_000);
            return dir;
          });
    }

    private static void stopQuietly(@Nullable LocalProcess process, Path data) {
      if (process != null) {
        LocalProcess p = process;
        p.stop("INT", () -> postmasterPid(data, p), STOP_GRACE);
      }
    }

    String database() {
      return database;
    }

    Map<String, String> settings() {
      return settings;
    }

    Duration startupTimeout() {
      return startupTimeout;
    }

    String containerImage() {
      return containerImage;
    }

    boolean keepLogs() {
      return keepLogs;
    }

    /** Creates the server object for a container the fallback started. */
    PostgresServer containerServer(
        String host,
        int port,
        String password,
        Path dir,
        Path logFile,
        ServerHandle handle,
        SqlRunner sql) {
      PostgresServer server =
          new PostgresServer(
              host,
              port,
              password,
              database,
              dir,
              logFile,
              keepLogs,
              handle,
              sql,
              "postgres container on " + host + ":" + port);
      Live.register(server);
      return server;
    }
  }

  /** The pid of the postmaster, from {@code postmaster.pid}, or the launched process's pid. */
  private static long postmasterPid(Path data, LocalProcess process) {
    try {
      List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
      if (!lines.isEmpty()) {
        return Long.parseLong(lines.get(0).strip());
      }
    } catch (IOException | NumberFormatException e) {
      // Not written yet or already removed: the launched process is the best guess.
    }
    return process.pid();
  }

  /**
   * Whether the postmaster accepts connections: it answers a startup message with an authentication
   * request, not with "the database system is starting up" (SQLSTATE 57P03).
   */
  static boolean acceptsConnections(int port) throws IOException {
    return acceptsConnections(FreePorts.HOST, port);
  }

  static boolean acceptsConnections(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      socket.setSoTimeout(2000);
      byte[] params =
          ("user\0" + SUPERUSER + "\0database\0postgres\0\0").getBytes(StandardCharsets.UTF_8);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(8 + params.length);
      out.writeInt(196608); // protocol 3.0
      out.write(params);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int type = in.readUnsignedByte();
      if (type == 'R') {
        return true;
      }
      if (type != 'E') {
        throw new IOException("unexpected reply '" + (char) type + "' to a startup message");
      }
      int length = in.readInt();
      byte[] body = in.readNBytes(Math.max(0, Math.min(length - 4, 8192)));
      String fields = new String(body, StandardCharsets.UTF_8);
      if (fields.contains("C57P03")) {
        return false;
      }
      throw new IOException("postgres rejected a startup message: " + fields.replace('\0', ' '));
    }
  }

  /** The installed PostgreSQL programs. */
  private static final class Programs {
    final Path binDir;
    final Path initdb;
    final Path postgres;
    final Path psql;

    private Programs(Path binDir, Path initdb, Path postgres, Path psql) {
      this.binDir = binDir;
      this.initdb = initdb;
      this.postgres = postgres;
      this.psql = psql;
    }

    static List<Path> candidates() {
      List<Path> dirs =
          new ArrayList<>(Binaries.postgresVersionDirs(Path.of("/usr/lib/postgresql")));
      dirs.add(Path.of("/usr/local/pgsql/bin"));
      return Binaries.searchDirs(dirs);
    }

    static String lookedIn() {
      return "/usr/lib/postgresql/*/bin, /usr/local/pgsql/bin, " + Binaries.describe(List.of());
    }

    static Optional<Programs> find(@Nullable Path binDir) {
      List<Path> dirs = binDir != null ? List.of(binDir) : candidates();
      for (Path dir : dirs) {
        Path initdb = dir.resolve("initdb");
        if (!Files.isExecutable(initdb)) {
          continue;
        }
        // Follow /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb to the real bin dir.
        Path real = Binaries.real(initdb).getParent();
        for (Path bin : real == null ? List.of(dir) : List.of(real, dir)) {
          Path postgres = bin.resolve("postgres");
          if (Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(postgres)) {
            Optional<Path> psql = Binaries.find(List.of("psql"), Binaries.searchDirs(List.of(bin)));
            if (psql.isPresent()) {
              return Optional.of(new Programs(bin, bin.resolve("initdb"), postgres, psql.get()));
            }
          }
        }
      }
      return Optional.empty();
    }
  }

  /** Runs SQL with the local {@code psql}, the script on standard input. */
  private static final class LocalPsql implements SqlRunner {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private final Path psql;
    private final String host;
    private final int port;

    LocalPsql(Path psql, String host, int port) {
      this.psql = psql;
      this.host = host;
      this.port = port;
    }

    @Override
    public Cli.Result run(String user, String password, String database, String sql) {
      List<String> command =
          List.of(
              psql.toString(),
              "-h",
              host,
              "-p",
              Integer.toString(port),
              "-U",
              user,
              "-d",
              database,
              "-X",
              "-q",
              "-A",
              "-t",
              "-v",
              "ON_ERROR_STOP=1",
              "-f",
              "-");
      Map<String, String> env = Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "10");
      try {
        return Cli.run(command, env, List.of("PG"), sql, TIMEOUT, null);
      } catch (UncheckedIOException e) {
        throw new ServerCommandException("could not run psql: " + e.getMessage(), -1);
      }
    }
  }
}
