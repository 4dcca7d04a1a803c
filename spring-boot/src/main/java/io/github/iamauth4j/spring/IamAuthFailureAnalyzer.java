package io.github.iamauth4j.spring;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.InsecureConnectionException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an iamauth4j configuration problem that stops start-up into Boot's one clear report: every
 * problem, each naming its setting, and what to do. A plaintext connection refused by the TLS rule
 * names the TLS settings and the opt-out property.
 */
public class IamAuthFailureAnalyzer extends AbstractFailureAnalyzer<IamConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, IamConfigurationException cause) {
    StringBuilder description = new StringBuilder("iamauth4j could not be configured:");
    for (String problem : cause.problems()) {
      description.append(System.lineSeparator()).append("    - ").append(problem);
    }
    String action;
    if (cause instanceof InsecureConnectionException) {
      action =
          "Connect over verified TLS: for Redis, spring.data.redis.ssl.enabled=true (or"
              + " spring.data.redis.ssl.bundle, or a rediss:// spring.data.redis.url); for a"
              + " database, the driver's sslmode / sslMode. No token was sent. Only for a local"
              + " test server: iamauth4j.redis.allow-plaintext-for-local-testing=true or"
              + " iamauth4j.datasource.allow-plaintext-for-local-testing=true.";
    } else {
      action =
          "Fix the settings named above (the iamauth4j.redis.*, iamauth4j.datasource.*,"
              + " spring.data.redis.* and spring.datasource.* properties).";
    }
    return new FailureAnalysis(description.toString(), action, cause);
  }
}
