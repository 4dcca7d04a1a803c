package io.github.iamauth4j.testkit.rds;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/** MySQL client/server protocol framing and the few packets the emulator reads and writes. */
final class MySqlWire {
  static final int CLIENT_LONG_PASSWORD = 1; // CLIENT_MYSQL: 0 from MariaDB servers
  static final int CLIENT_CONNECT_WITH_DB = 1 << 3;
  static final int CLIENT_COMPRESS = 1 << 5;
  static final int CLIENT_PROTOCOL_41 = 1 << 9;
  static final int CLIENT_SSL = 1 << 11;
  static final int CLIENT_TRANSACTIONS = 1 << 13;
  static final int CLIENT_SECURE_CONNECTION = 1 << 15;
  static final int CLIENT_MULTI_RESULTS = 1 << 17;
  static final int CLIENT_PLUGIN_AUTH = 1 << 19;
  static final int CLIENT_CONNECT_ATTRS = 1 << 20;
  static final int CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA = 1 << 21;
  static final int CLIENT_ZSTD_COMPRESSION = 1 << 26;
  static final int CLIENT_SSL_VERIFY_SERVER_CERT = 1 << 30;
  static final int CLIENT_REMEMBER_OPTIONS = 1 << 31;

  static final String NATIVE_PASSWORD = "mysql_native_password";
  static final String CLEAR_PASSWORD = "mysql_clear_password";

  /** The largest packet the emulator reads during the handshake. */
  static final int MAX_HANDSHAKE_PACKET = 64 * 1024;

  private MySqlWire() {}

  /** One packet: its sequence id and payload. */
  static final class Packet {
    final int sequence;
    final byte[] payload;

    Packet(int sequence, byte[] payload) {
      this.sequence = sequence;
      this.payload = payload;
    }

    int first() {
      return payload.length == 0 ? -1 : payload[0] & 0xff;
    }
  }

  static Packet read(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    byte[] header = new byte[4];
    d.readFully(header);
    int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
    if (length > MAX_HANDSHAKE_PACKET) {
      throw new ProtocolException("handshake packet of " + length + " bytes is too long");
    }
    byte[] payload = new byte[length];
    d.readFully(payload);
    return new Packet(header[3] & 0xff, payload);
  }

  static void write(OutputStream out, int sequence, byte[] payload) throws IOException {
    int n = payload.length;
    out.write(new byte[] {(byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) sequence});
    out.write(payload);
    out.flush();
  }

  /** An ERR packet payload (protocol 4.1: with SQLSTATE). */
  static byte[] error(int code, String sqlState, String message) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0xff);
    b.write(code & 0xff);
    b.write((code >>> 8) & 0xff);
    b.write('#');
    b.writeBytes(sqlState.getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(message.getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  /** The message of an ERR packet payload, with its code. */
  static String describeError(byte[] payload) {
    if (payload.length < 3) {
      return "error";
    }
    int code = (payload[1] & 0xff) | (payload[2] & 0xff) << 8;
    int start = payload.length > 9 && payload[3] == '#' ? 9 : 3;
    return new String(payload, start, payload.length - start, StandardCharsets.UTF_8)
        + " (error "
        + code
        + ")";
  }

  /** {@code mysql_native_password}: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))). */
  static byte[] nativePassword(String password, byte[] scramble) {
    if (password.isEmpty()) {
      return new byte[0];
    }
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] stage1 = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
      byte[] stage2 = sha1.digest(stage1);
      sha1.update(scramble);
      sha1.update(stage2);
      byte[] x = sha1.digest();
      for (int i = 0; i < x.length; i++) {
        x[i] ^= stage1[i];
      }
      return x;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-1 is not available", e);
    }
  }

  /** Reads fields of a payload in order. */
  static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] b, int pos) {
      this.b = b;
      this.pos = pos;
    }

    boolean hasMore() {
      return pos < b.length;
    }

    int position() {
      return pos;
    }

    int u8() throws ProtocolException {
      need(1);
      return b[pos++] & 0xff;
    }

    int u16() throws ProtocolException {
      need(2);
      int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
      pos += 2;
      return v;
    }

    int u32() throws ProtocolException {
      need(4);
      int v =
          (b[pos] & 0xff)
              | (b[pos + 1] & 0xff) << 8
              | (b[pos + 2] & 0xff) << 16
              | (b[pos + 3] & 0xff) << 24;
      pos += 4;
      return v;
    }

    long lenenc() throws ProtocolException {
      int first = u8();
      if (first < 0xfb) {
        return first;
      }
      switch (first) {
        case 0xfc:
          return u16();
        case 0xfd:
          {
            need(3);
            int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16;
            pos += 3;
            return v;
          }
        case 0xfe:
          {
            long lo = u32() & 0xffffffffL;
            long hi = u32() & 0xffffffffL;
            return lo | hi << 32;
          }
        default:
          throw new ProtocolException("invalid length-encoded integer " + first);
      }
    }

    byte[] bytes(int n) throws ProtocolException {
      need(n);
      byte[] out = new byte[n];
      System.arraycopy(b, pos, out, 0, n);
      pos += n;
      return out;
    }

    /** A NUL-terminated string (or to the end of the payload if there is no NUL). */
    String cstring() {
      int end = pos;
      while (end < b.length && b[end] != 0) {
        end++;
      }
      String s = new String(b, pos, end - pos, StandardCharsets.UTF_8);
      pos = Math.min(b.length, end + 1);
      return s;
    }

    byte[] rest() {
      byte[] out = new byte[b.length - pos];
      System.arraycopy(b, pos, out, 0, out.length);
      pos = b.length;
      return out;
    }

    private void need(int n) throws ProtocolException {
      if (n < 0 || pos + n > b.length) {
        throw new ProtocolException("truncated packet");
      }
    }
  }

  static void lenenc(ByteArrayOutputStream out, long v) {
    if (v < 0xfb) {
      out.write((int) v);
    } else if (v < 1 << 16) {
      out.write(0xfc);
      out.write((int) v & 0xff);
      out.write((int) (v >>> 8) & 0xff);
    } else if (v < 1 << 24) {
      out.write(0xfd);
      out.write((int) v & 0xff);
      out.write((int) (v >>> 8) & 0xff);
      out.write((int) (v >>> 16) & 0xff);
    } else {
      out.write(0xfe);
      for (int i = 0; i < 8; i++) {
        out.write((int) (v >>> (8 * i)) & 0xff);
      }
    }
  }

  static void u16(ByteArrayOutputStream out, int v) {
    out.write(v & 0xff);
    out.write((v >>> 8) & 0xff);
  }

  static void u32(ByteArrayOutputStream out, int v) {
    out.write(v & 0xff);
    out.write((v >>> 8) & 0xff);
    out.write((v >>> 16) & 0xff);
    out.write((v >>> 24) & 0xff);
  }

  static void cstring(ByteArrayOutputStream out, @Nullable String s) {
    if (s != null) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
    out.write(0);
  }
}
