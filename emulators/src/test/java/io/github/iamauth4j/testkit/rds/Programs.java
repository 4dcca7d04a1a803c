package io.github.iamauth4j.testkit.rds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the independent command-line clients ({@code psql}, {@code mariadb}) in the tests. */
final class Programs {
  private Programs() {}

  /** What a client printed and how it exited. */
  static final class Result {
    final int exitCode;
    final String stdout;
    final String stderr;

    Result(int exitCode, String stdout, String stderr) {
      this.exitCode = exitCode;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + ", stdout: " + stdout + ", stderr: " + stderr;
    }
  }

  /** The first of {@code names} found in the usual Debian directories. */
  static String find(String... names) {
    for (String name : names) {
      for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    throw new IllegalStateException(
        "none of "
            + List.of(names)
            + " is installed (apt-get install postgresql-client mariadb-client)");
  }

  static Result run(List<String> command, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("MYSQL"));
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      Path out = Files.createTempFile("iamauth4j-client-", ".out");
      Path err = Files.createTempFile("iamauth4j-client-", ".err");
      try {
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(command.get(0) + " did not finish within 60 s");
        }
        return new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8).strip(),
            Files.readString(err, StandardCharsets.UTF_8).strip());
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
