package io.github.iamauth4j.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the command in-process with captured stdout and stderr, and manages the {@code aws.*} system
 * properties through which tests give the AWS SDK's real default chains their credentials and
 * region (surefire runs the tests with no AWS_* variables, empty profile files and instance
 * metadata disabled; see the module's pom).
 */
final class Cli {
  static final String AKID = "AKIAIOSFODNN7EXAMPLE";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  /** Every system property a test may set; all are cleared after each test. */
  static final List<String> AWS_PROPERTIES =
      List.of(
          "aws.accessKeyId",
          "aws.secretAccessKey",
          "aws.secretKey",
          "aws.sessionToken",
          "aws.region",
          "aws.profile",
          "aws.configFile",
          "aws.sharedCredentialsFile");

  private final Map<String, String> saved = new HashMap<>();

  record Result(int exitCode, String out, String err) {
    /** stdout without its line end, i.e. what $(...) gives a shell. */
    String token() {
      return out.strip();
    }
  }

  /** A context with the fixed clock {@link #NOW}, empty stdin and the SDK's real chains. */
  static CliContext context() {
    return CliContext.system()
        .withIn(new ByteArrayInputStream(new byte[0]))
        .withClock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static Result run(String... args) {
    return run(context(), args);
  }

  static Result run(CliContext context, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(context, new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  static Result runWithStdin(String stdin, String... args) {
    return run(
        context().withIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))), args);
  }

  /** Saves the AWS properties as they were, then clears them. */
  void isolate() {
    for (String p : AWS_PROPERTIES) {
      String v = System.getProperty(p);
      if (v != null) {
        saved.put(p, v);
      }
      System.clearProperty(p);
    }
  }

  /** Restores the AWS properties saved by {@link #isolate()}. */
  void restore() {
    for (String p : AWS_PROPERTIES) {
      System.clearProperty(p);
    }
    saved.forEach(System::setProperty);
    saved.clear();
  }

  /** The default chain finds these example credentials (system properties come first). */
  static void exampleCredentials() {
    System.setProperty("aws.accessKeyId", AKID);
    System.setProperty("aws.secretAccessKey", SECRET);
  }
}
