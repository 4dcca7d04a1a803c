package io.github.iamauth4j.spring.internal;

import io.github.iamauth4j.redisson.IamRedisson;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Objects;
import org.redisson.config.Config;
import org.redisson.spring.starter.RedissonAutoConfigurationCustomizer;

/**
 * Redisson's own Spring Boot starter builds its {@code Config} from {@code spring.data.redis.*} and
 * hands it to every {@link RedissonAutoConfigurationCustomizer} before {@code
 * Redisson.create(config)}: this one secures that very {@code Config} with the Redisson adapter
 * ({@link IamRedisson#configure(Config)}: credentials resolver, {@code IamNettyHook}, RESP3; a
 * plaintext or unverified address, a Sentinel setup or a password in an address refused), then
 * writes the secured settings back into the starter's instance, since the adapter returns a copy.
 */
public final class IamRedissonCustomizer implements RedissonAutoConfigurationCustomizer {
  private static final String[] SERVER_SECTIONS = {
    "SingleServerConfig",
    "ClusterServersConfig",
    "ReplicatedServersConfig",
    "MasterSlaveServersConfig"
  };

  private final IamRedisson iam;

  /** Secures with {@code iam}. */
  public IamRedissonCustomizer(IamRedisson iam) {
    this.iam = Objects.requireNonNull(iam, "iam");
  }

  @Override
  public void customize(Config configuration) {
    Config secured = iam.configure(configuration);
    for (String section : SERVER_SECTIONS) {
      copy(secured, configuration, "get" + section, "set" + section);
    }
    // Redisson 4.x also keeps the resolver (and the server settings) at the top level.
    copyIfPresent(secured, configuration, "getCredentialsResolver", "setCredentialsResolver");
    configuration.setNettyHook(secured.getNettyHook());
    configuration.setProtocol(secured.getProtocol());
  }

  private static void copy(Config from, Config to, String getter, String setter) {
    try {
      Method get = Config.class.getDeclaredMethod(getter);
      get.setAccessible(true);
      Object value = get.invoke(from);
      if (value == null) {
        return;
      }
      Method set = Config.class.getDeclaredMethod(setter, get.getReturnType());
      set.setAccessible(true);
      set.invoke(to, value);
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException(
          "this Redisson version has no Config." + getter + "()/" + setter + "(...)", e);
    }
  }

  private static void copyIfPresent(Config from, Config to, String getter, String setter) {
    Method get;
    try {
      get = Config.class.getMethod(getter);
    } catch (NoSuchMethodException e) {
      return; // Redisson 3.x: the server section holds it, copied above
    }
    try {
      Object value = get.invoke(from);
      if (value != null) {
        Config.class.getMethod(setter, get.getReturnType()).invoke(to, value);
      }
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot copy Config." + getter + "()", e);
    }
  }

  @Override
  public String toString() {
    return "IamRedissonCustomizer[" + iam + "]";
  }
}
