package io.github.iamauth4j.testkit.server;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A minimal blocking RESP2/RESP3 client: one connection, one command at a time. */
final class Resp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private Resp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream());
  }

  static Resp connect(String host, int port, Duration connectTimeout, Duration readTimeout)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
      socket.connect(
          new InetSocketAddress(host, port),
          (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
      return new Resp(socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Sends one command and reads its reply.
   *
   * @return the reply: {@code String} (simple and bulk strings), {@code Long}, {@code List}
   *     (arrays, sets, pushes), {@code Map} (RESP3 maps), {@code Boolean}, {@code Double}, {@code
   *     BigInteger}, or {@code null}; an error nested in an array is an element of type {@link
   *     RedisReplyException}
   * @throws RedisReplyException if the reply is an error
   */
  @Nullable Object call(String... args) throws IOException {
    out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      out.write(
          ('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.write('\r');
      out.write('\n');
    }
    out.flush();
    Object reply = read();
    if (reply instanceof RedisReplyException) {
      throw (RedisReplyException) reply;
    }
    return reply;
  }

  private @Nullable Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by the server");
    }
    String line = line();
    switch (type) {
      case '+':
        return line;
      case '-':
      case '!':
        return new RedisReplyException(type == '!' ? bulk(Integer.parseInt(line)) : line);
      case ':':
        return Long.valueOf(line);
      case '$':
      case '=':
        {
          int length = Integer.parseInt(line);
          if (length < 0) {
            return null;
          }
          String value = bulk(length);
          // A verbatim string starts with its format, e.g. "txt:".
          return type == '=' && value.length() >= 4 ? value.substring(4) : value;
        }
      case '*':
      case '~':
      case '>':
        {
          int count = Integer.parseInt(line);
          if (count < 0) {
            return null;
          }
          List<@Nullable Object> items = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            items.add(read());
          }
          return items;
        }
      case '%':
        {
          int count = Integer.parseInt(line);
          Map<@Nullable Object, @Nullable Object> map = new LinkedHashMap<>();
          for (int i = 0; i < count; i++) {
            Object key = read();
            map.put(key, read());
          }
          return map;
        }
      case '|':
        {
          // Attributes precede the real reply; skip them.
          int count = Integer.parseInt(line);
          for (int i = 0; i < 2 * count; i++) {
            read();
          }
          return read();
        }
      case '_':
        return null;
      case '#':
        return line.equals("t");
      case ',':
        return Double.valueOf(line.replace("inf", "Infinity"));
      case '(':
        return new BigInteger(line);
      default:
        throw new IOException("unexpected RESP type '" + (char) type + "'");
    }
  }

  private String bulk(int length) throws IOException {
    byte[] bytes = in.readNBytes(length);
    if (bytes.length < length) {
      throw new EOFException("connection closed by the server");
    }
    line();
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private String line() throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed by the server");
      }
      if (b == '\r') {
        int next = in.read();
        if (next == '\n') {
          return buffer.toString(StandardCharsets.UTF_8);
        }
        buffer.write(b);
        if (next < 0) {
          throw new EOFException("connection closed by the server");
        }
        buffer.write(next);
      } else {
        buffer.write(b);
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
