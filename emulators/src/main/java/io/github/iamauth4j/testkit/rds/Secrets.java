package io.github.iamauth4j.testkit.rds;

import java.security.SecureRandom;
import java.util.Base64;

/** Backend passwords only the emulator knows: random, per emulator instance and user. */
final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** 32 random bytes, Base64url without padding: 43 ASCII letters, digits, '-' and '_'. */
  static String generate() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** {@code text} with every occurrence of each secret replaced by {@code ***}. */
  static String redact(String text, String... secrets) {
    String t = text;
    for (String s : secrets) {
      if (!s.isEmpty()) {
        t = t.replace(s, "***");
      }
    }
    return t;
  }
}
