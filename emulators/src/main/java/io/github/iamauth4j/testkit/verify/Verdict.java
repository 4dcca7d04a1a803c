package io.github.iamauth4j.testkit.verify;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of verifying a token: accepted, or rejected with a reason and a detail for test logs
 * (never the token or a secret).
 */
public final class Verdict {
  private static final Verdict ACCEPTED = new Verdict(null, "accepted");

  private final @Nullable Rejection rejection;
  private final String detail;

  private Verdict(@Nullable Rejection rejection, String detail) {
    this.rejection = rejection;
    this.detail = detail;
  }

  static Verdict accepted() {
    return ACCEPTED;
  }

  static Verdict rejected(Rejection why, String detail) {
    return new Verdict(why, detail);
  }

  /** Whether the token was accepted. */
  public boolean isAccepted() {
    return rejection == null;
  }

  /** Why it was rejected, if it was. */
  public Optional<Rejection> rejection() {
    return Optional.ofNullable(rejection);
  }

  /** A short explanation for logs, e.g. {@code region is eu-west-1, expected us-east-1}. */
  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return rejection == null ? "Verdict[accepted]" : "Verdict[" + rejection + ": " + detail + "]";
  }
}
