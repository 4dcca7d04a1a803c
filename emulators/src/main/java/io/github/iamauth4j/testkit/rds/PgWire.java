package io.github.iamauth4j.testkit.rds;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** PostgreSQL wire protocol (v3) framing: the few messages the emulator reads and writes. */
final class PgWire {
  static final int PROTOCOL_3_0 = 196608;
  static final int SSL_REQUEST = 80877103;
  static final int GSSENC_REQUEST = 80877104;
  static final int CANCEL_REQUEST = 80877102;

  /** The largest startup packet PostgreSQL accepts. */
  static final int MAX_STARTUP_PACKET = 10_000;

  private PgWire() {}

  /** A typed message: its type byte and body (without type and length). */
  static final class Message {
    final byte type;
    final byte[] body;

    Message(byte type, byte[] body) {
      this.type = type;
      this.body = body;
    }

    char typeChar() {
      return (char) (type & 0xff);
    }

    /** The message as it travels: type, length, body. */
    byte[] encode() {
      ByteBuffer b = ByteBuffer.allocate(5 + body.length);
      b.put(type).putInt(4 + body.length).put(body);
      return b.array();
    }

    int intAt(int offset) {
      return ByteBuffer.wrap(body, offset, 4).getInt();
    }
  }

  /**
   * Reads an untyped startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest,
   * CancelRequest): its body after the length, starting with the code.
   */
  static byte[] readStartupPacket(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 8 || length > MAX_STARTUP_PACKET) {
      throw new ProtocolException("invalid startup packet length " + length);
    }
    byte[] body = new byte[length - 4];
    in.readFully(body);
    return body;
  }

  /** Reads a typed message, refusing bodies longer than {@code maxBody}. */
  static Message read(DataInputStream in, int maxBody) throws IOException {
    byte type = in.readByte();
    int length = in.readInt();
    if (length < 4 || length - 4 > maxBody) {
      throw new ProtocolException(
          "invalid length " + length + " of a '" + (char) (type & 0xff) + "' message");
    }
    byte[] body = new byte[length - 4];
    in.readFully(body);
    return new Message(type, body);
  }

  static void write(OutputStream out, char type, byte[] body) throws IOException {
    out.write(new Message((byte) type, body).encode());
  }

  static int intAt(byte[] b, int offset) {
    return ByteBuffer.wrap(b, offset, 4).getInt();
  }

  /** The NUL-terminated string at {@code offset} (to the end if there is no NUL). */
  static String cstring(byte[] b, int offset) {
    int end = offset;
    while (end < b.length && b[end] != 0) {
      end++;
    }
    return new String(b, offset, end - offset, StandardCharsets.UTF_8);
  }

  /** The name/value pairs of a StartupMessage body (after the protocol code). */
  static Map<String, String> startupParameters(byte[] body) throws ProtocolException {
    Map<String, String> params = new LinkedHashMap<>();
    int i = 4;
    while (i < body.length && body[i] != 0) {
      String name = cstring(body, i);
      i += name.getBytes(StandardCharsets.UTF_8).length + 1;
      if (i >= body.length) {
        throw new ProtocolException("startup parameter " + name + " has no value");
      }
      String value = cstring(body, i);
      i += value.getBytes(StandardCharsets.UTF_8).length + 1;
      params.put(name, value);
    }
    return params;
  }

  /** An Authentication message body with the given code and extra data. */
  static byte[] authentication(int code, byte[] data) {
    return ByteBuffer.allocate(4 + data.length).putInt(code).put(data).array();
  }

  /**
   * An ErrorResponse body, with the fields libpq and pgjdbc show: severity (localized and not),
   * SQLSTATE, message and the routine name.
   */
  static byte[] error(String severity, String sqlState, String message, String routine) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    field(b, 'S', severity);
    field(b, 'V', severity);
    field(b, 'C', sqlState);
    field(b, 'M', message);
    field(b, 'R', routine);
    b.write(0);
    return b.toByteArray();
  }

  /** A field of an ErrorResponse, or {@code null}. */
  static @org.jspecify.annotations.Nullable String errorField(byte[] body, char code) {
    int i = 0;
    while (i < body.length && body[i] != 0) {
      char c = (char) body[i];
      String value = cstring(body, i + 1);
      if (c == code) {
        return value;
      }
      i += 1 + value.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    return null;
  }

  /** Bytes of {@code s} in UTF-8 followed by NUL. */
  static byte[] cstringBytes(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[b.length + 1];
    System.arraycopy(b, 0, out, 0, b.length);
    return out;
  }

  private static void field(ByteArrayOutputStream b, char code, String value) {
    b.write(code);
    b.writeBytes(cstringBytes(value));
  }
}
