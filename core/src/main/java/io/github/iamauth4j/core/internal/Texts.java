package io.github.iamauth4j.core.internal;

import java.util.regex.Pattern;

/** Helpers for error messages that must never echo a hostile or secret value. */
public final class Texts {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:/@+=-]{0,80}");

  private Texts() {}

  /**
   * Quotes {@code value} when it is short and made of harmless characters; otherwise describes it
   * without repeating it (it could be a terminal escape, a log-injection line or a secret).
   */
  public static String quoteIfSafe(String value) {
    if (SAFE.matcher(value).matches()) {
      return "\"" + value + "\"";
    }
    return "(a value of " + value.length() + " characters, not repeated here)";
  }
}
