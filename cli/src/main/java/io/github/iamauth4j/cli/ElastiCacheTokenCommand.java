package io.github.iamauth4j.cli;

import io.github.iamauth4j.core.IamTarget;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code iamauth4j token elasticache}: a token for an ElastiCache (Valkey / Redis OSS) cache. */
@Command(
    name = "elasticache",
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "A token for an ElastiCache cache (Valkey or Redis OSS).",
      "The password to send with AUTH <user> <token> or HELLO 3 AUTH <user> <token>, "
          + "over TLS.",
      "It signs the cache's name, not its endpoint, so the region must come from "
          + "elsewhere: --region, or --endpoint to read it from the endpoint's host name."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  E=master.orders.abc123.use1.cache.amazonaws.com",
      "  redis-cli --tls -h $E --user app \\",
      "    --pass \"$(iamauth4j token elasticache --cache orders --user app \\",
      "                --endpoint $E)\"",
      "  iamauth4j token elasticache --cache sessions --user app --serverless \\",
      "    --region us-east-1"
    })
final class ElastiCacheTokenCommand extends TokenSubcommand {
  @Mixin HelpOptions helpOptions;

  @Option(
      order = 1,
      names = "--cache",
      required = true,
      paramLabel = "NAME",
      description =
          "The replication group id, or with --serverless the serverless cache name, e.g. orders.")
  String cache;

  @Option(
      order = 2,
      names = "--user",
      required = true,
      paramLabel = "ID",
      description = "The ElastiCache user id (for IAM users it equals the user name), e.g. app.")
  String user;

  @Option(
      order = 3,
      names = "--serverless",
      description =
          "The cache is an ElastiCache Serverless cache (signs ResourceType=ServerlessCache;"
              + " getting this wrong yields WRONGPASS).")
  boolean serverless;

  @Option(
      order = 4,
      names = "--endpoint",
      paramLabel = "HOST",
      description = "The endpoint you connect to: only to read the region from its name.")
  @Nullable String endpoint;

  @Override
  IamTarget target() {
    return serverless
        ? IamTarget.elastiCacheServerless(cache, user)
        : IamTarget.elastiCache(cache, user);
  }

  @Override
  Map<String, String> optionNames() {
    return Map.of("cacheName", "--cache", "userId", "--user", "endpoint", "--endpoint");
  }

  @Override
  @Nullable String endpoint() {
    return endpoint;
  }
}
