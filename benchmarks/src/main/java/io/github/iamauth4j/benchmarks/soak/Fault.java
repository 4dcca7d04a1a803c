package io.github.iamauth4j.benchmarks.soak;

import java.util.Locale;

/** What goes wrong during a run, once, at {@code --fault-at} of the measured time. */
public enum Fault {
  /** Nothing. */
  NONE("none"),
  /** The emulator closes every client connection at once (a failover); reconnects are accepted. */
  DROP_ALL("drop-all"),
  /**
   * The emulator closes every client connection and refuses new ones for 5 seconds (a node that
   * takes 5 s to come back).
   */
  REFUSE_NEW_5S("refuse-new-5s"),
  /**
   * The AWS credentials fail for three quarters of the token's life, starting right after a token
   * was issued: the refresh due at half its life fails and is retried while the token still serves.
   */
  CREDENTIAL_OUTAGE("credential-outage"),
  /**
   * For the whole run, tokens live 2 seconds, shorter than the renewal interval (at least 2.5 s
   * here, so the limit must be 5 s or more): every re-authentication and new connection must take a
   * fresh token, never one a connection kept.
   */
  SHORT_TOKEN_LIFE("short-token-life");

  private final String cliName;

  Fault(String cliName) {
    this.cliName = cliName;
  }

  /** The name on the command line. */
  public String cliName() {
    return cliName;
  }

  /**
   * The fault named on the command line.
   *
   * @param name e.g. {@code drop-all}
   * @throws IllegalArgumentException if there is none by that name
   */
  public static Fault parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Fault f : values()) {
      if (f.cliName.equals(n)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "fault: \""
            + name
            + "\" is not one of none, drop-all, refuse-new-5s, credential-outage,"
            + " short-token-life");
  }
}
