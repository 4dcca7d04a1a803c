package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;

/**
 * The iamauth4j settings given as connection properties or URL parameters ({@code iamRegion}, …),
 * read and checked at once. {@link #toConfig(List)} makes the {@link IamJdbcConfig} (and the
 * credentials provider) only when a new token provider is needed.
 *
 * @param region the region, or null
 * @param profile the AWS profile, or null
 * @param credentialsClass the credentials provider class name, or null
 * @param tokenExpiry the token life, or null
 * @param caBundle the CA bundle, or null
 * @param allowPlaintext the plaintext opt-out
 * @param signingHost the host to sign for, or null
 * @param signingPort the port to sign for, or -1
 */
public record PropertySettings(
    @Nullable String region,
    @Nullable String profile,
    @Nullable String credentialsClass,
    @Nullable Duration tokenExpiry,
    @Nullable Path caBundle,
    boolean allowPlaintext,
    @Nullable String signingHost,
    int signingPort) {

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
                + Quote.ifSafe(e)
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
            IamJdbcConfig.ALLOW_PLAINTEXT + ": " + Quote.ifSafe(pt) + " (expected true or false)");
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
                + Quote.ifSafe(p)
                + " is not a TCP port (1 to 65535)");
        port = -1;
      }
    }
    if (!problems.isEmpty()) {
      throw new IamConfigurationException(problems);
    }
    return new PropertySettings(
        region, profile, creds, expiry, ca == null ? null : Path.of(ca), plaintext, host, port);
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
   * The configuration these settings describe, making the credentials provider.
   *
   * @param listeners listeners to attach
   * @throws IamConfigurationException if the credentials provider class cannot be made
   */
  public IamJdbcConfig toConfig(List<io.github.iamauth4j.core.IamAuthListener> listeners) {
    IamJdbcConfig.Builder b = IamJdbcConfig.builder().region(region);
    if (profile != null) {
      b.credentialsProvider(ProfileCredentialsProvider.create(profile));
    } else if (credentialsClass != null) {
      b.credentialsProvider(instantiate(credentialsClass));
    }
    if (tokenExpiry != null) {
      b.tokenExpiry(tokenExpiry);
    }
    if (caBundle != null) {
      b.caBundle(caBundle);
    }
    b.allowPlaintextForLocalTesting(allowPlaintext);
    if (signingHost != null) {
      b.signingEndpoint(signingHost, signingPort);
    }
    listeners.forEach(b::listener);
    return b.build();
  }

  static AwsCredentialsProvider instantiate(String className) {
    String setting = IamJdbcConfig.CREDENTIALS_PROVIDER + ": " + Quote.ifSafe(className);
    Class<?> c = null;
    ClassLoader tccl = Thread.currentThread().getContextClassLoader();
    for (ClassLoader cl : new ClassLoader[] {tccl, PropertySettings.class.getClassLoader()}) {
      if (cl == null || c != null) {
        continue;
      }
      try {
        c = Class.forName(className, true, cl);
      } catch (ClassNotFoundException | LinkageError e) {
        // Tried with the next loader; reported below.
      }
    }
    if (c == null) {
      throw new IamConfigurationException(setting + " was not found on the class path");
    }
    if (!AwsCredentialsProvider.class.isAssignableFrom(c)) {
      throw new IamConfigurationException(
          setting + " is not an " + AwsCredentialsProvider.class.getName());
    }
    try {
      try {
        Method create = c.getMethod("create");
        if (Modifier.isStatic(create.getModifiers())
            && AwsCredentialsProvider.class.isAssignableFrom(create.getReturnType())) {
          return (AwsCredentialsProvider) create.invoke(null);
        }
      } catch (NoSuchMethodException e) {
        // Fall back to the constructor.
      }
      Constructor<?> ctor = c.getConstructor();
      return (AwsCredentialsProvider) ctor.newInstance();
    } catch (NoSuchMethodException e) {
      throw new IamConfigurationException(
          setting + " has neither a static create() method nor a public no-argument constructor");
    } catch (InvocationTargetException | InstantiationException | IllegalAccessException e) {
      IamConfigurationException x =
          new IamConfigurationException(setting + " could not be made: " + e.getClass().getName());
      x.initCause(e instanceof InvocationTargetException ite ? ite.getCause() : e);
      throw x;
    }
  }
}
