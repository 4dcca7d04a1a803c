package io.github.iamauth4j.cli;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.testkit.net.AuthMetrics;
import io.github.iamauth4j.testkit.net.EmulatorServer;
import io.github.iamauth4j.testkit.rds.DsqlEmulator;
import io.github.iamauth4j.testkit.rds.RdsEmulator;
import io.github.iamauth4j.testkit.rds.RdsMySqlEmulator;
import io.github.iamauth4j.testkit.rds.RdsPostgresEmulator;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code iamauth4j emulate SERVICE --backend HOST:PORT …}: runs one of the testkit's IAM emulators
 * in front of a server the user already runs, prints how to connect, and serves until stopped.
 */
@Command(
    name = "emulate",
    versionProvider = VersionProvider.class,
    synopsisSubcommandLabel = "SERVICE",
    description = {
      "Run a local stand-in for AWS's side of IAM auth in front of your own server.",
      "It listens with TLS on 127.0.0.1, checks each token the way AWS does (signature, "
          + "service, region, name, user, expiry), and passes valid connections on to the "
          + "server as the same user. It prints its endpoint, the CA file to trust and the test "
          + "credentials to export. Stop it with Ctrl-C.",
      "On exit, and on kill -USR2 PID, it prints its counters under AWS's CloudWatch "
          + "names (AuthenticationFailures, IamAuthenticationExpirations, "
          + "IamAuthenticationThrottling) and the logins by IAM and by password."
    },
    subcommands = {
      EmulateCommand.ElastiCache.class,
      EmulateCommand.MemoryDb.class,
      EmulateCommand.RdsPostgres.class,
      EmulateCommand.RdsMySql.class,
      EmulateCommand.Dsql.class
    },
    commandListHeading = "%nServices:%n",
    footerHeading = "%nExamples:%n",
    footer = {
      "  iamauth4j emulate elasticache --backend 127.0.0.1:6379 --cache orders \\",
      "    --backend-user admin        # password from IAMAUTH4J_BACKEND_PASSWORD",
      "  iamauth4j emulate rds-postgres --backend 127.0.0.1:5432 \\",
      "    --backend-user postgres",
      "  iamauth4j emulate dsql --backend 127.0.0.1:5432 --backend-user postgres"
    })
final class EmulateCommand implements Callable<Integer> {
  /** The environment variable the backend admin password is read from when not given. */
  static final String BACKEND_PASSWORD_ENV = "IAMAUTH4J_BACKEND_PASSWORD";

  /** The environment variable a {@code --password-user}'s password is read from. */
  static final String USER_PASSWORD_ENV = "IAMAUTH4J_USER_PASSWORD";

  /** The signal that prints the counters while the emulator runs. */
  static final String COUNTERS_SIGNAL = "USR2";

  @Mixin HelpOptions helpOptions;

  @Spec CommandSpec spec;

  /** No service given: show the services, as a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ErrorHandlers.USAGE;
  }

  /** Options every emulator takes. */
  static final class Common {
    @Option(
        names = "--backend",
        required = true,
        paramLabel = "HOST:PORT",
        description = "The server to pass authenticated connections on to (plaintext, local).")
    String backend;

    @Option(
        names = "--backend-user",
        paramLabel = "USER",
        description =
            "An admin user of the server; the emulator uses it to create the IAM users' "
                + "server accounts with a secret only it knows.")
    @Nullable String backendUser;

    @Option(
        names = "--backend-password",
        paramLabel = "PASSWORD",
        description =
            "The admin user's password. Default: the environment variable "
                + BACKEND_PASSWORD_ENV
                + " (keeps it out of the process list).")
    @Nullable String backendPassword;

    @Option(
        names = "--region",
        defaultValue = "us-east-1",
        description = "The region tokens must be signed for. Default: ${DEFAULT-VALUE}.")
    String region;

    @Option(
        names = "--port",
        defaultValue = "0",
        description = "The port to listen on. Default: a free port.")
    int port;

    @ArgGroup(exclusive = false)
    @Nullable Identity identity;

