package io.github.iamauth4j.testkit.rds;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A plaintext connection from the emulator to the real PostgreSQL server: startup and password
 * authentication (SCRAM-SHA-256, MD5 or cleartext, whichever the server asks for), and simple
 * queries for provisioning.
 */
final class PgBackend implements Closeable {
  private static final int MAX_BODY = 1 << 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final InputStream in;
  private final DataInputStream data;
  private final OutputStream out;

  private PgBackend(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.data = new DataInputStream(in);
    this.out = new BufferedOutputStream(socket.getOutputStream());
  }

  /** Connects to the server, without sending anything yet. */
  static PgBackend connect(String host, int port, Duration timeout) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), Settings.timeoutMillis(timeout));
      s.setTcpNoDelay(true);
      s.setSoTimeout(Settings.timeoutMillis(timeout));
      return new PgBackend(s);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /** Sends a CancelRequest (its body, code included) on a new connection and closes it. */
  static void cancel(String host, int port, Duration timeout, byte[] body) throws IOException {
    try (PgBackend b = connect(host, port, timeout)) {
      b.out.write(ByteBuffer.allocate(4 + body.length).putInt(4 + body.length).put(body).array());
      b.out.flush();
    }
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
   * The outcome of a startup: the messages to pass on to the client, ending with AuthenticationOk,
   * or with the server's ErrorResponse.
   */
  static final class Startup {
    final List<PgWire.Message> messages;
    final boolean ok;

    Startup(List<PgWire.Message> messages, boolean ok) {
      this.messages = messages;
      this.ok = ok;
    }

    PgWire.Message last() {
      return messages.get(messages.size() - 1);
    }
  }

  /**
   * Sends a StartupMessage and authenticates with {@code password}. Stops right after
   * AuthenticationOk (what follows is left unread for the relay) or at an ErrorResponse.
   *
   * @param protocol the protocol version code to send
   * @param parameters the startup parameters, {@code user} included
   * @param user the user (for MD5)
   * @param password the password
   * @throws IOException on I/O failure or if the server misbehaves
   */
  Startup startup(int protocol, Map<String, String> parameters, String user, String password)
      throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(ByteBuffer.allocate(4).putInt(protocol).array());
    parameters.forEach(
        (k, v) -> {
          body.writeBytes(PgWire.cstringBytes(k));
          body.writeBytes(PgWire.cstringBytes(v));
        });
    body.write(0);
    byte[] b = body.toByteArray();
    out.write(ByteBuffer.allocate(4 + b.length).putInt(4 + b.length).put(b).array());
    out.flush();
    List<PgWire.Message> passOn = new ArrayList<>();
    ScramSha256 scram = null;
    while (true) {
      PgWire.Message m = PgWire.read(data, MAX_BODY);
      switch (m.typeChar()) {
        case 'E':
          passOn.add(m);
          return new Startup(passOn, false);
        case 'v':
          // NegotiateProtocolVersion: the client asked for more than the server speaks.
          passOn.add(m);
          break;
        case 'R':
          int code = m.intAt(0);
          switch (code) {
            case 0:
              passOn.add(m);
              return new Startup(passOn, true);
            case 3:
              PgWire.write(out, 'p', PgWire.cstringBytes(password));
              out.flush();
              break;
            case 5:
              byte[] salt = new byte[4];
              System.arraycopy(m.body, 4, salt, 0, 4);
              PgWire.write(out, 'p', PgWire.cstringBytes(md5(user, password, salt)));
              out.flush();
              break;
            case 10:
              if (!mechanisms(m.body).contains(ScramSha256.MECHANISM)) {
                throw new ProtocolException(
                    "the server offers SASL mechanisms " + mechanisms(m.body) + ", not SCRAM");
              }
              scram = new ScramSha256(password, RANDOM);
              byte[] first = scram.clientFirst().getBytes(StandardCharsets.UTF_8);
              ByteArrayOutputStream p = new ByteArrayOutputStream();
              p.writeBytes(PgWire.cstringBytes(ScramSha256.MECHANISM));
              p.writeBytes(ByteBuffer.allocate(4).putInt(first.length).array());
              p.writeBytes(first);
              PgWire.write(out, 'p', p.toByteArray());
              out.flush();
              break;
            case 11:
              if (scram == null) {
                throw new ProtocolException("SASLContinue before SASL");
              }
              String serverFirst = new String(m.body, 4, m.body.length - 4, StandardCharsets.UTF_8);
              String fin;
              try {
                fin = scram.clientFinal(serverFirst);
              } catch (IllegalArgumentException e) {
                throw new ProtocolException(e.getMessage());
              }
              PgWire.write(out, 'p', fin.getBytes(StandardCharsets.UTF_8));
              out.flush();
              break;
            case 12:
              if (scram == null
                  || !scram.serverFinalValid(
                      new String(m.body, 4, m.body.length - 4, StandardCharsets.UTF_8))) {
                throw new ProtocolException("the server's SCRAM signature is not valid");
              }
              break;
            default:
              throw new ProtocolException(
                  "the server asks for authentication method " + code + ", which is unsupported");
          }
          break;
        default:
          throw new ProtocolException(
              "unexpected '" + m.typeChar() + "' message during authentication");
      }
    }
  }

  /**
   * Reads to ReadyForQuery after a successful startup (parameter status, key data), for the
   * emulator's own admin sessions.
   */
  void awaitReady() throws IOException {
    while (true) {
      PgWire.Message m = PgWire.read(data, MAX_BODY);
      if (m.typeChar() == 'Z') {
        return;
      }
      if (m.typeChar() == 'E') {
        throw new BackendError(m.body);
      }
    }
  }

  /**
   * Runs a simple query and returns the first column of each row (as text).
   *
   * @throws BackendError if the server reports an error
   */
  List<String> query(String sql) throws IOException {
    PgWire.write(out, 'Q', PgWire.cstringBytes(sql));
    out.flush();
    List<String> rows = new ArrayList<>();
    BackendError error = null;
    while (true) {
      PgWire.Message m = PgWire.read(data, MAX_BODY);
      switch (m.typeChar()) {
        case 'D':
          int length = PgWire.intAt(m.body, 2);
          rows.add(length < 0 ? "" : new String(m.body, 6, length, StandardCharsets.UTF_8));
          break;
        case 'E':
          error = new BackendError(m.body);
          break;
        case 'Z':
          if (error != null) {
            throw error;
          }
          return rows;
        default:
          break;
      }
    }
  }

  /** Sends Terminate and closes. */
  void terminate() {
    try {
      PgWire.write(out, 'X', new byte[0]);
      out.flush();
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

  private static List<String> mechanisms(byte[] body) {
    List<String> list = new ArrayList<>();
    int i = 4;
    while (i < body.length && body[i] != 0) {
      String m = PgWire.cstring(body, i);
      list.add(m);
      i += m.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    return list;
  }

  private static String md5(String user, String password, byte[] salt) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      String inner =
          HexFormat.of().formatHex(md.digest((password + user).getBytes(StandardCharsets.UTF_8)));
      md.update(inner.getBytes(StandardCharsets.US_ASCII));
      md.update(salt);
      return "md5" + HexFormat.of().formatHex(md.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("MD5 is not available", e);
    }
  }

  /** An ErrorResponse from the server: its SQLSTATE and message (never a password). */
  static final class BackendError extends IOException {
    private static final long serialVersionUID = 1L;
    private final String sqlState;

    BackendError(byte[] body) {
      super(describe(body));
      String c = PgWire.errorField(body, 'C');
      this.sqlState = c == null ? "" : c;
    }

    String sqlState() {
      return sqlState;
    }

    private static String describe(byte[] body) {
      String m = PgWire.errorField(body, 'M');
      String c = PgWire.errorField(body, 'C');
      return (m == null ? "error" : m) + (c == null ? "" : " (SQLSTATE " + c + ")");
    }
  }
}
