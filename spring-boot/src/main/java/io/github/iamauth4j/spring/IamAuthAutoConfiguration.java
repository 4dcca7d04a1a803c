package io.github.iamauth4j.spring;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.jdbc.IamDriver;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import io.github.iamauth4j.jedis.IamJedis;
import io.github.iamauth4j.lettuce.IamLettuce;
import io.github.iamauth4j.micrometer.IamAuthMeterBinder;
import io.github.iamauth4j.redisson.IamRedisson;
import io.github.iamauth4j.spring.internal.HikariConfigurer;
import io.github.iamauth4j.spring.internal.IamRedissonCustomizer;
import io.github.iamauth4j.spring.internal.JedisFactoryReplacer;
import io.github.iamauth4j.spring.internal.RedisSettings;
import io.github.iamauth4j.spring.internal.Registrars;
import io.micrometer.core.instrument.Tags;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;

/**
 * Spring Boot 3.5 / 4.0 auto-configuration: IAM authentication for Spring Data Redis (Lettuce or
 * Jedis) or Redisson's own starter from {@code iamauth4j.redis.*}, for a HikariCP 7 data source
 * from {@code iamauth4j.datasource.*}, a health indicator per token provider, and Micrometer
 * meters. The {@code jdbc:iamauth4j:} URL needs no bean: {@link
 * IamDataSourceEnvironmentPostProcessor} names its driver for Boot's own data source
 * auto-configuration.
 *
 * <p>Credentials: an {@link AwsCredentialsProvider} bean if the app has exactly one, else the AWS
 * SDK's default chain. Every {@link IamAuthListener} bean hears the providers' events.
 */
@AutoConfiguration(
    beforeName = {
      "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
      "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration"
    })
@EnableConfigurationProperties({IamRedisProperties.class, IamDataSourceProperties.class})
public class IamAuthAutoConfiguration {
  /** Redisson's own Spring Boot starter, when the app has it. */
  static final String REDISSON_STARTER =
      "org.redisson.spring.starter.RedissonAutoConfigurationCustomizer";

  /** The app's credentials bean and listener beans on a configuration builder. */
  static IamAuthConfig.Builder auth(
      ObjectProvider<AwsCredentialsProvider> credentials,
      ObjectProvider<IamAuthListener> listeners) {
    IamAuthConfig.Builder b = IamAuthConfig.builder();
    AwsCredentialsProvider c = credentials.getIfUnique();
    if (c != null) {
      b.credentialsProvider(c);
    }
    listeners.orderedStream().forEach(b::listener);
    return b;
  }

  /** The token provider's configuration for {@code iamauth4j.redis.*}, every problem named. */
  static IamAuthConfig redisConfig(
      IamRedisProperties p,
      RedisSettings s,
      ObjectProvider<AwsCredentialsProvider> credentials,
      ObjectProvider<IamAuthListener> listeners) {
    List<String> problems = new ArrayList<>();
    String user = p.getUser() != null ? p.getUser() : s.username();
    if (user == null || user.isBlank()) {
      problems.add(
          "iamauth4j.redis.user: is required (expected the IAM-enabled user id; or keep"
              + " spring.data.redis.username)");
    } else if (p.getUser() != null && s.username() != null && !p.getUser().equals(s.username())) {
      problems.add(
          "spring.data.redis.username: differs from iamauth4j.redis.user (expected the same user,"
              + " or only one of them)");
    }
    if (s.passwordSet()) {
      problems.add(
          "spring.data.redis.password: is set (expected none: the IAM token is the password;"
              + " delete it)");
    }
    if (s.sentinel()) {
      problems.add(
          "spring.data.redis.sentinel.master: is set (expected none: ElastiCache and MemoryDB have"
              + " no Sentinel)");
    }
    IamTarget target = null;
    if (user != null && !user.isBlank()) {
      String name = p.getCacheName() == null ? "" : p.getCacheName();
      try {
        target =
            switch (p.getKind()) {
              case ELASTICACHE -> IamTarget.elastiCache(name, user);
              case ELASTICACHE_SERVERLESS -> IamTarget.elastiCacheServerless(name, user);
              case MEMORYDB -> IamTarget.memoryDb(name, user);
            };
      } catch (IamConfigurationException e) {
        for (String problem : e.problems()) {
          problems.add("iamauth4j.redis.cache-name / iamauth4j.redis.user: " + problem);
        }
      }
    }
    IamAuthConfig.Builder b = auth(credentials, listeners);
    if (target != null) {
      b.target(target);
    }
    if (p.getRegion() != null) {
      b.region(p.getRegion());
    } else {
      b.endpoint(s.host());
    }
    if (!problems.isEmpty()) {
      throw new IamConfigurationException(problems);
    }
    try {
      return b.build();
    } catch (IamConfigurationException e) {
      List<String> named = new ArrayList<>();
      for (String problem : e.problems()) {
        named.add(
            problem.startsWith("region") ? "iamauth4j.redis." + problem : "iamauth4j: " + problem);
      }
      throw new IamConfigurationException(named);
    }
  }

