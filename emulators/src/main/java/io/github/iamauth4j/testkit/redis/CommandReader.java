package io.github.iamauth4j.testkit.redis;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads a client's request stream just enough to find command boundaries and arguments: RESP arrays
 * of bulk strings, and inline commands (one line, arguments split on blanks as {@code redis-cli}
 * and telnet users send them). The bytes of each command are kept exactly as received so that the
 * relay forwards them untouched.
 *
 * <p>Not thread-safe: one reader per connection, used by its reading thread.
 */
final class CommandReader {
  /** Redis' own limit for inline requests and for the header lines of a multibulk request. */
  static final int MAX_LINE = 64 * 1024;

  /** Redis' default {@code proto-max-bulk-len}. */
  static final long MAX_BULK = 512L * 1024 * 1024;

  /** Redis' limit on the number of arguments of a multibulk request. */
  static final long MAX_ARGS = 1024L * 1024 * 1024;

  private final InputStream in;
  private byte[] raw = new byte[512];
  private int rawLength;
  private int[] starts = new int[8];
  private int[] lengths = new int[8];
  private int argc;
  private boolean inline;
  private List<byte[]> inlineArgs = List.of();

  CommandReader(InputStream in) {
    this.in = in;
  }

  /**
   * Reads the next command.
   *
   * @return false at the end of the stream, between commands
   * @throws ProtocolException if the request is not valid RESP; {@link #raw()} then holds the bytes
   *     consumed so far, which the caller forwards before relaying the rest untouched
   * @throws EOFException if the stream ends inside a command
   */
  boolean next() throws IOException {
    rawLength = 0;
    argc = 0;
    inline = false;
    inlineArgs = List.of();
    int first = in.read();
    if (first < 0) {
      return false;
    }
    append((byte) first);
    if (first == '*') {
      readMultibulk();
    } else {
      readInline();
    }
    return true;
  }

  private void readMultibulk() throws IOException {
    long n = parseNumber(1, readLine(1), "multibulk length");
    if (n > MAX_ARGS) {
      throw new ProtocolException("invalid multibulk length");
    }
    for (long i = 0; i < n; i++) {
      int b = readByte();
      append((byte) b);
      if (b != '$') {
        throw new ProtocolException("expected '$', got '" + (char) b + "'");
      }
      int lineStart = rawLength;
      long len = parseNumber(lineStart, readLine(lineStart), "bulk length");
      if (len < 0 || len > MAX_BULK) {
        throw new ProtocolException("invalid bulk length");
      }
      int start = rawLength;
      readFully((int) len);
      int cr = readByte();
      append((byte) cr);
      int lf = readByte();
      append((byte) lf);
      if (cr != '\r' || lf != '\n') {
        throw new ProtocolException("bulk string not terminated by CRLF");
      }
      addArg(start, (int) len);
    }
  }

  private void readInline() throws IOException {
    // The first byte is already in raw; read the rest of the line.
    int end = raw[0] == '\n' ? 0 : readLine(0);
    inline = true;
    inlineArgs = splitInline(new String(raw, 0, end, StandardCharsets.UTF_8));
  }

  /** Reads up to and including '\n' into raw; returns the index where the line ends (before CR). */
  private int readLine(int lineStart) throws IOException {
    while (true) {
      int b = readByte();
      append((byte) b);
      if (b == '\n') {
        int end = rawLength - 1;
        if (end > lineStart && raw[end - 1] == '\r') {
          end--;
        }
        return end;
      }
      if (rawLength - lineStart > MAX_LINE) {
        throw new ProtocolException("too big request line");
      }
    }
  }

  private long parseNumber(int start, int end, String what) throws ProtocolException {
    if (start == end || end - start > 19) {
      throw new ProtocolException("invalid " + what);
    }
    long v = 0;
    boolean negative = raw[start] == '-';
    for (int i = negative ? start + 1 : start; i < end; i++) {
      byte c = raw[i];
      if (c < '0' || c > '9') {
        throw new ProtocolException("invalid " + what);
      }
      v = v * 10 + (c - '0');
    }
    return negative ? -v : v;
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("the client closed the connection inside a command");
    }
    return b;
  }

  private void readFully(int n) throws IOException {
    ensure(n);
    int done = 0;
    while (done < n) {
      int r = in.read(raw, rawLength, n - done);
      if (r < 0) {
        throw new EOFException("the client closed the connection inside a command");
      }
      rawLength += r;
      done += r;
    }
  }

  private void append(byte b) {
    ensure(1);
    raw[rawLength++] = b;
  }

  private void ensure(int more) {
    long needed = (long) rawLength + more;
    if (needed > raw.length) {
      long size = Math.max(needed, (long) raw.length * 2);
      raw = Arrays.copyOf(raw, (int) Math.min(size, Integer.MAX_VALUE - 8));
    }
  }

  private void addArg(int start, int length) {
    if (argc == starts.length) {
      starts = Arrays.copyOf(starts, argc * 2);
      lengths = Arrays.copyOf(lengths, argc * 2);
    }
    starts[argc] = start;
    lengths[argc] = length;
    argc++;
  }

  /** Splits an inline request as Redis' {@code sdssplitargs} does, for the common cases. */
  static List<byte[]> splitInline(String line) {
    List<byte[]> args = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (true) {
      while (i < n && Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      if (i >= n) {
        return args;
      }
      StringBuilder current = new StringBuilder();
      char quote = 0;
      while (i < n) {
        char c = line.charAt(i);
        if (quote == 0) {
          if (Character.isWhitespace(c)) {
            break;
          } else if (c == '"' || c == '\'') {
            quote = c;
          } else {
            current.append(c);
          }
        } else if (c == '\\' && quote == '"' && i + 1 < n) {
          i++;
          char e = line.charAt(i);
          current.append(e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e);
        } else if (c == quote) {
          quote = 0;
        } else {
          current.append(c);
        }
        i++;
      }
      args.add(current.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The command's bytes exactly as received, valid until the next {@link #next()}. */
  byte[] raw() {
    return raw;
  }

  /** How many bytes of {@link #raw()} belong to the command. */
  int rawLength() {
    return rawLength;
  }

  /** Whether the command was sent inline rather than as a RESP array. */
  boolean isInline() {
    return inline;
  }

  /** The number of arguments, the command name included (0 for an empty request). */
  int argc() {
    return inline ? inlineArgs.size() : argc;
  }

  /** Argument {@code i} as bytes. */
  byte[] arg(int i) {
    if (inline) {
      return inlineArgs.get(i);
    }
    return Arrays.copyOfRange(raw, starts[i], starts[i] + lengths[i]);
  }

  /** Argument {@code i} as UTF-8 text. */
  String argText(int i) {
    if (inline) {
      return new String(inlineArgs.get(i), StandardCharsets.UTF_8);
    }
    return new String(raw, starts[i], lengths[i], StandardCharsets.UTF_8);
  }

  /** The command name in upper case, or "" for an empty request. */
  String name() {
    if (argc() == 0) {
      return "";
    }
    if (!inline && lengths[0] > 64) {
      return "";
    }
    return argText(0).toUpperCase(Locale.ROOT);
  }

  /** A request the reader cannot parse; Redis itself answers it with a protocol error. */
  static final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
      super("Protocol error: " + message);
    }
  }
}
