package io.github.iamauth4j.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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
   * Starts {@code container}, appending its output to {@code logFile}.
   *
   * @throws ServerStartException if the container does not start
   */
  static Handle start(GenericContainer<?> container, String description, Path logFile) {
    container.withLogConsumer(appender(logFile));
    long started = System.nanoTime();
    try {
      container.start();
    } catch (RuntimeException e) {
      try {
        container.stop();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new ServerStartException(
          "could not start "
              + description
              + ": "
              + e.getMessage()
              + "; log kept at "
              + logFile
              + ", last lines:\n"
              + LocalProcess.tail(logFile, 40),
          logFile,
          e);
    }
    LOG.info(
        "Started {} in {} ms (log: {})",
        description,
        (System.nanoTime() - started) / 1_000_000,
        logFile);
    return new Handle(container);
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
    Path dir = TempDirs.create("iamauth4j-redis-", false);
    Path logFile = dir.resolve("server.log");
    String config = builder.configText("0.0.0.0", 6379, 0, Path.of("/data"));
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(builder.containerImage()))
            .withExposedPorts(6379)
            .withCopyToContainer(Transferable.of(config), "/usr/local/etc/redis/redis.conf")
            .withCommand("redis-server", "/usr/local/etc/redis/redis.conf")
            .withStartupTimeout(builder.startupTimeout());
    Handle handle =
        start(container, builder.role() + " container " + builder.containerImage(), logFile);
    RedisServer server =
        builder.containerServer(handle.host(), handle.port(6379), dir, logFile, handle);
    try {
      builder.checkCredentials(server);
      return server;
    } catch (RuntimeException e) {
      server.abandon();
      throw e;
    }
  }

  static PostgresServer startPostgres(PostgresServer.Builder builder) {
    Path dir = TempDirs.create("iamauth4j-postgres-", false);
    Path logFile = dir.resolve("server.log");
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
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(builder.containerImage()))
            .withExposedPorts(5432)
            .withEnv("POSTGRES_USER", PostgresServer.SUPERUSER)
            .withEnv("POSTGRES_PASSWORD", password)
            .withEnv("POSTGRES_DB", builder.database())
            .withCommand(command.toArray(new String[0]))
            .withStartupTimeout(builder.startupTimeout());
    Handle handle = start(container, "postgres container " + builder.containerImage(), logFile);
    String host = handle.host();
    int port = handle.port(5432);
    PostgresServer.SqlRunner sql =
        (user, pw, database, script) ->
            handle.exec(
                "psql -h 127.0.0.1 -p 5432 -U \"$1\" -d \"$2\" -X -q -A -t"
                    + " -v ON_ERROR_STOP=1 -f \"$IAMAUTH4J_STDIN\"",
                List.of("PGPASSWORD=" + pw),
                script,
                List.of(user, database));
    PostgresServer server =
        builder.containerServer(host, port, password, dir, logFile, handle, sql);
    try {
      // The image's entrypoint restarts the server after initialising it: wait for the final one.
      long deadline = System.nanoTime() + builder.startupTimeout().toNanos();
      awaitAccepting(
          server.toString(),
          logFile,
          builder.startupTimeout(),
          () -> PostgresServer.acceptsConnections(host, port));
      return server;
    } catch (RuntimeException e) {
      server.abandon();
      throw e;
    }
  }

  /** Polls {@code probe} until it returns {@code true}, for servers whose image restarts them. */
  static void awaitAccepting(
      String description, Path logFile, java.time.Duration timeout, LocalProcess.Probe probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        if (probe.ready()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new ServerStartException(
            description
                + " did not accept connections within "
                + timeout.toMillis()
                + " ms"
                + (last == null ? "" : " (last attempt: " + last + ")")
                + "; log kept at "
                + logFile
                + ", last lines:\n"
                + LocalProcess.tail(logFile, 40),
            logFile,
            last);
      }
      LocalProcess.pause(50);
    }
  }

  static MariaDbServer startMariaDb(MariaDbServer.Builder builder) {
    Path dir = TempDirs.create("iamauth4j-mariadb-", false);
    Path logFile = dir.resolve("server.log");
    String password = Passwords.generate();
    List<String> command = new ArrayList<>();
    command.add("--skip-name-resolve");
    command.add("--innodb-flush-log-at-trx-commit=0");
    command.addAll(builder.serverOptions());
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(builder.containerImage()))
            .withExposedPorts(3306)
            .withEnv("MARIADB_ROOT_PASSWORD", password)
            .withEnv("MARIADB_ROOT_HOST", "%")
            .withEnv("MARIADB_DATABASE", builder.database())
            .withCommand(command.toArray(new String[0]))
            .withStartupTimeout(builder.startupTimeout());
    Handle handle = start(container, "mariadbd container " + builder.containerImage(), logFile);
    String host = handle.host();
    int port = handle.port(3306);
    MariaDbServer.SqlRunner sql =
        (user, pw, database, script) ->
            handle.exec(
                "mariadb --no-defaults --protocol=TCP --host=127.0.0.1 --port=3306"
                    + " --user=\"$1\" --batch --skip-column-names"
                    + " ${2:+--database=\"$2\"} < \"$IAMAUTH4J_STDIN\"",
                List.of("MYSQL_PWD=" + pw),
                script,
                List.of(user, database));
    MariaDbServer server = builder.containerServer(host, port, password, dir, logFile, handle, sql);
    try {
      // The image's entrypoint restarts the server after initialising it: wait for the final one.
      awaitAccepting(
          server.toString(),
          logFile,
          builder.startupTimeout(),
          () ->
              MariaDbServer.sendsHandshake(host, port)
                  && sql.run("root", password, "", "SELECT 1").ok());
      return server;
    } catch (RuntimeException e) {
      server.abandon();
      throw e;
    }
  }
}
