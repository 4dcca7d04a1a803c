package io.github.iamauth4j.testkit.server;

import java.util.Collection;
import java.util.regex.Pattern;

/** Masks passwords in text that goes into exception messages and log lines. */
final class Redact {
  private static final String MASK = "****";

  // Redis ACL rules (">secret", "#hash"), Redis config directives and SQL password clauses.
  private static final Pattern REDIS_ACL_PASSWORD =
      Pattern.compile("(?<=\\s)(>[^\\s'\">]+|#[0-9a-fA-F]{64})");
  private static final Pattern REDIS_DIRECTIVE =
      Pattern.compile("(?i)(requirepass|masterauth)(\\s+)\\S+");
  private static final Pattern SQL_PASSWORD =
      Pattern.compile("(?i)(PASSWORD\\s*\\(?\\s*|IDENTIFIED\\s+BY\\s+)'(?:[^']|'')*'");

  private Redact() {}

  /** Replaces every known secret and every recognizable password clause in {@code text}. */
  static String text(String text, Collection<String> secrets) {
    String result = text;
    for (String secret : secrets) {
      if (!secret.isEmpty()) {
        result = result.replace(secret, MASK);
      }
    }
    result = REDIS_ACL_PASSWORD.matcher(result).replaceAll(MASK);
    result = REDIS_DIRECTIVE.matcher(result).replaceAll("$1$2" + MASK);
    return SQL_PASSWORD.matcher(result).replaceAll("$1'" + MASK + "'");
  }
}
