package io.github.iamauth4j.cli;

import io.github.iamauth4j.core.IamTarget;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code iamauth4j token memorydb}: a token for a MemoryDB cluster. */
@Command(
    name = "memorydb",
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "A token for a MemoryDB cluster.",
      "The password of the cluster's IAM-enabled ACL user, sent over TLS.",
      "It signs the cluster's name, so the region must come from elsewhere: --region, "
          + "or --endpoint to read it from the cluster endpoint."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  E=clustercfg.carts.abc123.memorydb.eu-west-1.amazonaws.com",
      "  redis-cli --tls -c -h $E --user app \\",
      "    --pass \"$(iamauth4j token memorydb --cluster carts --user app \\",
      "                --endpoint $E)\""
    })
final class MemoryDbTokenCommand extends TokenSubcommand {
  @Mixin HelpOptions helpOptions;

  @Option(
      order = 1,
      names = "--cluster",
      required = true,
      paramLabel = "NAME",
      description = "The cluster name, e.g. carts (signed exactly as given).")
  String cluster;

  @Option(
      order = 2,
      names = "--user",
      required = true,
      paramLabel = "NAME",
      description = "The MemoryDB (ACL) user name, e.g. app (signed exactly as given).")
  String user;

  @Option(
      order = 3,
      names = "--endpoint",
      paramLabel = "HOST",
      description = "The endpoint you connect to: only to read the region from its name.")
  @Nullable String endpoint;

  @Override
  IamTarget target() {
    return IamTarget.memoryDb(cluster, user);
  }

  @Override
  Map<String, String> optionNames() {
    return Map.of("clusterName", "--cluster", "userName", "--user", "endpoint", "--endpoint");
  }

  @Override
  @Nullable String endpoint() {
    return endpoint;
  }
}
