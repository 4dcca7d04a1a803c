package io.github.iamauth4j.testkit.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Debian's {@code redis-cli} as an independent client, run as a subprocess. The token travels in
 * {@code REDISCLI_AUTH}, never on the command line.
 */
final class RedisCli {
  private static final long TIMEOUT_SECONDS = 20;

  private RedisCli() {}

  static String binary() {
    for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
      Path p = Path.of(dir, "redis-cli");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(":")) {
        Path p = Path.of(dir, "redis-cli");
        if (Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    throw new IllegalStateException(
        "redis-cli is not installed (apt-get install redis-tools); these tests need it");
  }

  /** The arguments that reach an emulator over TLS, trusting its CA. */
  static List<String> tlsArgs(ElastiCacheEmulator emulator) {
    return new ArrayList<>(
        List.of(
            binary(),
            "--tls",
            "--cacert",
            emulator.tls().caPemFile().toString(),
            "-h",
            emulator.host(),
            "-p",
            String.valueOf(emulator.port())));
  }

  /** The outcome of one run. */
  record Result(int exitCode, String out, String err) {
    List<String> lines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n", -1));
    }
  }

  /**
   * Runs {@code redis-cli} with {@code args}, feeds it {@code stdin} and waits for it to end.
   *
   * @param token the password for {@code REDISCLI_AUTH}, or null
   */
  static Result run(List<String> args, @Nullable String token, String stdin) {
    ProcessBuilder pb = new ProcessBuilder(args);
    if (token != null) {
      pb.environment().put("REDISCLI_AUTH", token);
    }
    try {
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("redis-cli did not end within " + TIMEOUT_SECONDS + " s");
      }
      return new Result(
          p.exitValue(),
          new String(out, StandardCharsets.UTF_8),
          new String(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A long-lived interactive {@code redis-cli} reading commands from its standard input, one line
   * at a time; it prints each reply (raw format) as it arrives.
   */
  static final class Session implements AutoCloseable {
    private final Process process;
    private final OutputStream in;
    private final BlockingQueue<String> outLines = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> errLines = new LinkedBlockingQueue<>();

    Session(List<String> args, Map<String, String> env) {
      ProcessBuilder pb = new ProcessBuilder(args);
      pb.environment().putAll(env);
      try {
        process = pb.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      in = process.getOutputStream();
      drain(new BufferedReader(new InputStreamReader(process.getInputStream(), UTF8)), outLines);
      drain(new BufferedReader(new InputStreamReader(process.getErrorStream(), UTF8)), errLines);
    }

    private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

    private static void drain(BufferedReader r, BlockingQueue<String> q) {
      Thread t =
          new Thread(
              () -> {
                try {
                  String line;
                  while ((line = r.readLine()) != null) {
                    q.add(line);
                  }
                } catch (IOException e) {
                  // The process ended.
                }
              },
              "redis-cli-reader");
      t.setDaemon(true);
      t.start();
    }

    /** Sends one command line and returns the first line of its reply. */
    String send(String line) {
      try {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        String reply = outLines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (reply == null) {
          throw new IllegalStateException(
              "no reply from redis-cli to a command within "
                  + TIMEOUT_SECONDS
                  + " s; stderr: "
                  + errLines);
        }
        return reply;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Sends one command line that is expected to fail on a closed connection; returns stderr. */
    String sendExpectingError(String line) {
      try {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        String err = errLines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return err == null ? "" : err;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException e) {
        // Ending anyway.
      }
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
