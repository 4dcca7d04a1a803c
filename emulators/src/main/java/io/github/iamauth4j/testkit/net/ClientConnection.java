package io.github.iamauth4j.testkit.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Instant;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One client connection to an emulator: its socket (plain, or TLS after {@link
 * #upgradeToTls(SSLContext)}), buffered streams, and identity for logs.
 */
public final class ClientConnection implements AutoCloseable {
  private final long id;
  private final Instant openedAt;
  private final String remote;
  private volatile Socket socket;
  private InputStream in;
  private OutputStream out;
  private volatile boolean closed;

  ClientConnection(long id, Socket socket, Instant openedAt) throws IOException {
    this.id = id;
    this.openedAt = openedAt;
    this.remote = socket.getRemoteSocketAddress().toString();
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream());
  }

  /** A number unique within the emulator, for logs. */
  public long id() {
    return id;
  }

  /** When the connection was accepted (emulator clock). */
  public Instant openedAt() {
    return openedAt;
  }

  /** The client's address, for logs. */
  public String remote() {
    return remote;
  }

  /** The current socket (a TLS socket after an upgrade). */
  public Socket socket() {
    return socket;
  }

  /** Buffered input of the current socket. */
  public InputStream in() {
    return in;
  }

  /** Buffered output of the current socket; flush after each reply. */
  public OutputStream out() {
    return out;
  }

  /** Whether the socket is TLS. */
  public boolean isTls() {
    return socket instanceof SSLSocket;
  }

  /**
   * Performs a server-side TLS handshake on this connection (TLS from the first byte, or after a
   * protocol's "upgrade" request as PostgreSQL and MySQL do) and switches the streams to it. Bytes
   * the client sent before must have been consumed exactly (no read-ahead beyond them).
   *
   * @param context the server TLS context
   * @return the TLS socket
   * @throws IOException if the handshake fails (e.g. the client spoke plaintext)
   */
  public SSLSocket upgradeToTls(SSLContext context) throws IOException {
    return upgradeToTls(context, tls -> {});
  }

  /**
   * Like {@link #upgradeToTls(SSLContext)}, letting the caller configure the TLS socket before the
   * handshake (e.g. the ALPN protocols it selects).
   *
   * @param context the server TLS context
   * @param beforeHandshake configures the server-mode socket before its handshake
   * @return the TLS socket
   * @throws IOException if the handshake fails (e.g. the client spoke plaintext)
   */
  public SSLSocket upgradeToTls(SSLContext context, Consumer<SSLSocket> beforeHandshake)
      throws IOException {
    Socket plain = socket;
    // A client may send its TLS ClientHello right behind the upgrade request (MySQL clients
    // do): whatever the buffered stream already read from the socket belongs to the TLS
    // handshake and is handed to it.
    byte[] pending = in.readNBytes(in.available());
    SSLSocket tls =
        (SSLSocket)
            context.getSocketFactory().createSocket(plain, new ByteArrayInputStream(pending), true);
    tls.setUseClientMode(false);
    beforeHandshake.accept(tls);
    tls.startHandshake();
    this.socket = tls;
    this.in = new BufferedInputStream(tls.getInputStream());
    this.out = new BufferedOutputStream(tls.getOutputStream());
    return tls;
  }

  /** Whether {@link #close()} was called (by the handler, a fault or the limit). */
  public boolean isClosed() {
    return closed;
  }

  /** Closes the connection; idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // Closing: nothing left to do with the socket.
    }
  }

  @Override
  public String toString() {
    return "connection#" + id + " from " + remote;
  }
}
