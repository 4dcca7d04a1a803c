package io.github.iamauth4j.core.internal;

import java.util.regex.Pattern;

/** Helpers for error messages that must never echo a hostile or secret value. */
public final class Texts {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:/@+=-]{0,80}");
  // A run of 16+ characters of the base64 alphabet: the shape of a secret access key (40
  // characters) or a piece of a session token or signature.
  private static final Pattern SECRET_LIKE_RUN = Pattern.compile("[A-Za-z0-9/+=]{16,}");

  private Texts() {}

  /**
   * Quotes {@code value} when it is short and made of harmless characters; otherwise describes it
   * without repeating it (it could be a terminal escape, a log-injection line or a secret).
   */
  public static String quoteIfSafe(String value) {
    if (SAFE.matcher(value).matches() && !looksLikeSecret(value)) {
      return "\"" + value + "\"";
    }
    return "(a value of " + value.length() + " characters, not repeated here)";
  }

  /**
   * {@code value} with control and format characters escaped as {@code \\uXXXX}, so that a value
   * from an untrusted token cannot forge log lines or drive a terminal.
   */
  public static String printable(String value) {
    StringBuilder sb = null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      int type = Character.getType(c);
      if (Character.isISOControl(c)
          || type == Character.FORMAT
          || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR) {
        if (sb == null) {
          sb = new StringBuilder(value.length() + 8).append(value, 0, i);
        }
        sb.append(String.format("\\u%04x", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? value : sb.toString();
  }

  /**
   * Whether {@code value} contains something shaped like a secret key or token: 16 or more base64
   * characters in a row mixing upper case, lower case and digits or {@code /+}. Host names, regions
   * and ordinary names (lower case, or with separators) do not.
   */
  static boolean looksLikeSecret(String value) {
    var m = SECRET_LIKE_RUN.matcher(value);
    while (m.find()) {
      String run = m.group();
      boolean upper = run.chars().anyMatch(c -> c >= 'A' && c <= 'Z');
      boolean lower = run.chars().anyMatch(c -> c >= 'a' && c <= 'z');
      boolean other = run.chars().anyMatch(c -> (c >= '0' && c <= '9') || c == '/' || c == '+');
      if (upper && lower && other) {
        return true;
      }
    }
    return false;
  }
}
