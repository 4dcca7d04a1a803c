package io.github.iamauth4j.cli;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options every {@code token} subcommand shares. */
final class TokenOptions {
  @Option(
      order = 20,
      names = "--region",
      paramLabel = "REGION",
      description =
          "AWS region to sign for, e.g. us-east-1. Default: the region in the host name, else"
              + " AWS_REGION, else the profile's region.")
  @Nullable String region;

  @Option(
      order = 21,
      names = "--profile",
      paramLabel = "NAME",
      description =
          "Sign with this AWS profile (its credentials and region) instead of the default"
              + " credentials chain.")
  @Nullable String profile;

  @Option(
      order = 22,
      names = "--at",
      paramLabel = "INSTANT",
      converter = Conversions.InstantConverter.class,
      description =
          "Sign as of this instant instead of now (ISO-8601, e.g. 2025-01-01T00:00:00Z), to"
              + " reproduce a token byte for byte when debugging.")
  @Nullable Instant at;
}
