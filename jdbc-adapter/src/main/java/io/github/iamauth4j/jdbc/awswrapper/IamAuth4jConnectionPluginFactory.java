package io.github.iamauth4j.jdbc.awswrapper;

import java.util.Properties;
import software.amazon.jdbc.ConnectionPlugin;
import software.amazon.jdbc.ConnectionPluginFactory;
import software.amazon.jdbc.util.FullServicesContainer;

/**
 * Makes {@link IamAuth4jConnectionPlugin}s; list it in a wrapper configuration profile (see {@link
 * IamAwsWrapper#registerProfile(String, java.util.List)}), after the failover and routing plugins.
 */
public final class IamAuth4jConnectionPluginFactory implements ConnectionPluginFactory {

  /** Made by the wrapper through its public no-argument constructor. */
  public IamAuth4jConnectionPluginFactory() {}

  @Override
  public ConnectionPlugin getInstance(FullServicesContainer servicesContainer, Properties props) {
    return new IamAuth4jConnectionPlugin(servicesContainer.getPluginService());
  }
}
