package io.github.iamauth4j.core;

import io.github.iamauth4j.core.internal.Texts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The old password credential an app falls back to while it migrates from passwords to IAM, as
 * AWS's migration guide asks: IAM first, and the password only when IAM cannot be used (no usable
 * token, or the server refused the token). Set it on the configuration with {@link
 * IamAuthConfig.Builder#passwordFallback(FallbackPassword)}; off unless set.
 *
 * <pre>{@code
 * IamAuthConfig config = IamAuthConfig.builder()
 *     .target(IamTarget.elastiCache("orders", "app"))
 *     .passwordFallback(FallbackPassword.fromEnvironment("app-legacy", "REDIS_PASSWORD"))
 *     .build();
 * }</pre>
 *
 * <p>The password is read each time a connection falls back (so a rotated file or secret is picked
 * up), from an environment variable, a file (its content without a trailing line break), or a
 * {@link Supplier} the app gives (e.g. backed by Secrets Manager). Never from a URL. It appears in
 * no log line, message or {@code toString()}: only the user and where the password comes from do.
 * Immutable and thread-safe.
 */
public final class FallbackPassword {
  /** The default {@linkplain #retryIamAfter(Duration) wait before IAM is tried again}: 1 minute. */
  public static final Duration DEFAULT_RETRY_IAM_AFTER = Duration.ofMinutes(1);

  private final String user;
  private final String source;
  private final Supplier<@Nullable String> password;
  private final @Nullable Function<String, @Nullable String> problemCheck;
  private final Duration retryIamAfter;
  private final Object key; // what makes two fallbacks the same: the variable, file or supplier

  private FallbackPassword(
      String user,
      String source,
      Object key,
      Supplier<@Nullable String> password,
      @Nullable Function<String, @Nullable String> problemCheck,
      Duration retryIamAfter) {
    this.user = user;
    this.source = source;
    this.key = key;
    this.password = password;
    this.problemCheck = problemCheck;
    this.retryIamAfter = retryIamAfter;
  }

  /**
   * The password of {@code user} from the environment variable {@code variable}, read at each
   * fallback. {@link IamAuthConfig.Builder#build()} reports a variable that is not set.
   *
   * @param user the password user, e.g. the user the app connects as today
   * @param variable the name of the environment variable holding the password
   */
  public static FallbackPassword fromEnvironment(String user, String variable) {
    Objects.requireNonNull(variable, "variable");
    return new FallbackPassword(
        user(user),
        "environment variable " + variable,
        variable,
        () -> System.getenv(variable),
        setting ->
            isEmpty(System.getenv(variable))
                ? setting
                    + ": environment variable "
                    + variable
                    + " is not set or empty (expected the password of user "
                    + Texts.quoteIfSafe(user)
                    + ")"
                : null,
        DEFAULT_RETRY_IAM_AFTER);
  }

  /**
   * The password of {@code user} from a file (e.g. a mounted secret), read at each fallback,
   * without a trailing line break. {@link IamAuthConfig.Builder#build()} reports a file it cannot
   * read.
   *
   * @param user the password user
   * @param file the file holding the password
   */
  public static FallbackPassword fromFile(String user, Path file) {
    Objects.requireNonNull(file, "file");
    return new FallbackPassword(
        user(user),
        "file " + file,
        file,
        () -> readFile(file),
        setting ->
            !Files.isReadable(file)
                ? setting
                    + ": file "
                    + file
                    + " is not readable (expected a file holding the password of user "
                    + Texts.quoteIfSafe(user)
                    + ")"
                : null,
        DEFAULT_RETRY_IAM_AFTER);
  }

  /**
   * The password of {@code user} from the app's own supplier, called at each fallback (keep it
   * quick, or cache inside it: it may be called on a connection-opening thread).
   *
   * @param user the password user
   * @param password gives the password
   */
  public static FallbackPassword fromSupplier(String user, Supplier<String> password) {
    Objects.requireNonNull(password, "password");
    return new FallbackPassword(
        user(user), "the app's supplier", password, password::get, null, DEFAULT_RETRY_IAM_AFTER);
  }

  /**
   * How long new connections and re-authentications keep using the password after the server
   * refused an IAM token, before IAM is tried again. Default {@link #DEFAULT_RETRY_IAM_AFTER}. When
   * no token could be had at all, IAM is tried again at each connection without waiting.
   *
   * @param wait the wait, more than zero
   * @return a copy with that wait
   */
  public FallbackPassword retryIamAfter(Duration wait) {
    Objects.requireNonNull(wait, "wait");
    if (wait.isNegative() || wait.isZero()) {
      throw new IamConfigurationException(
          "passwordFallback retryIamAfter: " + wait + " is not positive (expected more than zero)");
    }
    return new FallbackPassword(user, source, key, password, problemCheck, wait);
  }

  /** The password user. */
  public String user() {
    return user;
  }

  /** Where the password comes from, e.g. {@code environment variable REDIS_PASSWORD}. */
  public String source() {
    return source;
  }

  /** How long IAM is set aside after the server refused a token. */
  public Duration retryIamAfter() {
    return retryIamAfter;
  }

  /**
   * Reads the password now.
   *
   * @return the password
   * @throws TokenUnavailableException when it cannot be read (not set, unreadable, empty, or the
   *     supplier failed); the message names the source, never a value
   */
  public String password() {
    String value;
    try {
      value = password.get();
    } catch (RuntimeException e) {
      throw new TokenUnavailableException(
          "the fallback password of user "
              + Texts.quoteIfSafe(user)
              + " could not be read from "
              + source
              + " ("
              + e.getClass().getSimpleName()
              + ")",
          null);
    }
    if (isEmpty(value)) {
      throw new TokenUnavailableException(
          "the fallback password of user "
              + Texts.quoteIfSafe(user)
              + " is empty or missing in "
              + source,
          null);
    }
    return Objects.requireNonNull(value);
  }

  /** Problems found at configuration time (a missing variable or file), each naming the setting. */
  List<String> problems(String setting) {
    Function<String, @Nullable String> check = problemCheck;
    String problem = check == null ? null : check.apply(setting);
    return problem == null ? List.of() : List.of(problem);
  }

  private static String user(String user) {
    Objects.requireNonNull(user, "user");
    if (user.isBlank() || user.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IamConfigurationException(
          "passwordFallback user: "
              + Texts.quoteIfSafe(user)
              + " is not a user name (expected a name without spaces or control characters)");
    }
    return user;
  }

  private static boolean isEmpty(@Nullable String s) {
    return s == null || s.isEmpty();
  }

  private static @Nullable String readFile(Path file) {
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8);
      if (s.endsWith("\r\n")) {
        return s.substring(0, s.length() - 2);
      }
      return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    } catch (IOException e) {
      throw new IllegalStateException("unreadable", e);
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof FallbackPassword p
        && p.user.equals(user)
        && p.source.equals(source)
        && p.key.equals(key)
        && p.retryIamAfter.equals(retryIamAfter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(user, source, key, retryIamAfter);
  }

  /** Names the user and where the password comes from; never the password. */
  @Override
  public String toString() {
    return "FallbackPassword[user "
        + Texts.quoteIfSafe(user)
        + " from "
        + source
        + ", IAM retried "
        + retryIamAfter
        + " after a refusal]";
  }
}
