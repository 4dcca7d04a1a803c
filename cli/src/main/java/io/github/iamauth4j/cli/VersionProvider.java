package io.github.iamauth4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the project version the jar was built from, and what it runs on. */
final class VersionProvider implements IVersionProvider {
  private static final String RESOURCE = "version.properties";

  @Override
  public String[] getVersion() {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // Fall back to the manifest below.
    }
    String version = p.getProperty("version");
    if (version == null) {
      Package pkg = VersionProvider.class.getPackage();
      version = pkg != null ? pkg.getImplementationVersion() : null;
    }
    return new String[] {
      "iamauth4j " + (version != null ? version : "(unknown version)"),
      "AWS SDK for Java "
          + p.getProperty("aws.sdk.version", "?")
          + ", picocli "
          + p.getProperty("picocli.version", "?"),
      "Java "
          + System.getProperty("java.version")
          + " ("
          + System.getProperty("java.vendor")
          + "), "
          + System.getProperty("os.name")
          + " "
          + System.getProperty("os.arch")
    };
  }
}
