package io.github.iamauth4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.testkit.server.PostgresServer;
import io.github.iamauth4j.testkit.server.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code iamauth4j emulate}, run as a user runs it: the packaged jar in its own process in front of
 * a real server, then independent clients ({@code redis-cli}, {@code psql}) with tokens from {@code
 * iamauth4j token}.
 */
class EmulateIT {
  private static final Path JAR =
      Path.of(System.getProperty("iamauth4j.jar", "target/iamauth4j.jar"));
  private static final Map<String, String> EXAMPLE_ENV =
      Map.of(
          "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE",
          "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          "AWS_REGION", "us-east-1",
          "AWS_EC2_METADATA_DISABLED", "true");
  private static final Pattern ENDPOINT = Pattern.compile("Endpoint: +(\\S+):(\\d+) \\(TLS\\)");
  private static final Pattern CA = Pattern.compile("CA file: +(\\S+)");
  private static final Pattern SIGN_FOR =
      Pattern.compile("Sign tokens for: .*\\(iamauth4j token ([^)]*) --user USER\\).*");

  record Running(
      Process process,
      String host,
      int port,
      Path ca,
      List<String> signFor,
      List<String> output,
      BufferedReader rest) {}

  private static Running emulate(String password, String... args) throws IOException {
    return emulate(Map.of(), password, args);
  }