    String backendHost(CommandSpec spec) {
      int colon = backend.lastIndexOf(':');
      if (colon <= 0) {
        throw usage(spec, "--backend: expected HOST:PORT, e.g. 127.0.0.1:6379");
      }
      return backend.substring(0, colon);
    }

    int backendPort(CommandSpec spec) {
      int colon = backend.lastIndexOf(':');
      try {
        int p = Integer.parseInt(backend.substring(colon + 1));
        if (p < 1 || p > 65535) {
          throw new NumberFormatException();
        }
        return p;
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        throw usage(spec, "--backend: expected HOST:PORT with a port from 1 to 65535");
      }
    }

    @Nullable String password() {
      return backendPassword != null ? backendPassword : Locales.env(BACKEND_PASSWORD_ENV);
    }

    /** The admin account a database emulator needs to create the IAM users' roles. */
    String requireUser(CommandSpec spec) {
      if (backendUser == null) {
        throw usage(
            spec,
            "--backend-user: required (an admin account of the server that can create users)");
      }
      return backendUser;
    }

    String requirePassword(CommandSpec spec) {
      String pw = password();
      if (pw == null) {
        throw usage(spec, "--backend-password: required (or set " + BACKEND_PASSWORD_ENV + ")");
      }
      return pw;
    }

    static ParameterException usage(CommandSpec spec, String message) {
      return new ParameterException(spec.commandLine(), message);
    }

    TrustedCredentials trusted() {
      return identity == null
          ? TrustedCredentials.example()
          : TrustedCredentials.of(identity.accessKeyId, identity.secretAccessKey);
    }
  }

  /** The test identity the emulator trusts, instead of AWS's example keys. */
  static final class Identity {
    @Option(
        names = "--access-key-id",
        required = true,
        description = "The access key id of the test identity. Default: AWS's example key.")
    String accessKeyId;

    @Option(
        names = "--secret-access-key",
        required = true,
        description = "The secret key of the test identity.")
    String secretAccessKey;
  }

  /** The users of a migration from passwords: IAM users and one password user. */
  static final class Users {
    @Option(
        names = "--iam-user",
        paramLabel = "USER",
        description =
            "A user that logs in with tokens only (repeat for several). ElastiCache and "
                + "MemoryDB: with --iam-user or --password-user the emulator holds a user "
                + "group, and only its users may log in. RDS: a user granted rds_iam, whose "
                + "password no longer works.")
    List<String> iamUsers = new ArrayList<>();

    @Option(
        names = "--password-user",
        paramLabel = "USER",
        description =
            "A user that logs in with its own password beside the IAM users (the old user of "
                + "a migration to IAM). Its password: the environment variable "
                + USER_PASSWORD_ENV
                + ", else the first line of stdin; never an option.")
    @Nullable String passwordUser;

    /** The password user's password, from the environment or stdin. */
    String password(CommandSpec spec) {
      String pw = Locales.env(USER_PASSWORD_ENV);
      if (pw == null) {
        try {
          BufferedReader in =
              new BufferedReader(
                  new InputStreamReader(
                      IamAuth4jCommand.context(spec).in(), StandardCharsets.UTF_8));
          pw = in.readLine();
        } catch (IOException e) {
          throw new UncheckedIOException("could not read the password user's password", e);
        }
      }
      if (pw == null || pw.isEmpty()) {
        throw Common.usage(
            spec,
            "--password-user: no password (set "
                + USER_PASSWORD_ENV
                + " or pass it as the first line of stdin)");
      }
      return pw;
    }
  }