  /** The renewal policy for {@code iamauth4j.redis.connection-limit} and its interval. */
  static RenewalPolicy renewalPolicy(IamRedisProperties p) {
    Duration limit = p.getConnectionLimit();
    Duration interval = p.getReauthenticationInterval();
    try {
      if (interval == null) {
        return limit.equals(RenewalPolicy.SERVER_CONNECTION_LIMIT)
            ? RenewalPolicy.defaults()
            : RenewalPolicy.scaledTo(limit);
      }
      return RenewalPolicy.builder()
          .connectionLimit(limit)
          .reauthenticationInterval(interval)
          .reauthenticationJitter(interval.dividedBy(6))
          .maxConnectionAge(limit.dividedBy(2))
          .maxConnectionAgeJitter(limit.dividedBy(12))
          .build();
    } catch (IamConfigurationException e) {
      List<String> named = new ArrayList<>();
      for (String problem : e.problems()) {
        named.add(
            problem
                .replace("connectionLimit:", "iamauth4j.redis.connection-limit:")
                .replace("reauthenticationInterval:", "iamauth4j.redis.reauthentication-interval:")
                .replace("RenewalPolicy.builder()", "iamauth4j.redis.reauthentication-interval"));
      }
      throw new IamConfigurationException(named);
    }
  }

