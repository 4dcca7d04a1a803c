package io.github.iamauth4j.cli;

/**
 * Makes text from an untrusted source (a token's host or user, an argument) safe to print on a
 * terminal: control and format characters (escape sequences, bidi overrides) become {@code
 * \\uXXXX}.
 */
final class Printable {
  private Printable() {}

  static String of(String text) {
    StringBuilder b = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean unsafe = Character.isISOControl(c) || Character.getType(c) == Character.FORMAT;
      if (unsafe && b == null) {
        b = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (b != null) {
        if (unsafe) {
          b.append(String.format("\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? text : b.toString();
  }
}
