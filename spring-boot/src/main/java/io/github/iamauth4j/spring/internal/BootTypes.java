package io.github.iamauth4j.spring.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The Spring Boot types that moved between Boot 3.5 and 4.0 (Boot 4 split the auto-configuration
 * into modules with new packages), found by name, Boot 4's first; and the proxies that implement
 * them. The module compiles only against API the two share.
 */
public final class BootTypes {
  private BootTypes() {}

  /** Spring Data Redis's Lettuce client configuration customizer. */
  public static final String[] LETTUCE_CLIENT_CONFIGURATION_CUSTOMIZER = {
    "org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer",
    "org.springframework.boot.autoconfigure.data.redis.LettuceClientConfigurationBuilderCustomizer"
  };

  /** Lettuce client options customizer. */
  public static final String[] LETTUCE_CLIENT_OPTIONS_CUSTOMIZER = {
    "org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer",
    "org.springframework.boot.autoconfigure.data.redis.LettuceClientOptionsBuilderCustomizer"
  };

  /** Lettuce client resources customizer. */
  public static final String[] CLIENT_RESOURCES_CUSTOMIZER = {
    "org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer",
    "org.springframework.boot.autoconfigure.data.redis.ClientResourcesBuilderCustomizer"
  };

  /** Actuator's health indicator (Boot 4: the spring-boot-health module). */
  public static final String[] HEALTH_INDICATOR = {
    "org.springframework.boot.health.contributor.HealthIndicator",
    "org.springframework.boot.actuate.health.HealthIndicator"
  };

  /**
   * The first of {@code names} that {@code loader} can load.
   *
   * @return the class, or null if none is present
   */
  public static @Nullable Class<?> find(@Nullable ClassLoader loader, String... names) {
    for (String name : names) {
      try {
        return Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        // the next name
      }
    }
    return null;
  }

  /**
   * A Boot customizer ({@code void customize(Builder)}, one abstract method) that hands the builder
   * to {@code action}.
   */
  public static Object customizer(Class<?> type, String description, Consumer<Object> action) {
    return proxy(
        type,
        description,
        (method, args) -> {
          action.accept(args[0]);
          return null;
        });
  }

  /** What a health indicator reports, turned into Boot's {@code Health} by {@link #health}. */
  public record HealthState(String status, Map<String, Object> details) {}

  /** A Boot {@code HealthIndicator} whose {@code health()} reports {@code state}. */
  public static Object healthIndicator(
      Class<?> type, String description, Supplier<HealthState> state) {
    return proxy(type, description, (method, args) -> health(type, state.get()));
  }

  private static Object health(Class<?> indicatorType, HealthState state) {
    try {
      Class<?> healthType =
          Class.forName(
              indicatorType.getPackageName() + ".Health", true, indicatorType.getClassLoader());
      Object builder = healthType.getMethod(state.status()).invoke(null);
      Method withDetail = builder.getClass().getMethod("withDetail", String.class, Object.class);
      for (Map.Entry<String, Object> e : state.details().entrySet()) {
        withDetail.invoke(builder, e.getKey(), e.getValue());
      }
      return builder.getClass().getMethod("build").invoke(builder);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build Spring Boot's Health: " + e, e);
    }
  }

  /** The abstract method's behaviour, given the method and its arguments. */
  @FunctionalInterface
  private interface Body {
    @Nullable Object call(Method method, @Nullable Object[] args);
  }

  private static Object proxy(Class<?> type, String description, Body body) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            switch (method.getName()) {
              case "toString":
                return description;
              case "hashCode":
                return System.identityHashCode(proxy);
              case "equals":
                return proxy == args[0];
              default:
                return method.invoke(proxy, args);
            }
          }
          if (method.isDefault()) {
            try {
              return InvocationHandler.invokeDefault(proxy, method, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          }
          return body.call(method, args);
        };
    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }
}
