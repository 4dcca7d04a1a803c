package io.github.iamauth4j.jdbc.internal;

import java.util.regex.Pattern;

/** Quoting for error messages: repeats only short values made of harmless characters. */
public final class Quote {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:/@+=,\\[\\]-]{0,120}");
  private static final Pattern SECRET_LIKE = Pattern.compile("[A-Za-z0-9/+=]{24,}");

  private Quote() {}

  /**
   * {@code "value"} when it is safe to repeat; otherwise a description that does not repeat it (it
   * could be a token pasted in the wrong place, or a log-injection line).
   *
   * @param value the value
   * @return the quoted value or a description
   */
  public static String ifSafe(String value) {
    if (SAFE.matcher(value).matches() && !SECRET_LIKE.matcher(value).find()) {
      return "\"" + value + "\"";
    }
    return "(a value of " + value.length() + " characters, not repeated here)";
  }
}
