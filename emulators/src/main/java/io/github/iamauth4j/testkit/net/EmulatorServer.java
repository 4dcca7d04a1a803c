package io.github.iamauth4j.testkit.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part every emulator shares: a listener on 127.0.0.1, one thread per client connection, the
 * registry of open connections, fault injection (drop every connection now, refuse new ones for a
 * while) and {@link EmulatorStats}. Subclasses implement {@link #serve(ClientConnection)}: the
 * protocol, TLS and the relay to the real server.
 *
 * <p>Blocking I/O with a thread per connection keeps the emulators simple and their ordering
 * obvious; they serve tests, not production load.
 */
public abstract class EmulatorServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmulatorServer.class);

  private final String name;
  private final int requestedPort;
  private final Clock clock;
  private final EmulatorStats stats = new EmulatorStats();
  private final Set<ClientConnection> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong ids = new AtomicLong();
  private volatile @Nullable ServerSocket listener;
  private volatile Instant refuseUntil = Instant.MIN;
  private volatile boolean closed;
  private final CountDownLatch closedLatch = new CountDownLatch(1);

  /**
   * @param name a short name for threads and logs, e.g. {@code elasticache}
   * @param port the port to listen on, or 0 for a free one
   * @param clock the emulator's clock (fault windows, connection ages)
   */
  protected EmulatorServer(String name, int port, Clock clock) {
    this.name = name;
    this.requestedPort = port;
    this.clock = clock;
  }

  /**
   * Starts listening and accepting connections.
   *
   * @throws UncheckedIOException if the port cannot be bound
   */
  protected void startListening() {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 128);
      listener = s;
      Thread t = new Thread(this::acceptLoop, "iamauth4j-" + name + "-accept-" + s.getLocalPort());
      t.setDaemon(true);
      t.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not listen on 127.0.0.1:" + requestedPort + " for the " + name + " emulator", e);
    }
  }

  private void acceptLoop() {
    ServerSocket s = listener;
    while (!closed && s != null) {
      Socket socket;
      try {
        socket = s.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("{} emulator stopped accepting: {}", name, e.toString());
        }
        return;
      }
      if (clock.instant().isBefore(refuseUntil)) {
        stats.recordRefused();
        closeQuietly(socket);
        continue;
      }
      try {
        socket.setTcpNoDelay(true);
        ClientConnection c = new ClientConnection(ids.incrementAndGet(), socket, clock.instant());
        open.add(c);
        stats.recordOpened();
        Thread t = new Thread(() -> run(c), "iamauth4j-" + name + "-conn-" + c.id());
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        closeQuietly(socket);
      }
    }
  }

  private void run(ClientConnection c) {
    try {
      serve(c);
    } catch (SocketException e) {
      // The client or a fault closed the connection: the normal end of most connections.
    } catch (IOException | RuntimeException e) {
      if (!c.isClosed()) {
        log.debug("{} emulator: {} ended with {}", name, c, e.toString());
      }
    } finally {
      c.close();
      if (open.remove(c)) {
        stats.recordClosed();
      }
    }
  }

  /**
   * Serves one client connection on its own thread; the connection is closed when this returns or
   * throws.
   *
   * @param connection the client connection
   * @throws IOException on I/O failure (ends the connection)
   */
  protected abstract void serve(ClientConnection connection) throws IOException;

  /** The emulator's clock. */
  public Clock clock() {
    return clock;
  }

  /** The host clients connect to: {@code 127.0.0.1}. */
  public String host() {
    return InetAddress.getLoopbackAddress().getHostAddress();
  }

  /**
   * The port clients connect to.
   *
   * @throws IllegalStateException before start
   */
  public int port() {
    ServerSocket s = listener;
    if (s == null) {
      throw new IllegalStateException("the " + name + " emulator is not started");
    }
    return s.getLocalPort();
  }

  /** What the emulator has seen so far. */
  public EmulatorStats stats() {
    return stats;
  }

  /** The connections open now. */
  public Set<ClientConnection> connections() {
    return Set.copyOf(open);
  }

  /** Fault injection: closes every open client connection now (the relays to the server too). */
  public void dropAllConnections() {
    for (ClientConnection c : open) {
      c.close();
    }
  }

  /**
   * Fault injection: closes new connections as soon as they are accepted, for {@code duration} of
   * the emulator's clock.
   *
   * @param duration how long to refuse
   */
  public void refuseNewConnections(Duration duration) {
    refuseUntil = clock.instant().plus(duration);
  }

  /** Stops refusing new connections. */
  public void acceptNewConnections() {
    refuseUntil = Instant.MIN;
  }

  /**
   * Blocks until {@link #close()} is called, e.g. from a shutdown hook: the emulator's threads are
   * daemon threads, so a {@code main()} that only starts an emulator must wait here.
   *
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public void awaitClose() throws InterruptedException {
    closedLatch.await();
  }

  /** Stops listening and closes every connection. Idempotent. */
  @Override
  public void close() {
    closed = true;
    ServerSocket s = listener;
    if (s != null) {
      closeQuietly(s);
    }
    dropAllConnections();
    closedLatch.countDown();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // Closing: nothing left to do.
    }
  }
}
