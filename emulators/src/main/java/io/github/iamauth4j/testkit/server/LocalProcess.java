package io.github.iamauth4j.testkit.server;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One server process started from local binaries, with its output appended to a log file. */
final class LocalProcess {
  private static final Logger LOG = LoggerFactory.getLogger(LocalProcess.class);
  private static final int TAIL_LINES = 40;
  private static final long POLL_MILLIS = 20;

  /** A readiness check; it returns {@code true} when the server answers, or throws. */
  @FunctionalInterface
  interface Probe {
    boolean ready() throws Exception;
  }

  /** The server could not bind its port: another process took it after it was picked. */
  static final class PortInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ServerStartException failure;
    private transient Runnable beforeRetry = () -> {};

    PortInUseException(ServerStartException failure) {
      super(failure.getMessage(), failure);
      this.failure = failure;
    }

    ServerStartException failure() {
      return failure;
    }

    /** Sets what to clean up if the start is retried (on the last attempt, all is kept). */
    PortInUseException beforeRetry(Runnable cleanup) {
      this.beforeRetry = cleanup;
      return this;
    }
  }

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Collection<String> secrets;

  private LocalProcess(String name, Process process, Path logFile, Collection<String> secrets) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.secrets = secrets;
  }

  /**
   * Starts a server process.
   *
   * @param name how messages name the server, e.g. {@code redis-server on 127.0.0.1:4242}
   * @param secrets passwords to mask in messages quoting the log
   */
  static LocalProcess start(
      String name,
      List<String> command,
      Path workDir,
      Path logFile,
      Map<String, String> env,
      Collection<String> secrets) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(env);
    try {
      return new LocalProcess(name, builder.start(), logFile, secrets);
    } catch (IOException e) {
      throw new ServerStartException("could not start " + name + ": " + e.getMessage(), logFile, e);
    }
  }

  /**
   * Runs {@code attempt} up to {@code attempts} times while it fails with {@link
   * PortInUseException}.
   */
  static <T> T retryOnPortInUse(int attempts, Supplier<T> attempt) {
    for (int i = 1; ; i++) {
      try {
        return attempt.get();
      } catch (PortInUseException e) {
        if (i >= attempts) {
          throw e.failure();
        }
        LOG.debug("Port taken before the server could bind it, retrying: {}", e.getMessage());
        e.beforeRetry.run();
      }
    }
  }

  String name() {
    return name;
  }

  Path logFile() {
    return logFile;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Polls {@code probe} until it returns {@code true}.
   *
   * @throws PortInUseException if the server exited because its port was taken
   * @throws ServerStartException if the server exited or did not answer in time
   */
  void awaitReady(Duration timeout, Probe probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      if (!process.isAlive()) {
        ServerStartException failure =
            failure(name + " exited with code " + process.exitValue() + " during startup", null);
        if (logTail().contains("Address already in use")) {
          throw new PortInUseException(failure);
        }
        throw failure;
      }
      try {
        if (probe.ready()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        destroyForcibly();
        throw failure(
            name
                + " did not answer within "
                + timeout.toMillis()
                + " ms"
                + (last == null ? "" : " (last attempt: " + last + ")"),
            last);
      }
      pause(POLL_MILLIS);
    }
  }

  /** Builds a start failure whose message ends with the tail of the log. */
  ServerStartException failure(String what, @Nullable Throwable cause) {
    return new ServerStartException(
        Redact.text(what, secrets)
            + "; log kept at "
            + logFile
            + ", last lines:\n"
            + Redact.text(logTail(), secrets),
        logFile,
        cause);
  }

  /**
   * Stops the process: {@code signal} (or SIGTERM when {@code null}) to {@code pid}, then after
   * {@code grace} SIGKILL to the process and all its descendants.
   *
   * @param pid the process to signal (e.g. the real server behind a {@code runuser} wrapper)
   * @return {@code true} if the process was running and exited with code 0 within the grace period;
   *     {@code false} if it had died before (its log is worth keeping) or had to be killed
   */
  boolean stop(@Nullable String signal, LongSupplier pid, Duration grace) {
    if (!process.isAlive()) {
      LOG.warn("{} had exited with code {} before it was stopped", name, process.exitValue());
      return false;
    }
    List<ProcessHandle> family = new ArrayList<>();
    process.descendants().forEach(family::add);
    if (signal == null) {
      process.destroy();
    } else {
      try {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid.getAsLong()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start()
            .waitFor(5, TimeUnit.SECONDS);
      } catch (IOException e) {
        process.destroy();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    boolean exited = waitFor(grace);
    if (!exited) {
      LOG.warn("{} did not stop within {} ms; killing it", name, grace.toMillis());
      destroyForcibly();
    }
    family.forEach(ProcessHandle::destroyForcibly);
    if (exited && process.exitValue() != 0) {
      LOG.warn("{} exited with code {} when stopped", name, process.exitValue());
      return false;
    }
    return exited;
  }

  int exitValue() {
    return process.exitValue();
  }

  private boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void destroyForcibly() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(5));
  }

  /** Returns the last lines of the log, unredacted. */
  String logTail() {
    return tail(logFile, TAIL_LINES);
  }

  static String tail(Path file, int lines) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      long start = Math.max(0, length - 16_384);
      byte[] bytes = new byte[(int) (length - start)];
      raf.seek(start);
      raf.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      String[] all = text.split("\n", -1);
      int from = Math.max(0, all.length - lines - 1);
      return String.join("\n", List.of(all).subList(from, all.length)).strip();
    } catch (IOException e) {
      return "(log not readable: " + e.getMessage() + ")";
    }
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while waiting for a server", null, e);
    }
  }
}