  private static Running emulate(Map<String, String> env, String password, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "emulate"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put(EmulateCommand.BACKEND_PASSWORD_ENV, password);
    pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    String host = null;
    Integer port = null;
    Path ca = null;
    List<String> signFor = null;
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      lines.add(line);
      Matcher e = ENDPOINT.matcher(line);
      Matcher c = CA.matcher(line);
      Matcher s = SIGN_FOR.matcher(line);
      if (e.matches()) {
        host = e.group(1);
        port = Integer.valueOf(e.group(2));
      } else if (c.matches()) {
        ca = Path.of(c.group(1));
      } else if (s.matches()) {
        signFor = List.of(s.group(1).split(" "));
      } else if (line.startsWith("Serving")) {
        break;
      }
    }
    assertThat(port).as("emulator output: %s", lines).isNotNull();
    assertThat(ca).as("emulator output: %s", lines).isNotNull();
    assertThat(signFor).as("emulator output: %s", lines).isNotNull();
    return new Running(p, host, port, ca, signFor, lines, out);
  }

  private static String run(Map<String, String> env, String... cmd)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.strip();
  }

  private static String token(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "token"));
    cmd.addAll(List.of(args));
    return run(EXAMPLE_ENV, cmd.toArray(new String[0]));
  }

  private static void stop(Running r) throws InterruptedException {
    r.process().destroy();
    assertThat(r.process().waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
  }

  @Test
  void elastiCacheEmulatorServesRedisCliWithTokensFromTheTokenCommand() throws Exception {
    try (RedisServer redis =
        RedisServer.builder()
            .config("user admin on >admin-pw ~* &* +@all")
            .auth("admin", "admin-pw")
            .start()) {
      Running r =
          emulate(
              "admin-pw",
              "elasticache",
              "--backend",
              redis.host() + ":" + redis.port(),
              "--backend-user",
              "admin",
              "--cache",
              "orders",
              "--connection-limit",
              "30s");
      try {
        assertThat(String.join("\n", r.output()))
            .contains("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE")
            .contains("redis-cli --tls")
            .contains("RenewalPolicy.scaledTo(Duration.parse(\"PT30S\"))")
            .contains("re-authenticate every 2.5s, retire at 15s");
        // The token command the emulator prints, as printed, for user app.
        List<String> printed = new ArrayList<>(r.signFor());
        printed.addAll(List.of("--user", "app"));
        assertThat(printed).containsExactly("elasticache", "--cache", "orders", "--user", "app");
        String token = token(printed.toArray(new String[0]));
        String[] cli = {
          "redis-cli",
          "--tls",
          "--cacert",
          r.ca().toString(),
          "-h",
          r.host(),
          "-p",
          String.valueOf(r.port()),
          "--no-auth-warning",
          "--user",
          "app",
          "--pass",
          token,
          "ACL",
          "WHOAMI"
        };
        assertThat(run(Map.of(), cli)).isEqualTo("app");

        String other = token("elasticache", "--cache", "payments", "--user", "app");
        cli[12] = other;
        assertThat(run(Map.of(), cli)).contains("WRONGPASS");
      } finally {
        stop(r);
      }
    }
  }

  @Test
  void rdsPostgresEmulatorServesPsqlWithVerifyFull() throws Exception {
    try (PostgresServer pg = PostgresServer.builder().start()) {
      Running r =
          emulate(
              pg.superuserPassword(),
              "rds-postgres",
              "--backend",
              pg.host() + ":" + pg.port(),
              "--backend-user",
              pg.superuser());
      try {
        // Exactly what the emulator printed: the endpoint and the host to sign tokens for.
        assertThat(r.host()).isEqualTo("localhost");
        List<String> printed = new ArrayList<>(r.signFor());
        printed.addAll(List.of("--user", "app"));
        String token = token(printed.toArray(new String[0]));
        String conn =
            "host="
                + r.host()
                + " port="
                + r.port()
                + " user=app dbname="
                + pg.database()
                + " sslmode=verify-full sslrootcert="
                + r.ca();
        assertThat(run(Map.of("PGPASSWORD", token), "psql", conn, "-tAc", "select current_user"))
            .isEqualTo("app");
      } finally {
        stop(r);
      }
    }
  }

  private static final Pattern DSQL_SIGN_FOR =
      Pattern.compile(
          "Sign tokens for: +Aurora DSQL cluster (\\S+), no port \\(iamauth4j token ([^)]*)"
              + " --role ROLE, or --admin\\), region us-east-1");

  @Test
  void dsqlEmulatorServesPsqlAsAdminAndAsARoleWithTokensFromTheTokenCommand() throws Exception {
    try (PostgresServer pg = PostgresServer.builder().start()) {
      List<String> lines = new ArrayList<>();
      Running r =
          emulateDsql(
              pg.superuserPassword(),
              lines,
              "dsql",
              "--backend",
              pg.host() + ":" + pg.port(),
              "--backend-user",
              pg.superuser(),
              "--session-limit",
              "5m");
      try {
        assertThat(String.join("\n", r.output()))
            .contains("Aurora DSQL emulator on localhost:" + r.port())
            .contains("sessions end after PT5M")
            .contains("token dsql --host localhost --admin)\" psql");
        assertThat(r.signFor()).containsExactly("dsql", "--host", "localhost");
        for (List<String> who : List.of(List.of("--admin"), List.of("--role", "app"))) {
          List<String> printed = new ArrayList<>(r.signFor());
          printed.addAll(who);
          String role = who.size() == 1 ? "admin" : "app";
          String conn =
              "host="
                  + r.host()
                  + " port="
                  + r.port()
                  + " user="
                  + role
                  + " dbname="
                  + pg.database()
                  + " sslmode=verify-full sslrootcert="
                  + r.ca();
          assertThat(
                  run(
                      Map.of("PGPASSWORD", token(printed.toArray(new String[0]))),
                      "psql",
                      conn,
                      "-tAc",
                      "select current_user"))
              .isEqualTo(role);
        }
      } finally {
        stop(r);
      }
    }
  }

  /** Like {@link #emulate}, reading DSQL's "Sign tokens for" line (a role, not a user). */
  private static Running emulateDsql(String password, List<String> lines, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "emulate"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put(EmulateCommand.BACKEND_PASSWORD_ENV, password);
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String host = null;
    Integer port = null;
    Path ca = null;
    List<String> signFor = null;
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      lines.add(line);
      Matcher e = ENDPOINT.matcher(line);
      Matcher c = CA.matcher(line);
      Matcher s = DSQL_SIGN_FOR.matcher(line);
      if (e.matches()) {
        host = e.group(1);
        port = Integer.valueOf(e.group(2));
      } else if (c.matches()) {
        ca = Path.of(c.group(1));
      } else if (s.matches()) {
        assertThat(s.group(1)).isEqualTo(host);
        signFor = List.of(s.group(2).split(" "));
      } else if (line.startsWith("Serving")) {
        break;
      }
    }
    assertThat(port).as("emulator output: %s", lines).isNotNull();
    assertThat(ca).as("emulator output: %s", lines).isNotNull();
    assertThat(signFor).as("emulator output: %s", lines).isNotNull();
    return new Running(p, host, port, ca, signFor, lines, out);
  }

  /** The next line the running emulator prints that starts with {@code prefix}. */
  private static String nextLineStartingWith(Running r, String prefix) throws IOException {
    for (String line = r.rest().readLine(); line != null; line = r.rest().readLine()) {
      r.output().add(line);
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new AssertionError("no line starting with " + prefix + " in " + r.output());
  }

  @Test
  void aMigrationsUserGroupIsServedAndTheCountersArePrintedOnSignalAndOnExit() throws Exception {
    String legacyPassword = "legacy-pw-0e3c";
    try (RedisServer redis =
        RedisServer.builder()
            .config("user admin on >admin-pw ~* &* +@all")
            .auth("admin", "admin-pw")
            .start()) {
      Running r =
          emulate(
              Map.of(EmulateCommand.USER_PASSWORD_ENV, legacyPassword),
              "admin-pw",
              "elasticache",
              "--backend",
              redis.host() + ":" + redis.port(),
              "--backend-user",
              "admin",
              "--cache",
              "orders",
              "--iam-user",
              "app",
              "--password-user",
              "legacy",
              "--auth-rate-limit",
              "100");
      try {
        assertThat(String.join("\n", r.output()))
            .contains("IAM users [app], password users [legacy], default user off")
            .contains("100 IAM authentications per second")
            .contains("Counters:         printed on exit and on kill -USR2 " + r.process().pid())
            .doesNotContain(legacyPassword);
        List<String> redisCli =
            new ArrayList<>(
                List.of(
                    "redis-cli",
                    "--tls",
                    "--cacert",
                    r.ca().toString(),
                    "-h",
                    r.host(),
                    "-p",
                    String.valueOf(r.port()),
                    "--no-auth-warning"));
        String token = token("elasticache", "--cache", "orders", "--user", "app");
        assertThat(login(redisCli, "app", token)).isEqualTo("app");
        assertThat(login(redisCli, "legacy", legacyPassword)).isEqualTo("legacy");
        assertThat(
                login(redisCli, "bob", token("elasticache", "--cache", "orders", "--user", "bob")))
            .contains("WRONGPASS");

        run(Map.of(), "kill", "-USR2", String.valueOf(r.process().pid()));

        assertThat(nextLineStartingWith(r, "Counters: "))
            .isEqualTo(
                "Counters: AuthenticationFailures=1 IamAuthenticationExpirations=0"
                    + " IamAuthenticationThrottling=0 IamAuthentications=1"
                    + " PasswordAuthentications=1");
        // SIGTERM without Process.destroy(), which would close the output before it is read.
        run(Map.of(), "kill", "-TERM", String.valueOf(r.process().pid()));
        assertThat(nextLineStartingWith(r, "Counters: "))
            .startsWith("Counters: AuthenticationFailures=1 ");
      } finally {
        stop(r);
      }
      assertThat(String.join("\n", r.output())).doesNotContain(legacyPassword);
    }
  }

  private static String login(List<String> redisCli, String user, String password)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(redisCli);
    cmd.addAll(List.of("--user", user, "ACL", "WHOAMI"));
    return run(Map.of("REDISCLI_AUTH", password), cmd.toArray(new String[0]));
  }

  @Test
  void missingBackendUserIsAUsageError() throws Exception {
    Process p =
        new ProcessBuilder(
                "java", "-jar", JAR.toString(), "emulate", "rds-mysql", "--backend", "127.0.0.1:1")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out.strip().lines()).hasSize(1);
    assertThat(out).contains("--backend-user: required");
  }
}
