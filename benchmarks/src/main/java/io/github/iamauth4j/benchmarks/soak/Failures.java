package io.github.iamauth4j.benchmarks.soak;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Failed operations, by kind, with when the first and the last happened and a few examples (the
 * clients' messages never carry a token: the adapters' own rule, which their tests check).
 */
final class Failures {
  /** What kind of failure, from the exception and its causes. */
  enum Kind {
    /** The server refused a token: {@code WRONGPASS}, or RDS's PAM failure. */
    WRONGPASS,
    /** A command on a connection that was not authenticated: {@code NOAUTH}. */
    NOAUTH,
    /** The connection was lost or could not be made. */
    CONNECTION,
    /** The client gave up waiting. */
    TIMEOUT,
    /** A reply that was not what the command should have returned. */
    WRONG_REPLY,
    /** Anything else. */
    OTHER
  }

  private static final int EXAMPLES = 8;

  private final AtomicLongArray byKind = new AtomicLongArray(Kind.values().length);
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong firstNanos = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastNanos = new AtomicLong(Long.MIN_VALUE);
  private final List<String> examples = new ArrayList<>();
  private final AtomicReference<@Nullable String> firstWrongpass = new AtomicReference<>();

  /**
   * Records one failed operation.
   *
   * @param what the operation, e.g. {@code get}
   * @param e what it threw
   * @param nanos when, on {@link System#nanoTime()}
   */
  void record(String what, Throwable e, long nanos) {
    Kind kind = classify(e);
    byKind.incrementAndGet(kind.ordinal());
    total.incrementAndGet();
    firstNanos.accumulateAndGet(nanos, Math::min);
    lastNanos.accumulateAndGet(nanos, Math::max);
    String text = what + ": " + kind + ": " + describe(e);
    if (kind == Kind.WRONGPASS) {
      firstWrongpass.compareAndSet(null, text);
    }
    synchronized (examples) {
      if (examples.size() < EXAMPLES && examples.stream().noneMatch(x -> x.equals(text))) {
        examples.add(text);
      }
    }
  }

  long total() {
    return total.get();
  }

  long count(Kind kind) {
    return byKind.get(kind.ordinal());
  }

  /** When the first failure happened, or {@link Long#MAX_VALUE} if none did. */
  long firstNanos() {
    return firstNanos.get();
  }

  /** When the last failure happened, or {@link Long#MIN_VALUE} if none did. */
  long lastNanos() {
    return lastNanos.get();
  }

  Map<Kind, Long> byKind() {
    Map<Kind, Long> m = new EnumMap<>(Kind.class);
    for (Kind k : Kind.values()) {
      long n = byKind.get(k.ordinal());
      if (n > 0) {
        m.put(k, n);
      }
    }
    return m;
  }

  List<String> examples() {
    synchronized (examples) {
      return List.copyOf(examples);
    }
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("total", total());
    Map<String, Object> kinds = new LinkedHashMap<>();
    byKind().forEach((k, n) -> kinds.put(k.name().toLowerCase(Locale.ROOT), n));
    m.put("byKind", kinds);
    m.put("examples", examples());
    return m;
  }

  static Kind classify(Throwable e) {
    String all = chainText(e).toUpperCase(Locale.ROOT);
    if (all.contains("WRONGPASS") || all.contains("PAM AUTHENTICATION FAILED")) {
      return Kind.WRONGPASS;
    }
    if (all.contains("NOAUTH")) {
      return Kind.NOAUTH;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof WrongReply) {
        return Kind.WRONG_REPLY;
      }
      String name = t.getClass().getSimpleName().toUpperCase(Locale.ROOT);
      if (name.contains("TIMEOUT")) {
        return Kind.TIMEOUT;
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String name = t.getClass().getSimpleName().toUpperCase(Locale.ROOT);
      if (t instanceof IOException || name.contains("CONNECTION") || name.contains("CLOSED")) {
        return Kind.CONNECTION;
      }
    }
    if (all.contains("TIMED OUT") || all.contains("TIMEOUT")) {
      return Kind.TIMEOUT;
    }
    if (all.contains("CONNECTION") || all.contains("RESET") || all.contains("CLOSED")) {
      return Kind.CONNECTION;
    }
    return Kind.OTHER;
  }

  private static String chainText(Throwable e) {
    StringBuilder b = new StringBuilder();
    int depth = 0;
    for (Throwable t = e; t != null && depth < 10; t = t.getCause(), depth++) {
      b.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
    }
    return b.toString();
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String s = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (root != e) {
      s += " (cause " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  /** A reply that is not what the command should have returned. */
  static final class WrongReply extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WrongReply(String message) {
      super(message);
    }
  }
}
