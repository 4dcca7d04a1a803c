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
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One server process started from local binaries, with its output appended to a log file. */
final class LocalProcess implements ServerHandle {
  private static final Logger LOG = LoggerFactory.getLogger(LocalProcess.class);
  private static final int TAIL_LINES = 40;
  private static final long POLL_MILLIS = 20;

  /** A readiness check; it returns {@code true} when the server answers, or throws. */
  @FunctionalInterface
  interface Probe {
    boolean ready() throws Exception;
  }

  /**
   * How a server stops: {@code signal} (SIGTERM when {@code null}) to the process {@code pid} names
   * (e.g. the real server behind a {@code setpriv} wrapper), then after {@code grace} SIGKILL to
   * the process and all its descendants.
   */
  record Shutdown(@Nullable String signal, ToLongFunction<LocalProcess> pid, Duration grace) {
    /** SIGTERM to the launched process. */
    static Shutdown terminate(Duration grace) {
      return new Shutdown(null, LocalProcess::pid, grace);
    }
  }

  /** The server could not bind its port: another process took it after it was picked. */
  static final class PortInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ServerStartException failure;

    PortInUseException(ServerStartException failure) {
      super(failure.getMessage(), failure);
      this.failure = failure;
    }

    ServerStartException failure() {
      return failure;
    }
  }

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Collection<String> secrets;
  private final Shutdown shutdown;

  private LocalProcess(
      String name, Process process, Path logFile, Collection<String> secrets, Shutdown shutdown) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.secrets = secrets;
    this.shutdown = shutdown;
  }

  /**
   * Starts a server process.
   *
   * @param name how messages name the server, e.g. {@code redis-server on 127.0.0.1:4242}
   * @param secrets passwords to mask in messages quoting the log
   * @param shutdown how {@link #stop()} stops it
   */
  static LocalProcess start(
      String name,
      List<String> command,
      Path workDir,
      Path logFile,
      Collection<String> secrets,
      Shutdown shutdown) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    try {
      return new LocalProcess(name, builder.start(), logFile, secrets, shutdown);
    } catch (IOException e) {
      throw new ServerStartException("could not start " + name + ": " + e.getMessage(), logFile, e);
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  /**
   * Polls {@code probe} until it returns {@code true}.
   *
   * @throws PortInUseException if the server exited because its port was taken
   * @throws ServerStartException if the server exited or did not answer in time
   */
  void awaitReady(Duration timeout, Probe probe) {
    poll(
        timeout,
        probe,
        this::failIfExited,
        (within, last) -> {
          destroyForcibly();
          return failure(name + " did not answer " + within, last);
        });
  }

  /** What a poll that timed out throws. */
  @FunctionalInterface
  interface Late {
    /**
     * Makes the failure.
     *
     * @param within e.g. {@code within 30000 ms (last attempt: java.net.ConnectException: ...)}
     * @param last what the probe threw the last time, if it threw
     */
    RuntimeException failure(String within, @Nullable Exception last);
  }

  /**
   * Polls {@code probe} until it returns {@code true}, running {@code check} (which may throw)
   * before each try, and throws what {@code late} makes once {@code timeout} has passed.
   */
  static void poll(Duration timeout, Probe probe, Runnable check, Late late) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      check.run();
      try {
        if (probe.ready()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        String attempt = last == null ? "" : " (last attempt: " + last + ")";
        throw late.failure("within " + timeout.toMillis() + " ms" + attempt, last);
      }
      pause(POLL_MILLIS);
    }
  }

  private void failIfExited() {
    if (!process.isAlive()) {
      ServerStartException failure =
          failure(name + " exited with code " + process.exitValue() + " during startup", null);
      if (logTail().contains("Address already in use")) {
        throw new PortInUseException(failure);
      }
      throw failure;
    }
  }

  /** Builds a start failure whose message ends with the tail of the log. */
  ServerStartException failure(String what, @Nullable Throwable cause) {
    return ServerStartException.withLog(what, logFile, secrets, cause);
  }

  /**
   * Stops the process the way its {@link Shutdown} says.
   *
   * @return {@code true} if the process was running and exited with code 0 within the grace period;
   *     {@code false} if it had died before (its log is worth keeping) or had to be killed
   */
  @Override
  public boolean stop() {
    if (!process.isAlive()) {
      LOG.warn("{} had exited with code {} before it was stopped", name, process.exitValue());
      return false;
    }
    List<ProcessHandle> family = new ArrayList<>();
    process.descendants().forEach(family::add);
    if (shutdown.signal() == null) {
      process.destroy();
    } else {
      try {
        new ProcessBuilder(
                "kill", "-" + shutdown.signal(), Long.toString(shutdown.pid().applyAsLong(this)))
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
    boolean exited = waitFor(shutdown.grace());
    if (!exited) {
      LOG.warn("{} did not stop within {} ms; killing it", name, shutdown.grace().toMillis());
      destroyForcibly();
    }
    family.forEach(ProcessHandle::destroyForcibly);
    if (exited && process.exitValue() != 0) {
      LOG.warn("{} exited with code {} when stopped", name, process.exitValue());
      return false;
    }
    return exited;
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
