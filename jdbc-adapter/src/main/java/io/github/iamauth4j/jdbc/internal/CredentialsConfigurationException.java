package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import java.util.List;

/**
 * A configuration problem of the credential source ({@code iamProfile}, {@code
 * iamCredentialsProvider}): reported as {@link java.sql.SQLInvalidAuthorizationSpecException}
 * (SQLSTATE 28000), never retried as if the source were down.
 */
public final class CredentialsConfigurationException extends IamConfigurationException {
  private static final long serialVersionUID = 1L;

  /**
   * @param problems one line per problem, each naming the setting
   */
  public CredentialsConfigurationException(List<String> problems) {
    super(problems);
  }

  /**
   * @param problem the problem, naming the setting
   */
  public CredentialsConfigurationException(String problem) {
    super(problem);
  }
}
