package io.github.iamauth4j.spring.internal;

import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.lettuce.IamLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.resource.ClientResources;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.RedisCredentialsProviderFactory;

/**
 * Registers the beans whose types moved between Spring Boot 3.5 and 4.0: the Lettuce customizers
 * and the health indicators, each as a bean definition of the type this Boot has, built by a proxy.
 */
public final class Registrars {
  private Registrars() {}

  /** The name of the Redis token provider bean. */
  public static final String REDIS_TOKEN_PROVIDER = "iamauth4jRedisTokenProvider";

  /** The name of the data source token provider bean (HikariCP 7). */
  public static final String DATA_SOURCE_TOKEN_PROVIDER = "iamauth4jDataSourceTokenProvider";

  /** The name of the bean holding the app's spring.data.redis settings. */
  public static final String REDIS_SETTINGS = "iamauth4jRedisSettings";

  /** The name of the Lettuce adapter bean. */
  public static final String LETTUCE = "iamauth4jLettuce";

  static void register(
      BeanDefinitionRegistry registry,
      String name,
      Class<?> type,
      java.util.function.Supplier<Object> supplier) {
    if (registry.containsBeanDefinition(name)) {
      return;
    }
    RootBeanDefinition definition = new RootBeanDefinition();
    definition.setTargetType(type);
    definition.setInstanceSupplier(supplier);
    registry.registerBeanDefinition(name, definition);
  }

  /**
   * A health indicator (when the app has Actuator's health) named {@code component} for the token
   * provider bean {@code providerBean}.
   */
  static void registerHealth(
      BeanDefinitionRegistry registry, BeanFactory beans, String component, String providerBean) {
    Class<?> indicator =
        BootTypes.find(Registrars.class.getClassLoader(), BootTypes.HEALTH_INDICATOR);
    if (indicator == null) {
      return;
    }
    register(
        registry,
        component + "HealthIndicator",
        indicator,
        () ->
            BootTypes.healthIndicator(
                indicator,
                "iamauth4j health of " + providerBean,
                () -> TokenHealth.of(beans.getBean(providerBean, IamTokenProvider.class))));
  }

  /** Health for the Redis token provider (Lettuce or Jedis). */
  public static final class RedisHealth implements ImportBeanDefinitionRegistrar, BeanFactoryAware {
    private BeanFactory beans;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
      this.beans = beanFactory;
    }

    @Override
    public void registerBeanDefinitions(
        AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
      registerHealth(registry, beans, "iamauth4jRedis", REDIS_TOKEN_PROVIDER);
    }
  }

  /** Health for the data source's token provider (HikariCP 7). */
  public static final class DataSourceHealth
      implements ImportBeanDefinitionRegistrar, BeanFactoryAware {
    private BeanFactory beans;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
      this.beans = beanFactory;
    }

    @Override
    public void registerBeanDefinitions(
        AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
      registerHealth(registry, beans, "iamauth4jDataSource", DATA_SOURCE_TOKEN_PROVIDER);
    }
  }

  /**
   * Boot's three Lettuce hooks: the credentials provider factory (TLS checked per connection), the
   * client options that live re-authentication needs, and an event bus that reports
   * re-authentications to the listeners and meters.
   */
  public static final class LettuceHooks
      implements ImportBeanDefinitionRegistrar, BeanFactoryAware {
    private BeanFactory beans;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
      this.beans = beanFactory;
    }

    @Override
    public void registerBeanDefinitions(
        AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
      ClassLoader loader = Registrars.class.getClassLoader();
      Class<?> config = BootTypes.find(loader, BootTypes.LETTUCE_CLIENT_CONFIGURATION_CUSTOMIZER);
      Class<?> options = BootTypes.find(loader, BootTypes.LETTUCE_CLIENT_OPTIONS_CUSTOMIZER);
      Class<?> resources = BootTypes.find(loader, BootTypes.CLIENT_RESOURCES_CUSTOMIZER);
      if (config == null || options == null || resources == null) {
        throw new IllegalStateException(
            "iamauth4j: this Spring Boot has none of the Lettuce customizers of Boot 3.5 or 4.0");
      }
      register(
          registry,
          "iamauth4jLettuceCredentials",
          config,
          () ->
              BootTypes.customizer(
                  config,
                  "iamauth4j Lettuce credentials",
                  b ->
                      ((LettuceClientConfiguration.LettuceClientConfigurationBuilder) b)
                          .redisCredentialsProviderFactory(
                              new Credentials(
                                  beans.getBean(LETTUCE, IamLettuce.class),
                                  beans.getBean(REDIS_SETTINGS, RedisSettings.class)))));
      register(
          registry,
          "iamauth4jLettuceClientOptions",
          options,
          () ->
              BootTypes.customizer(
                  options,
                  "iamauth4j Lettuce client options",
                  b ->
                      beans
                          .getBean(LETTUCE, IamLettuce.class)
                          .configure((ClientOptions.Builder) b)));
      register(
          registry,
          "iamauth4jLettuceClientResources",
          resources,
          () ->
              BootTypes.customizer(
                  resources,
                  "iamauth4j Lettuce re-authentication events",
                  b ->
                      beans
                          .getBean(LETTUCE, IamLettuce.class)
                          .configure((ClientResources.Builder) b)));
    }
  }

  /** Spring Data Redis's factory: the adapter's provider, for TLS connections only. */
  static final class Credentials implements RedisCredentialsProviderFactory {
    private final IamLettuce iam;
    private final RedisSettings settings;

    Credentials(IamLettuce iam, RedisSettings settings) {
      this.iam = iam;
      this.settings = settings;
    }

    @Override
    public RedisCredentialsProvider createCredentialsProvider(RedisConfiguration configuration) {
      String host = settings.host();
      int port = settings.port();
      if (configuration instanceof RedisConfiguration.WithHostAndPort h) {
        host = h.getHostName();
        port = h.getPort();
      }
      return iam.credentialsProvider(host, port, settings.ssl(), true);
    }

    @Override
    public String toString() {
      return "iamauth4j credentials for " + iam.tokenProvider().target().description();
    }
  }
}
