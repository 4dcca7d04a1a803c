package io.github.iamauth4j.testkit.server;

import java.security.SecureRandom;

/** Generates the passwords launchers give their admin accounts. */
final class Passwords {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

  private Passwords() {}

  /** Returns 24 random letters and digits: safe in URLs, shells and SQL literals. */
  static String generate() {
    StringBuilder password = new StringBuilder(24);
    for (int i = 0; i < 24; i++) {
      password.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return password.toString();
  }
}
