package io.github.iamauth4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.ParsedToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code iamauth4j.jar}, run as a user runs it: {@code java -jar} in a fresh process
 * whose only AWS setup is environment variables, as in {@code --pass "$(java -jar ... token ...)"}.
 */
class IamAuth4jJarIT {
  @TempDir static Path home;

  private static Path jar;

  @BeforeAll
  static void findJar() {
    jar = Path.of(System.getProperty("iamauth4j.jar", "target/iamauth4j.jar"));
    assertThat(jar).as("the shaded jar built by `package`").isRegularFile();
  }

  record Run(int exitCode, String out, String err) {}

  /**
   * Runs {@code java -jar iamauth4j.jar args} with only PATH, an empty HOME (no ~/.aws), instance
   * metadata disabled, and {@code env}.
   */
  private static Run run(Map<String, String> env, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return runCommand(env, stdin, command);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Run runCommand(Map<String, String> env, String stdin, List<String> command)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().put("HOME", home.toString());
    pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(home, "stdout", ".txt");
    Path err = Files.createTempFile(home, "stderr", ".txt");
    Path in = Files.writeString(Files.createTempFile(home, "stdin", ".txt"), stdin);
    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(in.toFile());
    Process p = pb.start();
    // A guard against a hung child, not a speed check.
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("java -jar iamauth4j.jar did not finish");
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static final Map<String, String> EXAMPLE_ENV =
      Map.of(
          "AWS_ACCESS_KEY_ID", Cli.AKID,
          "AWS_SECRET_ACCESS_KEY", Cli.SECRET,
          "AWS_REGION", "eu-west-1");

  @Test
  void tokenPrintsExactlyOneTokenLineSignedWithTheEnvironmentsCredentials() throws Exception {
    Run r = run(EXAMPLE_ENV, "", "token", "elasticache", "--cache", "orders", "--user", "app");

    assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).matches("[^\\s]+\n");
    ParsedToken t = ParsedToken.parse(r.out().strip());
    assertThat(t.signatureMatches(Cli.SECRET)).isTrue();
    assertThat(t.accessKeyId()).isEqualTo(Cli.AKID);
    assertThat(t.region()).isEqualTo("eu-west-1");
    assertThat(t.host()).isEqualTo("orders");
    assertThat(t.user()).contains("app");
  }

  /**
   * {@code token rds --user ünï} from a shell without a locale (many containers, cron): the shell
   * passes UTF-8 bytes, which the JVM cannot decode; the command must refuse, not sign a token for
   * another name. The bytes are made by printf so that this test's own locale plays no part.
   */
  @Test
  void aNonAsciiArgumentInAShellWithoutALocaleIsRefusedNotSignedForAnotherName() throws Exception {
    String script =
        "exec \"$0\" -jar \"$1\" token rds --host db1.abc.eu-west-1.rds.amazonaws.com"
            + " --port 5432 --user \"$(printf '\\303\\274n\\303\\257')\"";
    List<String> command = List.of("/bin/sh", "-c", script, java(), jar.toString());

    Run noLocale = runCommand(EXAMPLE_ENV, "", command);
    assertThat(noLocale.exitCode()).as("stdout: %s", noLocale.out()).isEqualTo(2);
    assertThat(noLocale.out()).isEmpty();
    assertThat(noLocale.err())
        .startsWith("iamauth4j: argument ")
        .contains("could not be decoded")
        .contains("LC_ALL=C.UTF-8")
        .hasLineCount(1);

    Map<String, String> utf8 = new java.util.HashMap<>(EXAMPLE_ENV);
    utf8.put("LC_ALL", "C.UTF-8");
    Run withLocale = runCommand(utf8, "", command);
    assertThat(withLocale.exitCode()).as("stderr: %s", withLocale.err()).isZero();
    assertThat(ParsedToken.parse(withLocale.out().strip()).user()).contains("\u00fcn\u00ef");
  }

  @Test
  void atReproducesAwsKnownAnswerFromTheJar() throws Exception {
    Run r =
        run(
            EXAMPLE_ENV,
            "",
            "token",
            "elasticache",
            "--cache",
            "my-cache",
            "--user",
            "testuser",
            "--serverless",
            "--region",
            "us-east-1",
            "--at",
            "2025-01-01T00:00:00Z");

    assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
    assertThat(r.out())
        .endsWith(
            "&X-Amz-Signature=28f349fd92f74e0192de149a74743ae7d087bb136523c342bdd67632a8360023\n");
  }

  @Test
  void inspectReadsTheTokenFromStdin() throws Exception {
    Run token =
        run(
            EXAMPLE_ENV,
            "",
            "token",
            "rds",
            "--host",
            "db1.abc123.us-west-2.rds.amazonaws.com",
            "--port",
            "5432",
            "--user",
            "app");

    Run inspect = run(Map.of(), token.out(), "inspect", "-");

    assertThat(inspect.exitCode()).as("stderr: %s", inspect.err()).isZero();
    assertThat(inspect.out())
        .contains("host           db1.abc123.us-west-2.rds.amazonaws.com:5432")
        .contains("region         us-west-2")
        .contains("expired        no, ")
        .doesNotContain(token.out().strip().substring(token.out().indexOf("X-Amz-Signature=")));
  }

  @Test
  void noCredentialsIsExitOneWithOneLineOnStderr() throws Exception {
    Run r =
        run(
            Map.of("AWS_REGION", "us-east-1"),
            "",
            "token",
            "memorydb",
            "--cluster",
            "carts",
            "--user",
            "app");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("no AWS credentials found").doesNotContain("\tat ");
  }

  @Test
  void usageErrorIsExitTwoAndHelpAndVersionWork() throws Exception {
    Run missing = run(EXAMPLE_ENV, "", "token", "rds", "--host", "db");
    Run help = run(Map.of(), "", "--help");
    Run version = run(Map.of(), "", "--version");

    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err().lines()).hasSize(1);
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).startsWith("Usage: iamauth4j");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).startsWith("iamauth4j 0.");
  }
}
