package io.github.iamauth4j.cli;

import java.io.InputStream;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;

/**
 * What a command takes from its surroundings besides its arguments: standard input, the clock and
 * where credentials come from. {@link #system()} in production; tests swap parts.
 *
 * @param in standard input ({@code inspect -})
 * @param clock "now", for signing and for judging expiry
 * @param credentials the credentials provider for a {@code --profile} name, or for none (null)
 */
record CliContext(
    InputStream in, Clock clock, Function<@Nullable String, AwsCredentialsProvider> credentials) {

  CliContext {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(credentials, "credentials");
  }

  /** Standard input, the system clock, and the AWS SDK's own credential chains. */
  static CliContext system() {
    return new CliContext(System.in, Clock.systemUTC(), CliContext::sdkCredentials);
  }

  /**
   * The AWS SDK's default chain (environment, system properties, web identity, profile, container,
   * instance metadata), or the named profile only. A new provider per run, so that nothing one run
   * found is reused by the next (in-process tests run many).
   */
  static AwsCredentialsProvider sdkCredentials(@Nullable String profile) {
    if (profile == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    return ProfileCredentialsProvider.builder().profileName(profile).build();
  }

  CliContext withIn(InputStream newIn) {
    return new CliContext(newIn, clock, credentials);
  }

  CliContext withClock(Clock newClock) {
    return new CliContext(in, newClock, credentials);
  }

  CliContext withCredentials(Function<@Nullable String, AwsCredentialsProvider> newCredentials) {
    return new CliContext(in, clock, newCredentials);
  }
}
