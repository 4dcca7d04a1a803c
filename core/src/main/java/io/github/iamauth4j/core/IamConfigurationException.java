package io.github.iamauth4j.core;

import java.util.List;

/**
 * Invalid configuration, found when a target, policy or provider is built. It lists every problem
 * found, each naming the setting, the rule and (when it is safe to repeat) the value.
 */
public class IamConfigurationException extends IamAuthException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /**
   * @param problems one line per problem, e.g. {@code region: "us-east" is not an AWS region}
   */
  public IamConfigurationException(List<String> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * @param problem the single problem found
   */
  public IamConfigurationException(String problem) {
    this(List.of(problem));
  }

  /** The problems found, one line each. */
  public List<String> problems() {
    return problems;
  }

  private static String format(List<String> problems) {
    if (problems.size() == 1) {
      return "invalid iamauth4j configuration: " + problems.get(0);
    }
    return "invalid iamauth4j configuration ("
        + problems.size()
        + " problems):\n  - "
        + String.join("\n  - ", problems);
  }
}
