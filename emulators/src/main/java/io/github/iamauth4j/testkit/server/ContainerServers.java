package io.github.iamauth4j.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * The Testcontainers fallback. Only this class refers to Testcontainers types, and it is loaded
 * only after {@link Containers} has found Testcontainers on the classpath.
 */
final class ContainerServers {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerServers.class);
  private static final AtomicInteger SCRIPTS = new AtomicInteger();

  // The SQL clients in the containers: "$1" is the user, "$2" the database (none if empty).
  private static final String PSQL =
      "psql -h 127.0.0.1 -p 5432 -U \"$1\" -d \"$2\" -X -q -A -t"
          + " -v ON_ERROR_STOP=1 -f \"$IAMAUTH4J_STDIN\"";
  private static final String MARIADB =
      "mariadb --no-defaults --protocol=TCP --host=127.0.0.1 --port=3306"
          + " --user=\"$1\" --batch --skip-column-names"
          + " ${2:+--database=\"$2\"} < \"$IAMAUTH4J_STDIN\"";

  private ContainerServers() {}

  static boolean dockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  /** A started container, stopped and removed by {@link #stop()}. */
  static final class Handle implements ServerHandle {
    private final GenericContainer<?> container;

    Handle(GenericContainer<?> container) {
      this.container = container;
    }

    @Override
    public boolean stop() {
      boolean running = container.isRunning();
      container.stop();
      return running;
    }

    String host() {
      return container.getHost();
    }

    int port(int containerPort) {
      return container.getMappedPort(containerPort);
    }

    /**
     * Runs SQL with a client in the container: {@code script} runs it with the user as {@code $1},
     * the database as {@code $2}, the SQL in the file {@code $IAMAUTH4J_STDIN} and the password in
     * the variable {@code passwordVariable}.
     */
    SqlRunner sql(String script, String passwordVariable) {
      return (user, password, database, sql) ->
          exec(script, List.of(passwordVariable + "=" + password), sql, List.of(user, database));
    }

    /**
     * Runs a shell script in the container with {@code stdin} as the content of the file named by
     * {@code $IAMAUTH4J_STDIN}, and the given environment variables.
     */
    Cli.Result exec(String script, List<String> env, String stdin, List<String> args) {
      String file = "/tmp/iamauth4j-" + SCRIPTS.incrementAndGet() + ".in";
      container.copyFileToContainer(Transferable.of(stdin), file);
      List<String> command = new ArrayList<>();
      command.add("env");
      command.add("IAMAUTH4J_STDIN=" + file);
      command.addAll(env);
      command.add("sh");
      command.add("-c");
      command.add(script + "; status=$?; rm -f \"$IAMAUTH4J_STDIN\"; exit $status");
      command.add("sh");
      command.addAll(args);
      try {
        Container.ExecResult result = container.execInContainer(command.toArray(new String[0]));
        return new Cli.Result(result.getExitCode(), result.getStdout(), result.getStderr());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "could not run a command in " + container.getContainerName(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServerCommandException("interrupted while running a command in a container", -1);
      }
    }
  }

  /**
   * Starts a container of the builder's image, its output in a fresh directory's {@code
   * server.log}; makes the server object and checks it. A failed check stops the container and
   * keeps the directory for the log.
   *
   * @param name how messages name the server, e.g. {@code postgres}
   * @param dirPrefix the directory's name prefix, e.g. {@code iamauth4j-postgres-}
   * @param port the port the server listens on in the container
   * @param configure sets the container's command, environment and files
   * @param create makes the server object
   * @param check throws if the server is not ready or not usable
   * @throws ServerStartException if the container does not start or the check fails
   */
  private static <S extends LaunchedServer> S start(
      ServerBuilder<?, S> builder,
      String name,
      String dirPrefix,
      int port,
      Consumer<GenericContainer<?>> configure,
      BiFunction<LaunchedServer.Site, Handle, S> create,
      Consumer<S> check) {
    Path dir = TempDirs.create(dirPrefix, false);
    Path logFile = dir.resolve("server.log");
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(builder.containerImage()));
    configure.accept(container);
    container
        .withExposedPorts(port)
        .withStartupTimeout(builder.startupTimeout())
        .withLogConsumer(appender(logFile));
    long started = System.nanoTime();
    try {
      container.start();
    } catch (RuntimeException e) {
      try {
        container.stop();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw ServerStartException.withLog(
          "could not start "
              + name
              + " container "
              + builder.containerImage()
              + ": "
              + e.getMessage(),
          logFile,
          List.of(),
          e);
    }
    Handle handle = new Handle(container);
    String host = handle.host();
    int mapped = handle.port(port);
    String description = name + " container on " + host + ":" + mapped;
    S server =
        create.apply(new LaunchedServer.Site(host, mapped, dir, logFile, description), handle);
    Live.register(server);
    try {
      check.accept(server);
    } catch (RuntimeException e) {
      server.abandon();
      throw e;
    }
    LOG.info(
        "Started {} ({}) in {} ms (log: {})",
        server,
        builder.containerImage(),
        (System.nanoTime() - started) / 1_000_000,
        logFile);
    return server;
  }

  /** Waits until the server accepts connections: the images restart it after initialising it. */
  private static void awaitAccepting(
      LaunchedServer server, Duration timeout, LocalProcess.Probe probe) {
    LocalProcess.poll(
        timeout,
        probe,
        () -> {},
        (within, last) ->
            ServerStartException.withLog(
                server + " did not accept connections " + within,
                server.logFile(),
                List.of(),
                last));
  }

  private static Consumer<OutputFrame> appender(Path logFile) {
    return frame -> {
      String text = frame.getUtf8String();
      if (text.isEmpty()) {
        return;
      }
      synchronized (logFile) {
        try {
          Files.writeString(
              logFile,
              text,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
        } catch (IOException e) {
          LOG.debug("Could not append to {}", logFile, e);
        }
      }
    };
  }

  static RedisServer startRedis(RedisServer.Builder builder) {
    String config = builder.configText("0.0.0.0", 6379, 0, Path.of("/data"), List.of());
    return start(
        builder,
        "redis-server",
        "iamauth4j-redis-",
        6379,
        container ->
            container
                .withCopyToContainer(Transferable.of(config), "/usr/local/etc/redis/redis.conf")
                .withCommand("redis-server", "/usr/local/etc/redis/redis.conf"),
        (site, handle) -> new RedisServer(builder, site, 0, handle),
        builder::checkCredentials);
  }

  static PostgresServer startPostgres(PostgresServer.Builder builder) {
    String password = Passwords.generate();
    List<String> command = new ArrayList<>();
    command.add("postgres");
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("fsync", "off");
    settings.put("synchronous_commit", "off");
    settings.put("full_page_writes", "off");
    settings.put("shared_buffers", "16MB");
    settings.putAll(builder.settings());
    settings.forEach(
        (name, value) -> {
          command.add("-c");
          command.add(name + "=" + value);
        });
    return start(
        builder,
        "postgres",
        "iamauth4j-postgres-",
        5432,
        container ->
            container
                .withEnv("POSTGRES_USER", PostgresServer.SUPERUSER)
                .withEnv("POSTGRES_PASSWORD", password)
                .withEnv("POSTGRES_DB", builder.database())
                .withCommand(command.toArray(new String[0])),
        (site, handle) ->
            new PostgresServer(builder, site, handle, password, handle.sql(PSQL, "PGPASSWORD")),
        server ->
            awaitAccepting(
                server,
                builder.startupTimeout(),
                () -> PostgresServer.acceptsConnections(server.host(), server.port())));
  }

  static MariaDbServer startMariaDb(MariaDbServer.Builder builder) {
    String password = Passwords.generate();
    List<String> command = new ArrayList<>();
    command.add("--skip-name-resolve");
    command.add("--innodb-flush-log-at-trx-commit=0");
    command.addAll(builder.serverOptions());
    return start(
        builder,
        "mariadbd",
        "iamauth4j-mariadb-",
        3306,
        container ->
            container
                .withEnv("MARIADB_ROOT_PASSWORD", password)
                .withEnv("MARIADB_ROOT_HOST", "%")
                .withEnv("MARIADB_DATABASE", builder.database())
                .withCommand(command.toArray(new String[0])),
        (site, handle) ->
            new MariaDbServer(builder, site, handle, password, handle.sql(MARIADB, "MYSQL_PWD")),
        server ->
            awaitAccepting(
                server,
                builder.startupTimeout(),
                () ->
                    MariaDbServer.sendsHandshake(server.host(), server.port())
                        && server
                            .executeAs(MariaDbServer.ADMIN_USER, password, "", "SELECT 1")
                            .equals("1")));
  }
}
