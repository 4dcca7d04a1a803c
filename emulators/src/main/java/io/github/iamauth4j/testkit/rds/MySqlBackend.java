package io.github.iamauth4j.testkit.rds;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A plaintext connection from the emulator to the real MySQL or MariaDB server: the greeting, the
 * login ({@code mysql_native_password}, or a cleartext password when the server switches to it),
 * and {@code COM_QUERY} for provisioning.
 */
final class MySqlBackend implements Closeable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final MySqlHandshake.Greeting greeting;

  private MySqlBackend(Socket socket, InputStream in, OutputStream out, MySqlHandshake.Greeting g) {
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.greeting = g;
  }

  /**
   * Connects and reads the server's greeting.
   *
   * @throws BackendError if the server answers with an error (too many connections, host blocked),
   *     carrying its packet
   */
  static MySqlBackend connect(String host, int port, Duration timeout) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), Settings.timeoutMillis(timeout));
      s.setTcpNoDelay(true);
      s.setSoTimeout(Settings.timeoutMillis(timeout));
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = new BufferedOutputStream(s.getOutputStream());
      MySqlWire.Packet p = MySqlWire.read(in);
      if (p.first() == 0xff) {
        throw new BackendError(p.payload);
      }
      return new MySqlBackend(s, in, out, MySqlHandshake.Greeting.parse(p.payload));
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  MySqlHandshake.Greeting greeting() {
    return greeting;
  }

  Socket socket() {
    return socket;
  }

  InputStream input() {
    return in;
  }

  OutputStream output() {
    return out;
  }

  /**
   * Logs in with {@code response} (its auth response is replaced by the answer to the greeting's
   * scramble) and follows the server's auth switches.
   *
   * @return the server's final OK or ERR packet
   */
  MySqlWire.Packet login(MySqlHandshake.Response response, String password) throws IOException {
    byte[] auth = MySqlWire.nativePassword(password, twenty(greeting.scramble));
    MySqlWire.write(
        out, 1, response.with(response.capabilities, auth, MySqlWire.NATIVE_PASSWORD).encode());
    while (true) {
      MySqlWire.Packet p = MySqlWire.read(in);
      switch (p.first()) {
        case 0x00:
        case 0xff:
          return p;
        case 0xfe:
          {
            MySqlWire.Reader r = new MySqlWire.Reader(p.payload, 1);
            String plugin = r.cstring();
            byte[] data = r.rest();
            byte[] answer;
            if (MySqlWire.NATIVE_PASSWORD.equals(plugin)) {
              answer = MySqlWire.nativePassword(password, twenty(data));
            } else if (MySqlWire.CLEAR_PASSWORD.equals(plugin)) {
              // Only to the local backend, over the emulator's own connection.
              ByteArrayOutputStream b = new ByteArrayOutputStream();
              MySqlWire.cstring(b, password);
              answer = b.toByteArray();
            } else {
              throw new ProtocolException(
                  "the server switches to authentication plugin "
                      + plugin
                      + "; the emulator supports "
                      + MySqlWire.NATIVE_PASSWORD
                      + " (create the users with IDENTIFIED BY, or use MariaDB)");
            }
            MySqlWire.write(out, p.sequence + 1, answer);
            break;
          }
        case 0x01:
          if (p.payload.length == 2 && p.payload[1] == 3) {
            break; // caching_sha2_password: fast authentication succeeded, OK follows
          }
          throw new ProtocolException(
              "the server asks for more authentication data (caching_sha2_password full"
                  + " authentication?); the emulator supports "
                  + MySqlWire.NATIVE_PASSWORD);
        default:
          throw new ProtocolException("unexpected packet during authentication: " + p.first());
      }
    }
  }

  /**
   * Runs a statement without a result set ({@code COM_QUERY}).
   *
   * @throws BackendError if the server reports an error
   */
  void execute(String sql) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x03);
    b.writeBytes(sql.getBytes(StandardCharsets.UTF_8));
    MySqlWire.write(out, 0, b.toByteArray());
    MySqlWire.Packet p = MySqlWire.read(in);
    if (p.first() == 0xff) {
      throw new BackendError(p.payload);
    }
    if (p.first() != 0x00) {
      throw new ProtocolException("the server answered a statement with a result set");
    }
  }

  /** Sends {@code COM_QUIT} and closes. */
  void quit() {
    try {
      MySqlWire.write(out, 0, new byte[] {0x01});
    } catch (IOException e) {
      // Closing anyway.
    }
    close();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing: nothing left to do.
    }
  }

  private static byte[] twenty(byte[] scramble) {
    return scramble.length > 20 ? Arrays.copyOf(scramble, 20) : scramble;
  }

  /** An ERR packet from the server: its payload, to pass on, and its message. */
  static final class BackendError extends IOException {
    private static final long serialVersionUID = 1L;
    private final byte[] payload;

    BackendError(byte[] payload) {
      super(MySqlWire.describeError(payload));
      this.payload = payload.clone();
    }

    byte[] payload() {
      return payload.clone();
    }
  }
}
