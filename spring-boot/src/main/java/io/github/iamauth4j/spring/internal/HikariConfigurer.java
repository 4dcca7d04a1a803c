package io.github.iamauth4j.spring.internal;

import com.zaxxer.hikari.HikariDataSource;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import io.github.iamauth4j.jdbc.hikari.IamHikari;
import io.github.iamauth4j.jdbc.hikari.IamHikariCredentialsProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Gives the {@link HikariDataSource} that Boot configured from {@code spring.datasource.*} HikariCP
 * 7's credentials provider ({@link IamHikari#configure}), after Boot has bound its properties and
 * before the pool starts; closes it with the pool.
 */
public final class HikariConfigurer implements DestructionAwareBeanPostProcessor, Ordered {
  private final Supplier<IamJdbcConfig> config;
  private final Map<Object, IamHikariCredentialsProvider> configured = new ConcurrentHashMap<>();
  private volatile IamHikariCredentialsProvider last;

  /**
   * @param config the adapter's settings, read when the data source appears
   */
  public HikariConfigurer(Supplier<IamJdbcConfig> config) {
    this.config = config;
  }

  /** The credentials provider of the last data source configured, or null. */
  public IamHikariCredentialsProvider credentials() {
    return last;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof HikariDataSource hikari && !configured.containsKey(bean)) {
      IamHikariCredentialsProvider credentials = IamHikari.configure(hikari, config.get());
      configured.put(bean, credentials);
      last = credentials;
    }
    return bean;
  }

  @Override
  public void postProcessBeforeDestruction(Object bean, String beanName) {
    IamHikariCredentialsProvider credentials = configured.remove(bean);
    if (credentials != null) {
      if (bean instanceof HikariDataSource hikari) {
        hikari.close();
      }
      credentials.close();
    }
  }

  @Override
  public boolean requiresDestruction(Object bean) {
    return bean instanceof HikariDataSource;
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
