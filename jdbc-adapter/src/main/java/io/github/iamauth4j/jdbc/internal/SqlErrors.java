package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamAuthException;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.internal.Texts;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.jspecify.annotations.Nullable;

/**
 * Turns iamauth4j's exceptions into the {@link SQLException}s JDBC callers and pools expect,
 * keeping the original as the cause, with a message safe to log (control characters escaped):
 *
 * <ul>
 *   <li>a problem of the credential source's configuration ({@code iamProfile} misspelled or
 *       missing, {@code iamCredentialsProvider} unusable, a profile that holds no credentials):
 *       {@link SQLInvalidAuthorizationSpecException}, SQLSTATE 28000, not worth retrying;
 *   <li>any other configuration problem (a bad URL, no user, no region, refused TLS): {@link
 *       SQLNonTransientConnectionException}, SQLSTATE 08001;
 *   <li>no token now (the credential source is down or slow): {@link
 *       SQLTransientConnectionException}, SQLSTATE 08001, so pools retry.
 * </ul>
 */
public final class SqlErrors {
  // The AWS SDK's ProfileCredentialsProvider when the profile is missing or holds no credentials.
  private static final String PROFILE_WITHOUT_CREDENTIALS =
      "Profile file contained no credentials for profile";

  private SqlErrors() {}

  /**
   * The SQL exception for {@code e}.
   *
   * @param e an iamauth4j exception
   */
  public static SQLException of(IamAuthException e) {
    String message = message(e);
    if (e instanceof CredentialsConfigurationException || profileWithoutCredentials(e)) {
      return new SQLInvalidAuthorizationSpecException(message, "28000", e);
    }
    if (e instanceof IamConfigurationException) {
      return new SQLNonTransientConnectionException(message, "08001", e);
    }
    return new SQLTransientConnectionException(message, "08001", e);
  }

  /**
   * The message of {@code e} safe to repeat in a log line: control and format characters escaped (a
   * value from the user's settings or the AWS SDK could otherwise forge log lines).
   *
   * @param e the exception
   */
  public static String message(Throwable e) {
    String m = e.getMessage();
    return Texts.printable(m == null ? e.getClass().getSimpleName() : m);
  }

  private static boolean profileWithoutCredentials(Throwable e) {
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      String m = t.getMessage();
      if (isSdkException(t) && m != null && m.startsWith(PROFILE_WITHOUT_CREDENTIALS)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isSdkException(@Nullable Throwable t) {
    return t instanceof software.amazon.awssdk.core.exception.SdkException;
  }
}
