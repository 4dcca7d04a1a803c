package io.github.iamauth4j.testkit.compat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plain TCP listener that records the first bytes each client sends and then hangs up: shows
 * whether a client speaks TLS (a handshake record starts with {@code 0x16}) or plaintext RESP
 * ({@code *}). It never answers, so no client gets past its first message.
 */
final class PlaintextListener implements AutoCloseable {
  /** The first byte of a TLS handshake record. */
  static final int TLS_HANDSHAKE = 0x16;

  private final ServerSocket server;
  private final Thread acceptor;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicReference<byte[]> firstBytes = new AtomicReference<>(new byte[0]);

  PlaintextListener() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "compat-plaintext-listener");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String host() {
    return "127.0.0.1";
  }

  int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** The first bytes (up to 8) the most recent client sent; empty if none sent any. */
  byte[] firstBytes() {
    return firstBytes.get().clone();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        connections.incrementAndGet();
        s.setSoTimeout(5_000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8];
        int n = 0;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException e) {
          // The client sent nothing.
        }
        if (n > 0) {
          firstBytes.set(Arrays.copyOf(buf, n));
        }
      } catch (IOException e) {
        // Closed, or the client went away: either way nothing more to record.
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
