package io.github.iamauth4j.cli;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A one-line JSON object from an ordered map of strings, numbers, booleans and nulls. */
final class Json {
  private Json() {}

  static String object(Map<String, @Nullable Object> fields) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, @Nullable Object> e : fields.entrySet()) {
      if (b.length() > 1) {
        b.append(',');
      }
      string(b, e.getKey());
      b.append(':');
      Object v = e.getValue();
      if (v == null) {
        b.append("null");
      } else if (v instanceof Number || v instanceof Boolean) {
        b.append(v);
      } else {
        string(b, v.toString());
      }
    }
    return b.append('}').toString();
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
          // Control and format characters escaped, so that printing the JSON is terminal-safe.
          if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
