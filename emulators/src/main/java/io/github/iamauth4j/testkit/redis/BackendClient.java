package io.github.iamauth4j.testkit.redis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A minimal blocking RESP2 client for the emulator's administrative commands on the backend ({@code
 * ACL SETUSER}, {@code CONFIG SET}, {@code CLUSTER NODES}). Not thread-safe.
 */
final class BackendClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String address;

  private BackendClient(Socket socket, String address) throws IOException {
    this.socket = socket;
    this.address = address;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream());
  }

  /**
   * Connects (plaintext) and authenticates if {@code password} is given.
   *
   * @throws IOException if the connection fails
   * @throws ErrorReply if the backend rejects the credentials
   */
  static BackendClient connect(
      String host, int port, @Nullable String user, @Nullable String password, Duration timeout)
      throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      s.setTcpNoDelay(true);
      BackendClient c = new BackendClient(s, host + ":" + port);
      if (password != null) {
        if (user == null) {
          c.call("AUTH", password);
        } else {
          c.call("AUTH", user, password);
        }
      }
      return c;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** The backend's address, {@code host:port}. */
  String address() {
    return address;
  }

  /**
   * Sends one command and reads its reply.
   *
   * @return a String, Long, List or null
   * @throws ErrorReply if the backend answers with an error
   * @throws IOException if the connection fails
   */
  @Nullable Object call(String... args) throws IOException {
    out.write(encode(args));
    out.flush();
    return read();
  }

  /** A RESP array of bulk strings. */
  static byte[] encode(String... args) {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return encode(bytes);
  }

  /** A RESP array of bulk strings. */
  static byte[] encode(byte[]... args) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    writeAscii(b, "*" + args.length + "\r\n");
    for (byte[] a : args) {
      writeAscii(b, "$" + a.length + "\r\n");
      b.write(a, 0, a.length);
      writeAscii(b, "\r\n");
    }
    return b.toByteArray();
  }

  private static void writeAscii(ByteArrayOutputStream b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    b.write(bytes, 0, bytes.length);
  }

  private @Nullable Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("the backend " + address + " closed the connection");
    }
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new ErrorReply(line);
      case ':':
        return Long.parseLong(line);
      case '$':
        {
          int len = Integer.parseInt(line);
          if (len < 0) {
            return null;
          }
          byte[] data = in.readNBytes(len + 2);
          if (data.length != len + 2) {
            throw new EOFException("the backend " + address + " closed the connection");
          }
          return new String(data, 0, len, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          List<@Nullable Object> items = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            try {
              items.add(read());
            } catch (ErrorReply e) {
              items.add(e);
            }
          }
          return items;
        }
      default:
        throw new IOException(
            "unexpected reply type '" + (char) type + "' from the backend " + address);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new EOFException("the backend " + address + " closed the connection");
      }
      b.write(c);
    }
    byte[] bytes = b.toByteArray();
    int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    return new String(bytes, 0, len, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing: nothing left to do.
    }
  }

  /** An error reply from the backend, e.g. {@code ERR unknown command}. */
  static final class ErrorReply extends IOException {
    private static final long serialVersionUID = 1L;

    ErrorReply(String message) {
      super(message);
    }
  }
}
