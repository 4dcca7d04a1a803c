package io.github.iamauth4j.testkit.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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
 * <p>{@link #close()} stops the server with a fast shutdown ({@code SIGINT}, then {@code SIGKILL}
 * after 10 seconds). Instances are thread-safe.
 */
public final class PostgresServer extends SqlServer {
  /** The superuser the launcher creates. */
  public static final String SUPERUSER = "postgres";

  /** The database created unless {@link Builder#database(String)} names another. */
  public static final String DEFAULT_DATABASE = "test";

  /** The container image used when PostgreSQL is not installed. */
  public static final String DEFAULT_IMAGE = "postgres:16-alpine";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private static final Engine ENGINE = new Engine("psql", SUPERUSER, "postgresql");

  PostgresServer(Builder options, Site site, ServerHandle handle, String password, SqlRunner sql) {
    super(ENGINE, options, site, handle, password, sql);
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
    return password();
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
            + quoteIdentifier(database())
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
    return quote('"', identifier);
  }

  /**
   * Quotes an SQL string literal: {@code it's} becomes {@code 'it''s'}.
   *
   * @param value the value
   * @return the quoted literal
   */
  public static String quoteLiteral(String value) {
    return quote('\'', value);
  }

  /**
   * Options for a {@link PostgresServer}; {@link #start()} starts one. Not thread-safe; one builder
   * can start several servers.
   */
  public static final class Builder extends SqlServerBuilder<Builder, PostgresServer> {
    private final Map<String, String> settings = new LinkedHashMap<>();
    private @Nullable String osUser;

    private Builder() {
      super(DEFAULT_IMAGE, DEFAULT_DATABASE);
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
     * Starts a server with these options, waits until it accepts connections, and creates the
     * database.
     *
     * @return the running server; close it when done
     * @throws ServerUnavailableException if PostgreSQL is not installed and no container can be
     *     started, or the JVM runs as root and there is no way to run the server as another user
     * @throws ServerStartException if the server does not start
     */
    @Override
    public PostgresServer start() {
      Path binDir = binDir();
      Optional<Programs> found = Programs.find(binDir);
      if (found.isEmpty()) {
        return startInContainer(
            "PostgreSQL (initdb and postgres)",
            binDir != null ? binDir.toString() : Programs.lookedIn(),
            "apt-get install postgresql");
      }
      Programs programs = found.get();
      OsUser runAs = null;
      if (OsUser.runningAsRoot()) {
        List<String> candidates = osUser != null ? List.of(osUser) : List.of("postgres", "nobody");
        runAs =
            OsUser.firstExisting(candidates)
                .orElseThrow(
                    () ->
                        new ServerUnavailableException(
                            "PostgreSQL refuses to run as root and none of the accounts "
                                + candidates
                                + " exists; create one (useradd postgres) or run the tests as"
                                + " another user"));
      }
      Path template = template(programs, runAs);
      OsUser user = runAs;
      return LocalStart.run(
          "postgres",
          programs.postgres,
          "iamauth4j-postgres-",
          user != null,
          start -> startLocal(start, programs, template, user));
    }

    private PostgresServer startLocal(
        LocalStart start, Programs programs, Path template, @Nullable OsUser runAs) {
      Path dir = start.dir();
      Path data = dir.resolve("data");
      String password = Passwords.generate();
      if (runAs != null) {
        runAs.own(dir);
      }
      Templates.copy(template, data, start.logFile());
      List<String> postgres = new ArrayList<>();
      if (runAs != null) {
        postgres.addAll(runAs.commandPrefix());
      }
      postgres.add(programs.postgres.toString());
      postgres.add("-D");
      postgres.add(data.toString());
      Map<String, String> all = new LinkedHashMap<>();
      all.put("listen_addresses", FreePorts.HOST);
      all.put("port", Integer.toString(start.port()));
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
      LocalProcess process =
          start.launch(
              postgres,
              List.of(password),
              new LocalProcess.Shutdown("INT", p -> postmasterPid(data, p), STOP_GRACE));
      process.awaitReady(startupTimeout(), () -> acceptsConnections(FreePorts.HOST, start.port()));
      String sql = "ALTER ROLE " + SUPERUSER + " PASSWORD " + quoteLiteral(password) + ";\n";
      if (!database().equals("postgres")) {
        sql += "CREATE DATABASE " + quoteIdentifier(database()) + ";\n";
      }
      // The superuser needs no password over the socket, in the directory.
      setUp(
          process,
          psql(programs.psql, dir.toString(), start.port()),
          SUPERUSER,
          "postgres",
          sql,
          password);
      return new PostgresServer(
          this, start.site(), process, password, psql(programs.psql, FreePorts.HOST, start.port()));
    }

    @Override
    PostgresServer startContainer() {
      return ContainerServers.startPostgres(this);
    }

    /** A data directory made by {@code initdb}, without passwords. */
    private Path template(Programs programs, @Nullable OsUser runAs) {
      return Templates.dataDir(
          "postgres " + programs.binDir + " " + (runAs == null ? "" : runAs.name),
          "iamauth4j-postgres-template-",
          runAs,
          data ->
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
                  "--no-sync"),
          List.of("PG", "LC_", "LANG"),
          startupTimeout());
    }

    Map<String, String> settings() {
      return settings;
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

  /** Runs SQL with the local {@code psql}, connecting to {@code host} (or a socket directory). */
  private static SqlRunner psql(Path psql, String host, int port) {
    return SqlRunner.local(
        (user, database) ->
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
                "-"),
        password -> Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "10"),
        "PG");
  }
}
