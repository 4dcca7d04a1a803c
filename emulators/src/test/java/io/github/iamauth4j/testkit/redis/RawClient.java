package io.github.iamauth4j.testkit.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * A raw TLS connection to an emulator for what {@code redis-cli} cannot show: several commands in
 * one write (pipelining), inline commands, RESP3 pushes. Replies: String (simple, bulk, verbatim),
 * Long, List (arrays, sets, pushes as {@link Push}), Map, Boolean, null, or {@link Err}.
 */
final class RawClient implements AutoCloseable {
  /** An error reply. */
  record Err(String message) {}

  /** A RESP3 push (pub/sub message). */
  record Push(List<@Nullable Object> items) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawClient(ElastiCacheEmulator emulator) {
    try {
      SSLSocket s =
          (SSLSocket)
              emulator
                  .tls()
                  .clientContext()
                  .getSocketFactory()
                  .createSocket(emulator.host(), emulator.port());
      s.startHandshake();
      s.setSoTimeout(20_000);
      this.socket = s;
      this.in = new BufferedInputStream(s.getInputStream());
      this.out = s.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] command(String... args) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String a : args) {
      byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
      b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      b.writeBytes(bytes);
      b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    return b.toByteArray();
  }

  /** Writes all the commands with one write. */
  RawClient pipeline(List<String[]> commands) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    commands.forEach(c -> b.writeBytes(command(c)));
    return write(b.toByteArray());
  }

  RawClient write(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Nullable Object call(String... args) {
    write(command(args));
    return read();
  }

  @Nullable Object read() {
    try {
      return parse();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the server closed the connection (reads until end of stream or reset). */
  boolean isClosedByServer() {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  private @Nullable Object parse() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("the emulator closed the connection");
    }
    String line = line();
    switch (type) {
      case '+':
        return line;
      case '-':
        return new Err(line);
      case ':':
        return Long.parseLong(line);
      case '_':
        return null;
      case '#':
        return line.equals("t");
      case ',':
        return Double.parseDouble(line);
      case '$':
      case '=':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          byte[] data = in.readNBytes(n + 2);
          String s = new String(data, 0, n, StandardCharsets.UTF_8);
          return type == '=' ? s.substring(4) : s;
        }
      case '*':
      case '~':
      case '>':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          List<@Nullable Object> items = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            items.add(parse());
          }
          return type == '>' ? new Push(items) : items;
        }
      case '%':
        {
          int n = Integer.parseInt(line);
          Map<@Nullable Object, @Nullable Object> m = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) {
            m.put(parse(), parse());
          }
          return m;
        }
      default:
        throw new IOException("unexpected reply type " + (char) type);
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new EOFException("the emulator closed the connection");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing.
    }
  }
}
