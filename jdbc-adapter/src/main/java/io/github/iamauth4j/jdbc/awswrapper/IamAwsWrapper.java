package io.github.iamauth4j.jdbc.awswrapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.jdbc.ConnectionPluginFactory;
import software.amazon.jdbc.profile.ConfigurationProfileBuilder;

/**
 * Registers iamauth4j with aws-advanced-jdbc-wrapper 4.x through the wrapper's supported extension
 * point, a configuration profile: the profile lists the wrapper plugins to use, followed by
 * iamauth4j's, and connections select it with {@code wrapperProfileName}.
 *
 * <pre>{@code
 * IamAwsWrapper.registerProfile("iam-failover", List.of(FailoverConnectionPluginFactory.class));
 * // jdbc:aws-wrapper:postgresql://my-cluster.cluster-abc.eu-west-1.rds.amazonaws.com:5432/app
 * //     ?wrapperProfileName=iam-failover&user=app
 * }</pre>
 *
 * <p>The wrapper's own {@code iam} plugin must not be in the list: iamauth4j's plugin replaces it.
 */
public final class IamAwsWrapper {
  private IamAwsWrapper() {}

  /**
   * Registers (or replaces) the configuration profile {@code name}: {@code wrapperPlugins} in that
   * order, then iamauth4j's plugin.
   *
   * @param name the profile name, for {@code wrapperProfileName}
   * @param wrapperPlugins the wrapper's plugin factories to use with it (e.g. {@code
   *     FailoverConnectionPluginFactory.class}); may be empty
   */
  public static void registerProfile(
      String name, List<Class<? extends ConnectionPluginFactory>> wrapperPlugins) {
    Objects.requireNonNull(name, "name");
    List<Class<? extends ConnectionPluginFactory>> factories = new ArrayList<>(wrapperPlugins);
    factories.add(IamAuth4jConnectionPluginFactory.class);
    ConfigurationProfileBuilder.get().withName(name).withPluginFactories(factories).buildAndSet();
  }
}
