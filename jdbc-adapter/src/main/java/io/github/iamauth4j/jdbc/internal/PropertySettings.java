package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.FallbackPassword;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.internal.Texts;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The iamauth4j settings given as connection properties or URL parameters ({@code iamRegion}, …),
 * read and checked at once. {@link #auth(List)} finds the credentials provider only when a new
 * token provider is needed.
 *
 * @param region the region, or null
 * @param profile the AWS profile, or null
 * @param credentialsClass the credentials provider class name, or null
 * @param tokenExpiry the token life, or null
 * @param caBundle the CA bundle, or null
 * @param allowPlaintext the plaintext opt-out
 * @param signingHost the host to sign for, or null
 * @param signingPort the port to sign for, or -1
 * @param fallback the password to fall back to while migrating, or null
 */
public record PropertySettings(
    @Nullable String region,
    @Nullable String profile,
    @Nullable String credentialsClass,
    @Nullable Duration tokenExpiry,
    @Nullable Path caBundle,
    boolean allowPlaintext,
    @Nullable String signingHost,
    int signingPort,
    @Nullable FallbackPassword fallback) {

  private static final Set<String> PROPERTY_NAMES =
      Set.of(
          IamJdbcConfig.REGION.toLowerCase(Locale.ROOT),
          IamJdbcConfig.PROFILE.toLowerCase(Locale.ROOT),
          IamJdbcConfig.CREDENTIALS_PROVIDER.toLowerCase(Locale.ROOT),
          IamJdbcConfig.TOKEN_EXPIRY.toLowerCase(Locale.ROOT),
          IamJdbcConfig.CA_BUNDLE.toLowerCase(Locale.ROOT),
          IamJdbcConfig.ALLOW_PLAINTEXT.toLowerCase(Locale.ROOT),
          IamJdbcConfig.SIGNING_HOST.toLowerCase(Locale.ROOT),
          IamJdbcConfig.SIGNING_PORT.toLowerCase(Locale.ROOT),
          IamJdbcConfig.FALLBACK_USER.toLowerCase(Locale.ROOT),
          IamJdbcConfig.FALLBACK_PASSWORD_ENV.toLowerCase(Locale.ROOT),
          IamJdbcConfig.FALLBACK_PASSWORD_FILE.toLowerCase(Locale.ROOT),
          IamJdbcConfig.FALLBACK_RETRY_IAM_AFTER.toLowerCase(Locale.ROOT));

  /**
   * Whether {@code name} is one of the iamauth4j connection properties (ignoring case); they are
   * removed before the real driver sees the properties.
   *
   * @param name a property or URL parameter name
   */
  public static boolean isIamProperty(String name) {
    return PROPERTY_NAMES.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Reads the settings.
   *
   * @param s the connection settings
   * @throws IamConfigurationException listing every invalid setting
   */
  public static PropertySettings read(Lookup s) {
    List<String> problems = new ArrayList<>();
    String region = blankToNull(s.first(IamJdbcConfig.REGION).orElse(null));
    String profile = blankToNull(s.first(IamJdbcConfig.PROFILE).orElse(null));
    String creds = blankToNull(s.first(IamJdbcConfig.CREDENTIALS_PROVIDER).orElse(null));
    if (profile != null && creds != null) {
      problems.add(
          IamJdbcConfig.PROFILE
              + ", "
              + IamJdbcConfig.CREDENTIALS_PROVIDER
              + ": both set (expected at most one way to find credentials)");
    }
    Duration expiry = null;
    String e = blankToNull(s.first(IamJdbcConfig.TOKEN_EXPIRY).orElse(null));
    if (e != null) {
      expiry = parseDuration(e);
      if (expiry == null || expiry.compareTo(Duration.ofSeconds(1)) < 0) {
        problems.add(
            IamJdbcConfig.TOKEN_EXPIRY
                + ": "
                + Texts.quoteIfSafe(e)
                + " is not a token life (expected seconds, e.g. 900, or ISO-8601, e.g. PT15M;"
                + " at least 1 second)");
        expiry = null;
      }
    }
    String ca = blankToNull(s.first(IamJdbcConfig.CA_BUNDLE).orElse(null));
    boolean plaintext = false;
    String pt = blankToNull(s.first(IamJdbcConfig.ALLOW_PLAINTEXT).orElse(null));
    if (pt != null) {
      if (pt.equalsIgnoreCase("true")) {
        plaintext = true;
      } else if (!pt.equalsIgnoreCase("false")) {
        problems.add(
            IamJdbcConfig.ALLOW_PLAINTEXT
                + ": "
                + Texts.quoteIfSafe(pt)
                + " (expected true or false)");
      }
    }
    String host = blankToNull(s.first(IamJdbcConfig.SIGNING_HOST).orElse(null));
    int port = -1;
    String p = blankToNull(s.first(IamJdbcConfig.SIGNING_PORT).orElse(null));
    if (p != null) {
      try {
        port = Integer.parseInt(p.trim());
      } catch (NumberFormatException x) {
        port = 0;
      }
      if (port < 1 || port > 65535) {
        problems.add(
            IamJdbcConfig.SIGNING_PORT
                + ": "
                + Texts.quoteIfSafe(p)
                + " is not a TCP port (1 to 65535)");
        port = -1;
      }
    }
    FallbackPassword fallback = fallback(s, problems);
    if (!problems.isEmpty()) {
      throw new IamConfigurationException(problems);
    }
    return new PropertySettings(
        region,
        profile,
        creds,
        expiry,
        ca == null ? null : Path.of(ca),
        plaintext,
        host,
        port,
        fallback);
  }

  private static @Nullable FallbackPassword fallback(Lookup s, List<String> problems) {
    String user = blankToNull(s.first(IamJdbcConfig.FALLBACK_USER).orElse(null));
    String env = blankToNull(s.first(IamJdbcConfig.FALLBACK_PASSWORD_ENV).orElse(null));
    String file = blankToNull(s.first(IamJdbcConfig.FALLBACK_PASSWORD_FILE).orElse(null));
    String retry = blankToNull(s.first(IamJdbcConfig.FALLBACK_RETRY_IAM_AFTER).orElse(null));
    if (user == null) {
      if (env != null || file != null || retry != null) {
        problems.add(
            IamJdbcConfig.FALLBACK_USER
                + ": missing (expected the password user to fall back to, given with "
                + IamJdbcConfig.FALLBACK_PASSWORD_ENV
                + " or "
                + IamJdbcConfig.FALLBACK_PASSWORD_FILE
                + ")");
      }
      return null;
    }
    if ((env == null) == (file == null)) {
      problems.add(
          IamJdbcConfig.FALLBACK_PASSWORD_ENV
              + ", "
              + IamJdbcConfig.FALLBACK_PASSWORD_FILE
              + ": "
              + (env == null ? "neither set" : "both set")
              + " (expected exactly one: where the password of "
              + IamJdbcConfig.FALLBACK_USER
              + " is; never the password itself)");
      return null;
    }
    if (env != null && (System.getenv(env) == null || System.getenv(env).isEmpty())) {
      problems.add(
          IamJdbcConfig.FALLBACK_PASSWORD_ENV
              + ": environment variable "
              + Texts.quoteIfSafe(env)
              + " is not set or empty (expected the password of "
              + Texts.quoteIfSafe(user)
              + ")");
      return null;
    }
    if (file != null && !java.nio.file.Files.isReadable(Path.of(file))) {
      problems.add(
          IamJdbcConfig.FALLBACK_PASSWORD_FILE
              + ": "
              + Texts.quoteIfSafe(file)
              + " is not a readable file (expected the password of "
              + Texts.quoteIfSafe(user)
              + ")");
      return null;
    }
    try {
      FallbackPassword f =
          env != null
              ? FallbackPassword.fromEnvironment(user, env)
              : FallbackPassword.fromFile(user, Path.of(file));
      if (retry != null) {
        Duration d = parseDuration(retry);
        if (d == null || d.isNegative() || d.isZero()) {
          problems.add(
              IamJdbcConfig.FALLBACK_RETRY_IAM_AFTER
                  + ": "
                  + Texts.quoteIfSafe(retry)
                  + " is not a positive duration (expected seconds, e.g. 60, or ISO-8601, e.g."
                  + " PT1M)");
          return null;
        }
        f = f.retryIamAfter(d);
      }
      return f;
    } catch (IamConfigurationException | java.nio.file.InvalidPathException e) {
      problems.add(
          e instanceof IamConfigurationException c
              ? String.join("; ", c.problems())
                  .replace("passwordFallback", IamJdbcConfig.FALLBACK_USER)
              : IamJdbcConfig.FALLBACK_PASSWORD_FILE + ": not a file path");
      return null;
    }
  }

  private static @Nullable String blankToNull(@Nullable String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static @Nullable Duration parseDuration(String v) {
    try {
      return Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException e) {
      try {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  /**
   * The token provider's settings these describe (without a target), finding the credentials
   * provider: one instance per profile or class in the JVM, so that equal settings share a token
   * provider.
   *
   * @param listeners listeners to attach
   * @throws IamConfigurationException naming {@code iamProfile} or {@code iamCredentialsProvider}
   *     if the credentials provider cannot be found or made
   */
  public IamAuthConfig.Builder auth(List<IamAuthListener> listeners) {
    IamAuthConfig.Builder auth = IamAuthConfig.builder().region(region);
    if (profile != null) {
      auth.credentialsProvider(Credentials.profile(profile));
    } else if (credentialsClass != null) {
      auth.credentialsProvider(Credentials.ofClass(credentialsClass));
    }
    if (tokenExpiry != null) {
      auth.expiry(tokenExpiry);
    }
    auth.passwordFallback(fallback);
    listeners.forEach(auth::listener);
    return auth;
  }

  /**
   * Refuses the fallback settings on a way in that cannot use them (a plugin that gives the driver
   * only a password, never a second user).
   *
   * @param wayIn the way in, for the message
   * @throws IamConfigurationException naming {@code iamFallbackUser} if a fallback is set
   */
  public void refuseFallback(String wayIn) {
    if (fallback != null) {
      throw new IamConfigurationException(
          IamJdbcConfig.FALLBACK_USER
              + ": not supported by "
              + wayIn
              + ", which gives the driver a password but cannot change the user (expected the"
              + " jdbc:iamauth4j: URL driver, IamDataSource or IamHikari for a password fallback)");
    }
  }

  /** What the connection plan needs of these settings. */
  public PlanSettings plan() {
    return new PlanSettings(caBundle, allowPlaintext, signingHost, signingPort, true);
  }
}