  /**
   * Prints how to use the running emulator, in the same layout for every service, then serves until
   * the JVM is stopped.
   *
   * @param endpoint the host:port clients connect to
   * @param signFor what tokens must be signed for, exactly as the token command takes it
   * @param limit the connection limit, or null where the service has none
   */
  static int serve(
      CommandSpec spec,
      EmulatorServer emulator,
      String endpoint,
      String signFor,
      @Nullable Duration limit,
      Path caFile,
      String description,
      TrustedCredentials trusted,
      String region,
      String tryIt,
      Supplier<AuthMetrics> metrics) {
    PrintWriter out = spec.commandLine().getOut();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  printCounters(out, metrics.get());
                  emulator.close();
                },
                "iamauth4j-emulate-stop"));
    boolean onSignal = onSignal(COUNTERS_SIGNAL, () -> printCounters(out, metrics.get()));
    out.println("Endpoint:         " + endpoint + " (TLS)");
    out.println("Sign tokens for:  " + signFor + ", region " + region);
    out.println("CA file:          " + caFile);
    if (limit != null) {
      RenewalPolicy fit = RenewalPolicy.scaledTo(limit);
      out.println(
          "Connection limit: "
              + Conversions.describe(limit)
              + " since the last AUTH (ElastiCache: 12h). Fit a client to it with"
              + " RenewalPolicy.scaledTo(Duration.parse(\""
              + limit
              + "\")): re-authenticate every "
              + Conversions.describe(fit.reauthenticationInterval())
              + ", retire at "
              + Conversions.describe(fit.maxConnectionAge()));
    }
    out.println();
    out.println(description.stripTrailing());
    out.println();
    out.println("Test identity the emulator trusts (a local test key, not an AWS account):");
    out.print(trusted.exports());
    out.println("export AWS_REGION=" + region);
    out.println();
    out.println("Try it:");
    out.println("  " + tryIt);
    out.println();
    out.println(
        "Counters:         printed on exit"
            + (onSignal
                ? " and on kill -" + COUNTERS_SIGNAL + " " + ProcessHandle.current().pid()
                : " (no signal handling in this JVM)"));
    out.println("Serving; stop with Ctrl-C.");
    out.flush();
    try {
      emulator.awaitClose();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      emulator.close();
    }
    return 0;
  }

  /** One line: {@code Counters: AuthenticationFailures=0 IamAuthenticationExpirations=0 …}. */
  static String countersLine(AuthMetrics m) {
    return "Counters: " + m;
  }

  private static void printCounters(PrintWriter out, AuthMetrics m) {
    synchronized (out) {
      out.println(countersLine(m));
      out.flush();
    }
  }

  /**
   * Runs {@code action} each time the process gets signal {@code name}, through {@code
   * sun.misc.Signal} when this JVM has it (reached by reflection: it is not API).
   *
   * @return whether the handler was installed
   */
  static boolean onSignal(String name, Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance(name);
      Object handler =
          Proxy.newProxyInstance(
              handlerClass.getClassLoader(),
              new Class<?>[] {handlerClass},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "handle":
                    action.run();
                    return null;
                  case "hashCode":
                    return System.identityHashCode(proxy);
                  case "equals":
                    return args != null && proxy == args[0];
                  default:
                    return "iamauth4j-counters-on-" + name;
                }
              });
      signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static String jar() {
    return "java -jar iamauth4j.jar";
  }

  /** {@code emulate elasticache}. */
  @Command(
      name = "elasticache",
      footerHeading = "%nExamples:%n",
      footer = {
        "  IAMAUTH4J_BACKEND_PASSWORD=admin-pw iamauth4j emulate elasticache \\",
        "    --backend 127.0.0.1:6379 --backend-user admin --cache orders \\",
        "    --connection-limit 30s",
        "",
        "  # A migration's user group: app on tokens, legacy on its own password",
        "  IAMAUTH4J_USER_PASSWORD=legacy-pw IAMAUTH4J_BACKEND_PASSWORD=admin-pw \\",
        "    iamauth4j emulate elasticache --backend 127.0.0.1:6379 \\",
        "    --backend-user admin --cache orders --iam-user app --password-user legacy"
      },
      versionProvider = VersionProvider.class,
      description =
          "Emulate an ElastiCache cache (replication group, or --serverless) in front "
              + "of a Redis or Valkey server.")
  static final class ElastiCache implements Callable<Integer> {
    @Mixin HelpOptions helpOptions;

    @Spec CommandSpec spec;

    @Mixin Common common;

    @Option(names = "--cache", required = true, description = "The cache name tokens must name.")
    String cache;

    @Option(names = "--serverless", description = "Emulate an ElastiCache Serverless cache.")
    boolean serverless;

    @Mixin Users users;

    @Option(
        names = "--auth-rate-limit",
        paramLabel = "N",
        defaultValue = "0",
        description =
            "Refuse IAM authentications beyond N a second, counted as "
                + "IamAuthenticationThrottling. Default: no limit.")
    int rateLimit;

    @Option(
        names = "--connection-limit",
        converter = Conversions.DurationConverter.class,
        description =
            "Close a connection this long after it last authenticated, as ElastiCache does at "
                + "12h. Default: 12h; e.g. 30s to watch clients re-authenticate (at least 12s"
                + " for RenewalPolicy.scaledTo, which the emulator prints).")
    @Nullable Duration limit;

    @Override
    public Integer call() {
      IamTarget.Kind kind =
          serverless ? IamTarget.Kind.ELASTICACHE_SERVERLESS : IamTarget.Kind.ELASTICACHE;
      return redisLike(
          spec,
          common,
          users,
          rateLimit,
          kind,
          cache,
          limit,
          "elasticache --cache " + cache + (serverless ? " --serverless" : ""));
    }
  }

  /** {@code emulate memorydb}. */
  @Command(
      name = "memorydb",
      footerHeading = "%nExample:%n",
      footer = {
        "  IAMAUTH4J_BACKEND_PASSWORD=admin-pw iamauth4j emulate memorydb \\",
        "    --backend 127.0.0.1:6379 --backend-user admin --cluster carts"
      },
      versionProvider = VersionProvider.class,
      description = "Emulate a MemoryDB cluster in front of Redis or Valkey.")
  static final class MemoryDb implements Callable<Integer> {
    @Mixin HelpOptions helpOptions;

    @Spec CommandSpec spec;

    @Mixin Common common;

    @Option(
        names = "--cluster",
        required = true,
        description = "The cluster name tokens must name.")
    String cluster;

    @Option(
        names = "--connection-limit",
        converter = Conversions.DurationConverter.class,
        description = "Close a connection this long after it last authenticated. Default: 12h.")
    @Nullable Duration limit;

    @Mixin Users users;

    @Option(
        names = "--auth-rate-limit",
        paramLabel = "N",
        defaultValue = "0",
        description =
            "Refuse IAM authentications beyond N a second, counted as "
                + "IamAuthenticationThrottling. Default: no limit.")
    int rateLimit;

    @Override
    public Integer call() {
      return redisLike(
          spec,
          common,
          users,
          rateLimit,
          IamTarget.Kind.MEMORYDB,
          cluster,
          limit,
          "memorydb --cluster " + cluster);
    }
  }

  private static int redisLike(
      CommandSpec spec,
      Common common,
      Users users,
      int rateLimit,
      IamTarget.Kind kind,
      String name,
      @Nullable Duration limit,
      String tokenArgs) {
    ElastiCacheEmulator.Builder b =
        ElastiCacheEmulator.builder()
            .backend(common.backendHost(spec), common.backendPort(spec))
            .backendAdmin(common.backendUser, common.password())
            .kind(kind)
            .cacheName(name)
            .region(common.region)
            .trust(common.trusted())
            .port(common.port)
            .authenticationRateLimit(rateLimit);
    if (limit != null) {
      b.connectionLimit(limit);
    }
    users.iamUsers.forEach(b::iamUser);
    if (users.passwordUser != null) {
      b.passwordUser(users.passwordUser, users.password(spec));
    }
    if (limit != null && limit.compareTo(Duration.ofSeconds(12)) < 0) {
      throw Common.usage(
          spec,
          "--connection-limit: "
              + limit
              + " is too short (expected 12s or more, so that a client's renewal fits it)");
    }
    ElastiCacheEmulator emulator = b.start();
    String tryIt =
        "REDISCLI_AUTH=\"$("
            + jar()
            + " token "
            + tokenArgs
            + " --user app)\" redis-cli --tls --cacert "
            + emulator.tls().caPemFile()
            + " -h "
            + emulator.host()
            + " -p "
            + emulator.port()
            + " --user app ACL WHOAMI";
    return serve(
        spec,
        emulator,
        emulator.host() + ":" + emulator.port(),
        kind.label() + " \"" + name + "\" (iamauth4j token " + tokenArgs + " --user USER)",
        limit != null ? limit : Duration.ofHours(12),
        emulator.tls().caPemFile(),
        emulator.describe(),
        common.trusted(),
        common.region,
        tryIt,
        emulator::metrics);
  }

  /**
   * What {@code emulate rds-postgres} and {@code emulate rds-mysql} share: their options, starting
   * the emulator and printing how to use it; each names its emulator and how to try it.
   */
  abstract static class RdsCommand<E extends RdsEmulator> implements Callable<Integer> {
    @Mixin HelpOptions helpOptions;

    @Spec CommandSpec spec;

    @Mixin Common common;

    @Option(
        names = "--endpoint-host",
        defaultValue = "localhost",
        description = "The host name tokens must be signed for. Default: ${DEFAULT-VALUE}.")
    String endpointHost;

    @Mixin Users users;

    /** A new builder of this command's emulator. */
    abstract RdsEmulator.Builder<?, E> builder();

    /** The command line that logs in to the running emulator as {@code app} with a token. */
    abstract String tryIt(E emulator);

    @Override
    public Integer call() {
      RdsEmulator.Builder<?, E> b =
          builder()
              .backend(common.backendHost(spec), common.backendPort(spec))
              .backendAdmin(common.requireUser(spec), common.requirePassword(spec))
              .endpointHost(endpointHost)
              .region(common.region)
              .trust(common.trusted())
              .port(common.port);
      try {
        users.iamUsers.forEach(b::iamUser);
        if (users.passwordUser != null) {
          b.passwordUser(users.passwordUser, users.password(spec));
        }
      } catch (IllegalArgumentException e) {
        throw Common.usage(spec, e.getMessage());
      }
      E emulator = b.start();
      return serve(
          spec,
          emulator,
          endpointHost + ":" + emulator.port(),
          "host "
              + endpointHost
              + ", port "
              + emulator.port()
              + " (iamauth4j token rds --host "
              + endpointHost
              + " --port "
              + emulator.port()
              + " --user USER)",
          null,
          emulator.caPemFile(),
          emulator.toString(),
          common.trusted(),
          common.region,
          tryIt(emulator),
          emulator::metrics);
    }

    /** {@code jar() token rds …} for the running emulator and user {@code app}. */
    String tokenCommand(E emulator) {
      return jar()
          + " token rds --host "
          + endpointHost
          + " --port "
          + emulator.port()
          + " --user app";
    }
  }

  /** {@code emulate rds-postgres}. */
  @Command(
      name = "rds-postgres",
      footerHeading = "%nExample:%n",
      footer = {
        "  IAMAUTH4J_BACKEND_PASSWORD=pg-pw iamauth4j emulate rds-postgres \\",
        "    --backend 127.0.0.1:5432 --backend-user postgres"
      },
      versionProvider = VersionProvider.class,
      description = "Emulate an RDS or Aurora PostgreSQL endpoint in front of a PostgreSQL server.")
  static final class RdsPostgres extends RdsCommand<RdsPostgresEmulator> {
    @Override
    RdsEmulator.Builder<?, RdsPostgresEmulator> builder() {
      return RdsPostgresEmulator.builder();
    }

    @Override
    String tryIt(RdsPostgresEmulator emulator) {
      return "PGPASSWORD=\"$("
          + tokenCommand(emulator)
          + ")\" psql \""
          + emulator.connectionString("app", "postgres")
          + "\" -c 'select current_user'";
    }
  }

  /** {@code emulate rds-mysql}. */
  @Command(
      name = "rds-mysql",
      footerHeading = "%nExample:%n",
      footer = {
        "  IAMAUTH4J_BACKEND_PASSWORD=root-pw iamauth4j emulate rds-mysql \\",
        "    --backend 127.0.0.1:3306 --backend-user root"
      },
      versionProvider = VersionProvider.class,
      description = "Emulate an RDS or Aurora MySQL endpoint in front of a MariaDB server.")
  static final class RdsMySql extends RdsCommand<RdsMySqlEmulator> {
    @Override
    RdsEmulator.Builder<?, RdsMySqlEmulator> builder() {
      return RdsMySqlEmulator.builder();
    }

    @Override
    String tryIt(RdsMySqlEmulator emulator) {
      return "mariadb --ssl --ssl-ca="
          + emulator.caPemFile()
          + " --ssl-verify-server-cert -h "
          + endpointHost
          + " -P "
          + emulator.port()
          + " -u app -p\"$("
          + tokenCommand(emulator)
          + ")\" -e 'select current_user()'";
    }
  }

  /** {@code emulate dsql}. */
  @Command(
      name = "dsql",
      footerHeading = "%nExample:%n",
      footer = {
        "  IAMAUTH4J_BACKEND_PASSWORD=pg-pw iamauth4j emulate dsql \\",
        "    --backend 127.0.0.1:5432 --backend-user postgres --session-limit 5m"
      },
      versionProvider = VersionProvider.class,
      description =
          "Emulate an Aurora DSQL cluster endpoint in front of a PostgreSQL server: dsql "
              + "tokens (DbConnectAdmin for admin, DbConnect for other roles), TLS by "
              + "SSLRequest or direct, sessions closed after an hour, DSQL's connection quotas.")
  static final class Dsql implements Callable<Integer> {
    @Mixin HelpOptions helpOptions;

    @Spec CommandSpec spec;

    @Mixin Common common;

    @Option(
        names = "--endpoint-host",
        defaultValue = "localhost",
        description =
            "The cluster endpoint tokens must be signed for (no port). Default: ${DEFAULT-VALUE}.")
    String endpointHost;

    @Option(
        names = "--session-limit",
        converter = Conversions.DurationConverter.class,
        description = "Close a session this long after it opened, as DSQL does. Default: 1h.")
    @Nullable Duration sessionLimit;

    @Option(
        names = "--max-connections",
        defaultValue = "10000",
        description = "Connections open at once (DSQL's quota). Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(
        names = "--connection-rate",
        defaultValue = "100",
        description = "New connections per second (DSQL's quota). Default: ${DEFAULT-VALUE}.")
    int connectionRate;

    @Option(
        names = "--connection-burst",
        defaultValue = "1000",
        description = "The burst capacity of that rate. Default: ${DEFAULT-VALUE}.")
    int connectionBurst;

    @Override
    public Integer call() {
      DsqlEmulator.Builder b = DsqlEmulator.builder();
      try {
        b.backend(common.backendHost(spec), common.backendPort(spec))
            .backendAdmin(common.requireUser(spec), common.requirePassword(spec))
            .endpointHost(endpointHost)
            .region(common.region)
            .trust(common.trusted())
            .port(common.port)
            .maxConnections(maxConnections)
            .connectionRate(connectionRate, connectionBurst);
        if (sessionLimit != null) {
          b.sessionLimit(sessionLimit);
        }
      } catch (IllegalArgumentException e) {
        throw Common.usage(spec, e.getMessage());
      }
      DsqlEmulator emulator = b.start();
      String tokenArgs = "dsql --host " + endpointHost;
      String tryIt =
          "PGPASSWORD=\"$("
              + jar()
              + " token "
              + tokenArgs
              + " --admin)\" psql \""
              + emulator.connectionString("admin")
              + "\" -c 'select current_user'";
      return serve(
          spec,
          emulator,
          endpointHost + ":" + emulator.port(),
          "Aurora DSQL cluster "
              + endpointHost
              + ", no port (iamauth4j token "
              + tokenArgs
              + " --role ROLE, or --admin)",
          null,
          emulator.caPemFile(),
          emulator.toString(),
          common.trusted(),
          common.region,
          tryIt,
          emulator::metrics);
    }
  }
}
