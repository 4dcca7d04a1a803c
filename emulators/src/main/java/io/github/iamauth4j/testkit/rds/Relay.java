package io.github.iamauth4j.testkit.rds;

import io.github.iamauth4j.testkit.net.ClientConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Copies bytes both ways between an authenticated client and its backend connection, unchanged and
 * in order, until either side closes; then closes both.
 */
final class Relay {
  private static final int BUFFER = 16 * 1024;

  private Relay() {}

  /**
   * Relays until one side ends. The calling thread copies client to backend; a second thread copies
   * backend to client.
   *
   * @param client the client connection (its current, possibly TLS, streams are used)
   * @param backend the backend socket
   * @param backendIn the backend's input, including whatever it buffered during the handshake
   * @param backendOut the backend's output
   * @param threadName the name of the backend-to-client thread
   */
  static void run(
      ClientConnection client,
      Socket backend,
      InputStream backendIn,
      OutputStream backendOut,
      String threadName) {
    InputStream clientIn = client.in();
    OutputStream clientOut = client.out();
    Thread down =
        new Thread(
            () -> {
              copy(backendIn, clientOut);
              closeBoth(client, backend);
            },
            threadName);
    down.setDaemon(true);
    down.start();
    try {
      copy(clientIn, backendOut);
    } finally {
      closeBoth(client, backend);
      try {
        down.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void copy(InputStream in, OutputStream out) {
    byte[] buffer = new byte[BUFFER];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // One side closed or failed: the relay ends and both sides are closed.
    }
  }

  private static void closeBoth(ClientConnection client, Socket backend) {
    try {
      backend.close();
    } catch (IOException e) {
      // Closing: nothing left to do.
    }
    client.close();
  }
}
