package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.jdbc.IamJdbcConfig;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The JDBC-only settings a {@link ConnectionPlan} needs, from connection properties or from an
 * {@link IamJdbcConfig}.
 *
 * @param caBundle a PEM file of CA certificates, or null
 * @param allowPlaintext the plaintext opt-out
 * @param signingHost the host to sign for instead of the one connected to, or null
 * @param signingPort the port to sign for instead, or -1
 * @param fromProperties whether they were given as connection properties (messages name {@code
 *     iamCaBundle}, …) rather than on {@link IamJdbcConfig.Builder}
 */
public record PlanSettings(
    @Nullable Path caBundle,
    boolean allowPlaintext,
    @Nullable String signingHost,
    int signingPort,
    boolean fromProperties) {

  /**
   * The settings of {@code config}.
   *
   * @param config the configuration
   */
  public static PlanSettings of(IamJdbcConfig config) {
    return new PlanSettings(
        config.caBundle(),
        config.allowPlaintextForLocalTesting(),
        config.signingHost(),
        config.signingPort(),
        false);
  }

  /** How the user sets the CA bundle, for messages. */
  public String caBundleSetting() {
    return fromProperties ? IamJdbcConfig.CA_BUNDLE : "IamJdbcConfig.Builder.caBundle(…)";
  }

  /** How the user sets the plaintext opt-out, for messages. */
  public String optOut() {
    return fromProperties
        ? IamJdbcConfig.ALLOW_PLAINTEXT + "=true"
        : "IamJdbcConfig.Builder.allowPlaintextForLocalTesting(true)";
  }
}
