package io.github.iamauth4j.benchmarks.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A small JSON writer for the result file: maps (insertion order kept), collections, strings,
 * numbers, booleans, durations (as milliseconds) and instants (ISO-8601). No dependency for one
 * file.
 */
final class Json {
  private Json() {}

  static String write(@Nullable Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value, 0);
    b.append('\n');
    return b.toString();
  }

  private static void write(StringBuilder b, @Nullable Object v, int indent) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        b.append("{}");
        return;
      }
      b.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        pad(b, indent + 2);
        string(b, String.valueOf(e.getKey()));
        b.append(": ");
        write(b, e.getValue(), indent + 2);
        b.append(++i < m.size() ? ",\n" : "\n");
      }
      pad(b, indent);
      b.append('}');
    } else if (v instanceof Collection<?> c) {
      if (c.isEmpty()) {
        b.append("[]");
        return;
      }
      boolean simple = c.stream().noneMatch(x -> x instanceof Map || x instanceof Collection);
      b.append(simple ? "[" : "[\n");
      int i = 0;
      for (Object x : c) {
        if (!simple) {
          pad(b, indent + 2);
        }
        write(b, x, indent + 2);
        if (++i < c.size()) {
          b.append(simple ? ", " : ",\n");
        } else if (!simple) {
          b.append('\n');
        }
      }
      if (!simple) {
        pad(b, indent);
      }
      b.append(']');
    } else if (v instanceof Double d) {
      b.append(
          d.isNaN() || d.isInfinite()
              ? "null"
              : String.format(Locale.ROOT, "%.4f", d).replaceAll("0+$", "").replaceAll("\\.$", ""));
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Duration d) {
      b.append(d.toMillis());
    } else if (v instanceof Instant || v instanceof Enum<?>) {
      string(b, v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : v.toString());
    } else {
      string(b, v.toString());
    }
  }

  private static void pad(StringBuilder b, int n) {
    b.append(" ".repeat(n));
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
