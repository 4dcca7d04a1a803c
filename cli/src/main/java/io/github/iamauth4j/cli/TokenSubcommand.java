package io.github.iamauth4j.cli;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.AwsRegions;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenGenerator;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * What every {@code token} subcommand does: build the core's target and generator from the options,
 * sign, and print the token alone on stdout. Subclasses say what the target is.
 */
abstract class TokenSubcommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TokenOptions options;

  /**
   * The target named by the options.
   *
   * @throws IamConfigurationException if the core rejects an option value
   */
  abstract IamTarget target();

  /**
   * The option behind each setting name that the core's messages use, e.g. {@code cacheName} is
   * {@code --cache}, so that an error names what the user typed.
   */
  abstract Map<String, String> optionNames();

  /** The endpoint host to find the region in, if the command has such an option. */
  @Nullable String endpoint() {
    return null;
  }

  /** The signed expiry, if the command has such an option; otherwise the core's default. */
  @Nullable Duration expiry() {
    return null;
  }

  @Override
  public Integer call() {
    CliContext context = IamAuth4jCommand.context(spec);
    AwsCredentialsProvider credentials = context.credentials().apply(options.profile);
    try {
      IamTokenGenerator generator = generator(context, credentials);
      AuthToken token = options.at != null ? generator.generate(options.at) : generator.generate();
      PrintWriter out = spec.commandLine().getOut();
      // "\n" on every OS: a "\r" would become part of the password in a POSIX shell's $(...).
      out.print(token.value() + "\n");
      out.flush();
      if (token.usableUntil().isBefore(token.expiresAt())) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            "iamauth4j: note: the token is usable only until "
                + token.usableUntil()
                + ", when the session credentials that signed it expire");
        err.flush();
      }
      return 0;
    } finally {
      if (credentials instanceof SdkAutoCloseable closeable) {
        closeable.close();
      }
    }
  }

  private IamTokenGenerator generator(CliContext context, AwsCredentialsProvider credentials) {
    try {
      IamTarget target = target();
      String region = options.region;
      if (region == null && options.profile != null) {
        region = profileRegion(target, options.profile);
      }
      IamTokenGenerator.Builder builder =
          IamTokenGenerator.builder()
              .target(target)
              .region(region)
              .endpoint(endpoint())
              .credentialsProvider(credentials)
              .clock(context.clock());
      Duration expiry = expiry();
      if (expiry != null) {
        builder.expiry(expiry);
      }
      return builder.build();
    } catch (IamConfigurationException e) {
      throw new CliFailure(Messages.configuration(e, optionNames()), e);
    }
  }

  /**
   * With {@code --profile}, the region is that profile's, as the AWS CLI does, unless the host
   * names one. The core's own fallback (the default profile) would pick another profile's region.
   */
  private @Nullable String profileRegion(IamTarget target, String profile) {
    String endpoint = endpoint();
    if (target.regionFromHost().isPresent()
        || (endpoint != null && AwsRegions.fromHost(endpoint).isPresent())) {
      return null;
    }
    try {
      return DefaultAwsRegionProviderChain.builder().profileName(profile).build().getRegion().id();
    } catch (RuntimeException e) {
      throw new CliFailure(
          "--region: could not be determined for "
              + target.description()
              + "; tried "
              + (target.kind() == IamTarget.Kind.RDS || target.kind() == IamTarget.Kind.DSQL
                  ? "the host name, "
                  : endpoint != null ? "the --endpoint host, " : "")
              + "AWS_REGION, the aws.region system property, the profile "
              + Messages.quote(profile)
              + " and instance metadata. Pass it, e.g. --region us-east-1",
          e);
    }
  }
}
