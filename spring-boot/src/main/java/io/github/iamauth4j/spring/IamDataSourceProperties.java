package io.github.iamauth4j.spring;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code iamauth4j.datasource.*}: the IAM settings of the app's data source, instead of URL
 * parameters. With {@code spring.datasource.url=jdbc:iamauth4j:…} they are added to the URL as the
 * driver's parameters ({@code iamRegion}, {@code iamCaBundle}, …); with a driver's own URL ({@code
 * jdbc:postgresql:…}) and {@code iamauth4j.datasource.enabled=true}, HikariCP 7's credentials
 * provider signs the tokens.
 */
@ConfigurationProperties("iamauth4j.datasource")
public class IamDataSourceProperties {

  /**
   * Signs tokens for a data source whose spring.datasource.url is the driver's own (e.g.
   * jdbc:postgresql://...), through HikariCP 7's credentials provider. Not needed with a
   * jdbc:iamauth4j: URL.
   */
  private boolean enabled;

  /** The region the token is signed for (iamRegion). Defaults to the region in the host name. */
  private @Nullable String region;

  /** The AWS profile whose credentials sign the tokens (iamProfile). Defaults to the SDK chain. */
  private @Nullable String profile;

  /** The database's CA certificates, a PEM file (iamCaBundle), e.g. RDS's global bundle. */
  private @Nullable String caBundle;

  /** How long a token is valid (iamTokenExpiry). Defaults to 15 minutes. */
  private @Nullable Duration tokenExpiry;

  /** Allows a connection without TLS (iamAllowPlaintextForLocalTesting): a local server only. */
  private boolean allowPlaintextForLocalTesting;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public @Nullable String getRegion() {
    return region;
  }

  public void setRegion(@Nullable String region) {
    this.region = region;
  }

  public @Nullable String getProfile() {
    return profile;
  }

  public void setProfile(@Nullable String profile) {
    this.profile = profile;
  }

  public @Nullable String getCaBundle() {
    return caBundle;
  }

  public void setCaBundle(@Nullable String caBundle) {
    this.caBundle = caBundle;
  }

  public @Nullable Duration getTokenExpiry() {
    return tokenExpiry;
  }

  public void setTokenExpiry(@Nullable Duration tokenExpiry) {
    this.tokenExpiry = tokenExpiry;
  }

  public boolean isAllowPlaintextForLocalTesting() {
    return allowPlaintextForLocalTesting;
  }

  public void setAllowPlaintextForLocalTesting(boolean allowPlaintextForLocalTesting) {
    this.allowPlaintextForLocalTesting = allowPlaintextForLocalTesting;
  }
}
