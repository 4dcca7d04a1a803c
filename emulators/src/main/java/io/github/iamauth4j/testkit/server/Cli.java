package io.github.iamauth4j.testkit.server;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Runs a client program (psql, mariadb, initdb, ...) to completion. */
final class Cli {
  /** The result of one run. */
  record Result(int exitCode, String stdout, String stderr) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  private Cli() {}

  /**
   * Runs {@code command} and waits for it.
   *
   * @param command the program and its arguments
   * @param env variables to set; variables whose name starts with one of {@code clearPrefixes} are
   *     removed from the inherited environment first
   * @param stdin text to write to the program's standard input, or {@code null} for none
   * @param timeout how long to wait before killing the program
   * @param output where to append stdout and stderr instead of capturing them, or {@code null}
   * @throws ServerCommandException if the program cannot be started or does not finish in time
   */
  static Result run(
      List<String> command,
      Map<String, String> env,
      List<String> clearPrefixes,
      @Nullable String stdin,
      Duration timeout,
      @Nullable Path output) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(k -> clearPrefixes.stream().anyMatch(k::startsWith));
    builder.environment().putAll(env);
    Path out = null;
    Path err = null;
    try {
      if (output != null) {
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
      } else {
        out = Files.createTempFile("iamauth4j-cli-", ".out");
        err = Files.createTempFile("iamauth4j-cli-", ".err");
        builder.redirectOutput(out.toFile());
        builder.redirectError(err.toFile());
      }
      if (stdin == null) {
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      }
      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new ServerCommandException(
            "could not run " + command.get(0) + ": " + e.getMessage(), -1);
      }
      if (stdin != null) {
        try (OutputStream in = process.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          // The program exited before reading everything; its exit code and output tell why.
        }
      }
      boolean exited;
      try {
        exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new ServerCommandException("interrupted while running " + command.get(0), -1);
      }
      if (!exited) {
        process.destroyForcibly();
        throw new ServerCommandException(
            command.get(0) + " did not finish within " + timeout.toMillis() + " ms", -1);
      }
      return new Result(
          process.exitValue(),
          out == null ? "" : new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
          err == null ? "" : new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command.get(0), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static void deleteQuietly(@Nullable Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A leftover temp file is harmless.
      }
    }
  }
}