  /** The app's spring.data.redis settings, when IAM is on for Redis. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "iamauth4j.redis", name = "cache-name")
  static class RedisSettingsConfiguration {
    @Bean(Registrars.REDIS_SETTINGS)
    RedisSettings iamauth4jRedisSettings(Environment environment) {
      return RedisSettings.of(environment);
    }
  }

  /** Spring Data Redis with Lettuce (Boot's default client when both are present). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "io.lettuce.core.RedisClient",
        "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory"
      })
  @ConditionalOnMissingClass(REDISSON_STARTER)
  @ConditionalOnProperty(prefix = "iamauth4j.redis", name = "cache-name")
  @Conditional(LettuceChosen.class)
  @Import({Registrars.LettuceHooks.class, Registrars.RedisHealth.class})
  static class LettuceConfiguration {

    @Bean(name = Registrars.LETTUCE, destroyMethod = "close")
    IamLettuce iamauth4jLettuce(
        IamRedisProperties properties,
        Environment environment,
        ObjectProvider<AwsCredentialsProvider> credentials,
        ObjectProvider<IamAuthListener> listeners) {
      RedisSettings s = RedisSettings.of(environment);
      IamLettuce.Builder b =
          IamLettuce.builder()
              .config(redisConfig(properties, s, credentials, listeners))
              .renewalPolicy(renewalPolicy(properties));
      if (properties.isAllowPlaintextForLocalTesting()) {
        b.allowPlaintextForLocalTesting();
      }
      IamLettuce iam = b.build();
      try {
        // Refuse a plaintext spring.data.redis setup now, before Boot connects.
        iam.credentialsProvider(s.host(), s.port(), s.ssl(), true);
      } catch (RuntimeException e) {
        iam.close();
        throw e;
      }
      return iam;
    }

    @Bean(name = Registrars.REDIS_TOKEN_PROVIDER, destroyMethod = "")
    IamTokenProvider iamauth4jRedisTokenProvider(IamLettuce iamauth4jLettuce) {
      return iamauth4jLettuce.tokenProvider();
    }
  }

  /** Spring Data Redis with Jedis. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "redis.clients.jedis.Jedis",
        "org.springframework.data.redis.connection.jedis.JedisConnectionFactory"
      })
  @ConditionalOnMissingClass(REDISSON_STARTER)
  @ConditionalOnProperty(prefix = "iamauth4j.redis", name = "cache-name")
  @Conditional(JedisChosen.class)
  @Import(Registrars.RedisHealth.class)
  static class JedisConfiguration {

    @Bean(destroyMethod = "close")
    IamJedis iamauth4jJedis(
        IamRedisProperties properties,
        Environment environment,
        ObjectProvider<AwsCredentialsProvider> credentials,
        ObjectProvider<IamAuthListener> listeners) {
      RedisSettings s = RedisSettings.of(environment);
      IamJedis.Builder b =
          IamJedis.builder()
              .config(redisConfig(properties, s, credentials, listeners))
              .renewalPolicy(renewalPolicy(properties));
      if (properties.isAllowPlaintextForLocalTesting()) {
        b.allowPlaintextForLocalTesting();
      }
      IamJedis iam = b.build();
      if (!s.ssl() && !properties.isAllowPlaintextForLocalTesting()) {
        iam.close();
        // The adapter checks each connection's configuration too; refuse before Boot connects.
        throw plaintextRefused();
      }
      return iam;
    }

    @Bean(name = Registrars.REDIS_TOKEN_PROVIDER, destroyMethod = "")
    IamTokenProvider iamauth4jRedisTokenProvider(IamJedis iamauth4jJedis) {
      return iamauth4jJedis.tokenProvider();
    }

    @Bean
    static JedisFactoryReplacer iamauth4jJedisFactoryReplacer(ObjectProvider<IamJedis> iam) {
      return new JedisFactoryReplacer(iam);
    }
  }

  /**
   * Redisson's own Spring Boot starter: its {@code RedissonClient}, built from {@code
   * spring.data.redis.*}, authenticates with IAM through the Redisson adapter (a customizer on the
   * starter's {@code Config}). Its {@code RedissonConnectionFactory} then serves Spring Data Redis,
   * so the Lettuce and Jedis wiring stand aside.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {REDISSON_STARTER, "org.redisson.config.Config"})
  @ConditionalOnProperty(prefix = "iamauth4j.redis", name = "cache-name")
  @Import(Registrars.RedisHealth.class)
  static class RedissonConfiguration {

    @Bean(destroyMethod = "close")
    IamRedisson iamauth4jRedisson(
        IamRedisProperties properties,
        Environment environment,
        ObjectProvider<AwsCredentialsProvider> credentials,
        ObjectProvider<IamAuthListener> listeners) {
      RedisSettings s = RedisSettings.of(environment);
      IamRedisson.Builder b =
          IamRedisson.builder()
              .config(redisConfig(properties, s, credentials, listeners))
              .renewalPolicy(renewalPolicy(properties));
      if (properties.isAllowPlaintextForLocalTesting()) {
        b.allowPlaintextForLocalTesting();
      }
      IamRedisson iam = b.build();
      if (!s.ssl() && !properties.isAllowPlaintextForLocalTesting()) {
        iam.close();
        // The adapter checks Redisson's Config too; refuse before the starter connects.
        throw plaintextRefused();
      }
      return iam;
    }

    @Bean(name = Registrars.REDIS_TOKEN_PROVIDER, destroyMethod = "")
    IamTokenProvider iamauth4jRedisTokenProvider(IamRedisson iamauth4jRedisson) {
      return iamauth4jRedisson.tokenProvider();
    }

    @Bean
    IamRedissonCustomizer iamauth4jRedissonCustomizer(IamRedisson iamauth4jRedisson) {
      return new IamRedissonCustomizer(iamauth4jRedisson);
    }
  }

  /** Refusal of a plaintext {@code spring.data.redis} setup, before any token is sent. */
  static io.github.iamauth4j.core.InsecureConnectionException plaintextRefused() {
    return new io.github.iamauth4j.core.InsecureConnectionException(
        "spring.data.redis.ssl.enabled",
        "spring.data.redis.ssl.enabled: false (expected true, or a rediss:// URL: an IAM token"
            + " is a password and is never sent in clear; no token was sent; for a local"
            + " test server only: iamauth4j.redis.allow-plaintext-for-local-testing=true)");
  }

