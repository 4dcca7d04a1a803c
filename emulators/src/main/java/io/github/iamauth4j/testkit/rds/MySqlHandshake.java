package io.github.iamauth4j.testkit.rds;

import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The two handshake packets of the MySQL protocol: the server's greeting and the client's reply.
 */
final class MySqlHandshake {
  private MySqlHandshake() {}

  /** The server's Handshake v10. */
  static final class Greeting {
    final String serverVersion;
    final int connectionId;
    final byte[] scramble;
    final int capabilities;
    final int charset;
    final int status;

    /** The 10 reserved bytes; MariaDB puts its extended capabilities in the last 4. */
    final byte[] reserved;

    final String plugin;

    Greeting(
        String serverVersion,
        int connectionId,
        byte[] scramble,
        int capabilities,
        int charset,
        int status,
        byte[] reserved,
        String plugin) {
      this.serverVersion = serverVersion;
      this.connectionId = connectionId;
      this.scramble = scramble;
      this.capabilities = capabilities;
      this.charset = charset;
      this.status = status;
      this.reserved = reserved;
      this.plugin = plugin;
    }

    static Greeting parse(byte[] payload) throws ProtocolException {
      MySqlWire.Reader r = new MySqlWire.Reader(payload, 0);
      int protocol = r.u8();
      if (protocol != 10) {
        throw new ProtocolException("unsupported handshake protocol " + protocol);
      }
      String version = r.cstring();
      int id = r.u32();
      byte[] part1 = r.bytes(8);
      r.u8();
      int caps = r.u16();
      int charset = 33;
      int status = 2;
      byte[] reserved = new byte[10];
      byte[] scramble = part1;
      String plugin = MySqlWire.NATIVE_PASSWORD;
      if (r.hasMore()) {
        charset = r.u8();
        status = r.u16();
        caps |= r.u16() << 16;
        int authLength = r.u8();
        reserved = r.bytes(10);
        if ((caps & MySqlWire.CLIENT_SECURE_CONNECTION) != 0) {
          byte[] part2 = r.bytes(Math.max(13, authLength - 8));
          int n = part2.length;
          while (n > 0 && part2[n - 1] == 0) {
            n--;
          }
          scramble = new byte[8 + n];
          System.arraycopy(part1, 0, scramble, 0, 8);
          System.arraycopy(part2, 0, scramble, 8, n);
        }
        if ((caps & MySqlWire.CLIENT_PLUGIN_AUTH) != 0 && r.hasMore()) {
          plugin = r.cstring();
        }
      }
      return new Greeting(version, id, scramble, caps, charset, status, reserved, plugin);
    }

    /** The same server, with another scramble, capabilities and initial plugin. */
    Greeting with(byte[] scramble, int capabilities, String plugin) {
      return new Greeting(
          serverVersion, connectionId, scramble, capabilities, charset, status, reserved, plugin);
    }

    byte[] encode() {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(10);
      MySqlWire.cstring(b, serverVersion);
      MySqlWire.u32(b, connectionId);
      b.write(scramble, 0, 8);
      b.write(0);
      MySqlWire.u16(b, capabilities & 0xffff);
      b.write(charset);
      MySqlWire.u16(b, status);
      MySqlWire.u16(b, capabilities >>> 16);
      b.write(scramble.length + 1);
      b.writeBytes(reserved);
      b.write(scramble, 8, scramble.length - 8);
      b.write(0);
      MySqlWire.cstring(b, plugin);
      return b.toByteArray();
    }
  }

  /** The client's HandshakeResponse41 (or the 32-byte SSLRequest that starts it). */
  static final class Response {
    final int capabilities;
    final int maxPacket;
    final int charset;

    /** The 23 filler bytes; MariaDB clients put their extended capabilities in the last 4. */
    final byte[] filler;

    final String user;
    final byte[] authResponse;
    final @Nullable String database;
    final @Nullable String plugin;

    /** The connection attributes as sent: the length-encoded total and the pairs. */
    final byte @Nullable [] attributes;

    Response(
        int capabilities,
        int maxPacket,
        int charset,
        byte[] filler,
        String user,
        byte[] authResponse,
        @Nullable String database,
        @Nullable String plugin,
        byte @Nullable [] attributes) {
      this.capabilities = capabilities;
      this.maxPacket = maxPacket;
      this.charset = charset;
      this.filler = filler;
      this.user = user;
      this.authResponse = authResponse;
      this.database = database;
      this.plugin = plugin;
      this.attributes = attributes;
    }

    /** The capability flags at the start of a response or SSLRequest. */
    static int capabilities(byte[] payload) throws ProtocolException {
      return new MySqlWire.Reader(payload, 0).u32();
    }

    static Response parse(byte[] payload) throws ProtocolException {
      MySqlWire.Reader r = new MySqlWire.Reader(payload, 0);
      int caps = r.u32();
      if ((caps & MySqlWire.CLIENT_PROTOCOL_41) == 0) {
        throw new ProtocolException("the client does not speak protocol 4.1");
      }
      int maxPacket = r.u32();
      int charset = r.u8();
      byte[] filler = r.bytes(23);
      String user = r.cstring();
      byte[] auth;
      if ((caps & MySqlWire.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) != 0) {
        auth = r.bytes((int) r.lenenc());
      } else if ((caps & MySqlWire.CLIENT_SECURE_CONNECTION) != 0) {
        auth = r.bytes(r.u8());
      } else {
        auth = r.cstring().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      String database = null;
      if ((caps & MySqlWire.CLIENT_CONNECT_WITH_DB) != 0 && r.hasMore()) {
        database = r.cstring();
      }
      String plugin = null;
      if ((caps & MySqlWire.CLIENT_PLUGIN_AUTH) != 0 && r.hasMore()) {
        plugin = r.cstring();
      }
      byte[] attributes = null;
      if ((caps & MySqlWire.CLIENT_CONNECT_ATTRS) != 0 && r.hasMore()) {
        int start = r.position();
        long length = r.lenenc();
        int header = r.position() - start;
        if (length > payload.length) {
          throw new ProtocolException("connection attributes longer than the packet");
        }
        attributes = Arrays.copyOfRange(payload, start, start + header + (int) length);
        r.bytes((int) length);
      }
      return new Response(
          caps, maxPacket, charset, filler, user, auth, database, plugin, attributes);
    }

    /** The same response with other capabilities, auth response and plugin. */
    Response with(int capabilities, byte[] authResponse, String plugin) {
      return new Response(
          capabilities,
          maxPacket,
          charset,
          filler,
          user,
          authResponse,
          database,
          plugin,
          attributes);
    }

    byte[] encode() {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      MySqlWire.u32(b, capabilities);
      MySqlWire.u32(b, maxPacket);
      b.write(charset);
      b.writeBytes(filler);
      MySqlWire.cstring(b, user);
      if ((capabilities & MySqlWire.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) != 0) {
        MySqlWire.lenenc(b, authResponse.length);
      } else {
        b.write(authResponse.length);
      }
      b.writeBytes(authResponse);
      if ((capabilities & MySqlWire.CLIENT_CONNECT_WITH_DB) != 0) {
        MySqlWire.cstring(b, database);
      }
      if ((capabilities & MySqlWire.CLIENT_PLUGIN_AUTH) != 0) {
        MySqlWire.cstring(b, plugin);
      }
      byte[] attrs = attributes;
      if ((capabilities & MySqlWire.CLIENT_CONNECT_ATTRS) != 0 && attrs != null) {
        b.writeBytes(attrs);
      }
      return b.toByteArray();
    }
  }
}
