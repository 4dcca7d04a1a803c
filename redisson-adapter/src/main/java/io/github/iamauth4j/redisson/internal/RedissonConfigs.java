package io.github.iamauth4j.redisson.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.TlsRule;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.redisson.client.NettyHook;
import org.redisson.config.BaseConfig;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.CredentialsResolver;
import org.redisson.config.MasterSlaveServersConfig;
import org.redisson.config.Protocol;
import org.redisson.config.ReplicatedServersConfig;
import org.redisson.config.SingleServerConfig;
import org.redisson.config.SslVerificationMode;

/**
 * Reads and changes a Redisson {@link Config} the same way on Redisson 3.52+ and 4.x: the server
 * section's settings (credentials resolver, TLS trust, verification mode) exist in both, deprecated
 * in 4.x where the top-level ones take over only when the server's are left at their defaults.
 */
public final class RedissonConfigs {
  private RedissonConfigs() {}

  /** The server section in use and its addresses. */
  public record Servers(String mode, BaseConfig<?> config, List<String> addresses) {}

  /**
   * The server section of {@code config}.
   *
   * @param config the configuration
   * @throws IamConfigurationException if none is set, or Sentinel is (ElastiCache and MemoryDB have
   *     no Sentinel)
   */
  public static Servers servers(Config config) {
    if (config.isSentinelConfig()) {
      throw new IamConfigurationException(
          "useSentinelServers: ElastiCache and MemoryDB have no Sentinel (expected"
              + " useSingleServer, useClusterServers, useReplicatedServers or"
              + " useMasterSlaveServers)");
    }
    SingleServerConfig single = get(config, "getSingleServerConfig", SingleServerConfig.class);
    if (single != null) {
      List<String> a = new ArrayList<>();
      if (single.getAddress() != null) {
        a.add(single.getAddress());
      }
      return new Servers("useSingleServer", single, a);
    }
    ClusterServersConfig cluster =
        get(config, "getClusterServersConfig", ClusterServersConfig.class);
    if (cluster != null) {
      return new Servers("useClusterServers", cluster, new ArrayList<>(cluster.getNodeAddresses()));
    }
    ReplicatedServersConfig replicated =
        get(config, "getReplicatedServersConfig", ReplicatedServersConfig.class);
    if (replicated != null) {
      return new Servers(
          "useReplicatedServers", replicated, new ArrayList<>(replicated.getNodeAddresses()));
    }
    MasterSlaveServersConfig masterSlave =
        get(config, "getMasterSlaveServersConfig", MasterSlaveServersConfig.class);
    if (masterSlave != null) {
      List<String> a = new ArrayList<>();
      if (masterSlave.getMasterAddress() != null) {
        a.add(masterSlave.getMasterAddress());
      }
      a.addAll(masterSlave.getSlaveAddresses());
      return new Servers("useMasterSlaveServers", masterSlave, a);
    }
    throw new IamConfigurationException(
        "Config: no server set (expected useSingleServer, useClusterServers, useReplicatedServers"
            + " or useMasterSlaveServers)");
  }

  private static <T> @Nullable T get(Config config, String getter, Class<T> type) {
    try {
      Method m = Config.class.getDeclaredMethod(getter);
      m.setAccessible(true);
      return type.cast(m.invoke(config));
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("this Redisson version has no Config." + getter + "()", e);
    }
  }

  /**
   * A copy of the app's configuration with {@code resolver} and {@code hook} on it, RESP3 (which
   * lets Redisson re-authenticate pub/sub connections in place) and the given TLS trust, after
   * checking that every address uses TLS with host name verification.
   *
   * @param app the app's configuration (not changed)
   * @param resolver the credentials resolver
   * @param hook wraps the app's Netty hook
   * @param trust certificates to trust, or null for the app's (or the JVM's)
   * @param plaintextAllowed whether the opt-out was called
   * @param optOut how the opt-out is called, for messages
   * @return the copy
   * @throws IamConfigurationException listing the problems; an {@link
   *     io.github.iamauth4j.core.InsecureConnectionException} for a plaintext or unverified address
   */
  @SuppressWarnings("deprecation") // the server section's settings: the only ones in Redisson 3.x
  public static Config secure(
      Config app,
      CredentialsResolver resolver,
      java.util.function.UnaryOperator<NettyHook> hook,
      @Nullable TrustManagerFactory trust,
      boolean plaintextAllowed,
      String optOut) {
    Config config = new Config(app);
    Servers servers = servers(config);
    List<String> problems = new ArrayList<>();
    if (servers.addresses().isEmpty()) {
      problems.add(servers.mode() + ": no address (expected e.g. rediss://host:6379)");
    }
    boolean verifies =
        servers.config().getSslVerificationMode() == SslVerificationMode.STRICT
            && topLevelVerificationMode(config) == SslVerificationMode.STRICT;
    for (String address : servers.addresses()) {
      URI uri = parse(problems, servers.mode(), address);
      if (uri == null) {
        continue;
      }
      if (uri.getRawUserInfo() != null) {
        problems.add(
            servers.mode()
                + ": the address of "
                + uri.getHost()
                + " carries a user name or password, which Redisson would send instead of the IAM"
                + " token (expected rediss://host:port)");
      }
      boolean tls = "rediss".equals(String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT));
      TlsRule.check(
          "Redisson " + servers.mode() + " address " + uri.getHost() + ":" + uri.getPort(),
          tls ? "sslVerificationMode (expected STRICT)" : "address scheme (expected rediss://)",
          tls,
          verifies,
          plaintextAllowed,
          optOut);
    }
    if (!problems.isEmpty()) {
      throw new IamConfigurationException(problems);
    }
    // Redisson 4.x takes these at the top level (and warns about the server section's), but a
    // resolver the app left in the server section would win there: replace it too.
    boolean topLevel =
        setIfPresent(config, "setCredentialsResolver", CredentialsResolver.class, resolver);
    if (!topLevel
        || !"DefaultCredentialsResolver"
            .equals(servers.config().getCredentialsResolver().getClass().getSimpleName())) {
      servers.config().setCredentialsResolver(resolver);
    }
    if (trust != null
        && !setIfPresent(config, "setSslTrustManagerFactory", TrustManagerFactory.class, trust)) {
      servers.config().setSslTrustManagerFactory(trust);
    }
    config.setNettyHook(hook.apply(config.getNettyHook()));
    config.setProtocol(Protocol.RESP3);
    return config;
  }

  /** Calls a top-level setter of Redisson 4.x; false on 3.x, which has none. */
  private static <T> boolean setIfPresent(Config config, String setter, Class<T> type, T value) {
    try {
      Config.class.getMethod(setter, type).invoke(config, value);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot call Config." + setter + "(...)", e);
    }
  }

  /** Redisson 4.x's top-level verification mode; STRICT on 3.x, which has none. */
  private static SslVerificationMode topLevelVerificationMode(Config config) {
    try {
      Method m = Config.class.getMethod("getSslVerificationMode");
      Object mode = m.invoke(config);
      return mode instanceof SslVerificationMode v ? v : SslVerificationMode.STRICT;
    } catch (NoSuchMethodException e) {
      return SslVerificationMode.STRICT;
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read Config.getSslVerificationMode()", e);
    }
  }

  private static @Nullable URI parse(List<String> problems, String mode, String address) {
    try {
      URI uri = new URI(address);
      if (uri.getHost() == null || uri.getScheme() == null) {
        problems.add(mode + ": an address is not of the form rediss://host:port");
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      problems.add(mode + ": an address is not a URI (expected rediss://host:port)");
      return null;
    }
  }
}
