package io.github.iamauth4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Text that reaches the command from outside the JVM, whatever the shell's locale. With {@code
 * LANG}/{@code LC_ALL} unset (many containers, cron), Java 17 decodes arguments and environment
 * variables as ASCII and turns every other byte into U+FFFD: a user name such as {@code ünï} would
 * silently become another name, and a token signed for it would be wrong.
 */
final class Locales {
  static final char REPLACEMENT = '\uFFFD';

  private Locales() {}

  /**
   * The problem with the command line, or null: an argument holding U+FFFD was not decodable (no
   * user types that character), so it is refused rather than signed for a different name.
   *
   * @param args the command line
   */
  static @Nullable String undecodableArgument(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].indexOf(REPLACEMENT) >= 0) {
        return "argument "
            + (i + 1)
            + " could not be decoded: the JVM reads the command line as "
            + System.getProperty("sun.jnu.encoding", "the platform encoding")
            + " because this shell has no UTF-8 locale (LANG and LC_ALL unset or C), so non-ASCII"
            + " text would be changed. Run it with a UTF-8 locale, e.g. LC_ALL=C.UTF-8 java -jar"
            + " iamauth4j.jar ..., or pass the value on stdin where the command reads it";
      }
    }
    return null;
  }

  /**
   * An environment variable decoded as UTF-8 even when the JVM's locale cannot: on Linux the
   * process's own environment is read as bytes from {@code /proc/self/environ} when the JVM's
   * decoding lost characters.
   *
   * @param name the variable
   * @return its value, or null if unset
   */
  static @Nullable String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.indexOf(REPLACEMENT) < 0) {
      return value;
    }
    try {
      byte[] all = Files.readAllBytes(Path.of("/proc/self/environ"));
      String prefix = name + "=";
      int start = 0;
      for (int i = 0; i <= all.length; i++) {
        if (i == all.length || all[i] == 0) {
          String entry = new String(all, start, i - start, StandardCharsets.UTF_8);
          if (entry.startsWith(prefix)) {
            return entry.substring(prefix.length());
          }
          start = i + 1;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: keep what the JVM decoded.
    }
    return value;
  }
}
