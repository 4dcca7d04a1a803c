package io.github.iamauth4j.spring.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.jedis.IamJedis;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

/**
 * Swaps the {@link JedisConnectionFactory} that Boot configured from {@code spring.data.redis.*}
 * for an {@link IamJedisConnectionFactory} with the same settings, before it starts. Boot's own
 * auto-configuration keeps doing the property binding, SSL bundles and pool settings.
 */
public final class JedisFactoryReplacer implements DestructionAwareBeanPostProcessor, Ordered {
  private final ObjectProvider<IamJedis> iam;
  private final Map<Object, JedisConnectionFactory> replaced = new ConcurrentHashMap<>();

  /**
   * @param iam the Jedis adapter, looked up when the factory appears
   */
  public JedisFactoryReplacer(ObjectProvider<IamJedis> iam) {
    this.iam = iam;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (!(bean instanceof JedisConnectionFactory boot)
        || bean instanceof IamJedisConnectionFactory) {
      return bean;
    }
    if (boot.getClusterConfiguration() != null || boot.getSentinelConfiguration() != null) {
      throw new IamConfigurationException(
          "spring.data.redis.cluster / sentinel: not supported with Jedis by iamauth4j (Spring"
              + " Data's JedisCluster is never re-authenticated; use Lettuce for cluster mode)");
    }
    IamJedisConnectionFactory ours =
        new IamJedisConnectionFactory(
            iam.getObject(), boot.getStandaloneConfiguration(), boot.getClientConfiguration());
    replaced.put(bean, ours);
    return ours;
  }

  @Override
  public void postProcessBeforeDestruction(Object bean, String beanName) {
    // Spring destroys the instance it created; the replacement is destroyed with it.
    JedisConnectionFactory ours = replaced.remove(bean);
    if (ours != null) {
      ours.destroy();
    }
  }

  @Override
  public boolean requiresDestruction(Object bean) {
    return bean instanceof JedisConnectionFactory;
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