  /** A HikariCP 7 data source on a driver's own URL: tokens through its credentials provider. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "com.zaxxer.hikari.HikariCredentialsProvider")
  @ConditionalOnProperty(prefix = "iamauth4j.datasource", name = "enabled", havingValue = "true")
  @Import(Registrars.DataSourceHealth.class)
  static class HikariConfiguration {

    @Bean
    static HikariConfigurer iamauth4jHikariConfigurer(
        ObjectProvider<IamDataSourceProperties> properties,
        ObjectProvider<AwsCredentialsProvider> credentials,
        ObjectProvider<IamAuthListener> listeners) {
      return new HikariConfigurer(() -> jdbcConfig(properties.getObject(), credentials, listeners));
    }

    @Bean(name = Registrars.DATA_SOURCE_TOKEN_PROVIDER, destroyMethod = "")
    IamTokenProvider iamauth4jDataSourceTokenProvider(
        DataSource dataSource, HikariConfigurer iamauth4jHikariConfigurer) {
      if (iamauth4jHikariConfigurer.credentials() == null) {
        throw new IamConfigurationException(
            "iamauth4j.datasource.enabled: true, but the data source is not HikariCP"
                + " (spring.datasource.type); use spring.datasource.url=jdbc:iamauth4j:… instead");
      }
      return iamauth4jHikariConfigurer.credentials().tokenProvider();
    }

    static IamJdbcConfig jdbcConfig(
        IamDataSourceProperties p,
        ObjectProvider<AwsCredentialsProvider> credentials,
        ObjectProvider<IamAuthListener> listeners) {
      IamAuthConfig.Builder auth = auth(credentials, listeners);
      if (p.getRegion() != null) {
        auth.region(p.getRegion());
      }
      if (p.getProfile() != null) {
        auth.credentialsProvider(ProfileCredentialsProvider.create(p.getProfile()));
      }
      if (p.getTokenExpiry() != null) {
        auth.expiry(p.getTokenExpiry());
      }
      IamJdbcConfig.Builder b =
          IamJdbcConfig.builder()
              .auth(auth)
              .allowPlaintextForLocalTesting(p.isAllowPlaintextForLocalTesting());
      if (p.getCaBundle() != null) {
        b.caBundle(Path.of(p.getCaBundle()));
      }
      return b.build();
    }
  }

  /**
   * Meters: one binder, which Boot binds to its registries, heard as a listener by every token
   * provider made here (so the first token counts) and by the JDBC URL driver's providers.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  static class MetersConfiguration {
    @Bean(destroyMethod = "close")
    IamAuthMeterBinder iamauth4jMeterBinder() {
      return IamAuthMeterBinder.withTags(Tags.empty());
    }

    /** Once every provider bean exists, the binder also reads their current token's life. */
    @Bean
    SmartInitializingSingleton iamauth4jMeterProviders(
        IamAuthMeterBinder iamauth4jMeterBinder, ObjectProvider<IamTokenProvider> providers) {
      return () -> providers.orderedStream().forEach(iamauth4jMeterBinder::add);
    }

    /** The {@code jdbc:iamauth4j:} driver's providers report to the binder too. */
    @Bean
    DisposableBean iamauth4jDriverMeters(IamAuthMeterBinder iamauth4jMeterBinder) {
      IamDriver.addListener(iamauth4jMeterBinder);
      return () -> IamDriver.removeListener(iamauth4jMeterBinder);
    }
  }

  /** Lettuce is present and {@code spring.data.redis.client-type} is unset or lettuce. */
  static final class LettuceChosen implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      String type = context.getEnvironment().getProperty("spring.data.redis.client-type");
      return type == null || type.equalsIgnoreCase("lettuce");
    }
  }

  /** {@code spring.data.redis.client-type=jedis}, or Jedis without Lettuce (Boot's own choice). */
  static final class JedisChosen implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      String type = context.getEnvironment().getProperty("spring.data.redis.client-type");
      if (type != null) {
        return type.equalsIgnoreCase("jedis");
      }
      return !ClassUtils.isPresent("io.lettuce.core.RedisClient", context.getClassLoader());
    }
  }
}
