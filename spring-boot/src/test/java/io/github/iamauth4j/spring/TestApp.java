package io.github.iamauth4j.spring;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An application as an app team would have it: nothing but Boot's auto-configuration, configured
 * only by properties. Actuator's endpoints are read through their beans, by name and reflection,
 * because their packages differ between Boot 3.5 and 4.0 (the tests run on both).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestApp {

  /** Starts the app with {@code properties} ({@code name=value}). */
  static ConfigurableApplicationContext start(List<String> properties) {
    List<String> all = new ArrayList<>(properties);
    all.add("management.endpoints.web.exposure.include=health,metrics");
    all.add("management.endpoint.health.show-details=always");
    all.add("spring.main.banner-mode=off");
    return new SpringApplicationBuilder(TestApp.class)
        .web(WebApplicationType.NONE)
        .properties(all.toArray(String[]::new))
        .run();
  }

  /** What a failed start printed (Boot's failure analysis goes to the console log), and why. */
  record Failure(Throwable exception, String output) {}

  static Failure startFails(List<String> properties) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      try (ConfigurableApplicationContext unexpected = start(properties)) {
        throw new AssertionError("the application started: " + unexpected);
      } catch (RuntimeException e) {
        return new Failure(e, captured.toString(StandardCharsets.UTF_8));
      }
    } finally {
      System.setOut(original);
      System.out.print(captured.toString(StandardCharsets.UTF_8));
    }
  }

  /** Boot's version, to prove which Boot a run used. */
  static String bootVersion() {
    return org.springframework.boot.SpringBootVersion.getVersion();
  }

  /** The status code and details of one health component, through Actuator's HealthEndpoint. */
  record HealthView(String status, Map<String, Object> details) {}

  static HealthView health(ConfigurableApplicationContext context, String component)
      throws ReflectiveOperationException {
    Object endpoint = bean(context, "HealthEndpoint");
    Method forPath = endpoint.getClass().getMethod("healthForPath", String[].class);
    Object health = forPath.invoke(endpoint, (Object) new String[] {component});
    if (health == null) {
      throw new AssertionError("no health component " + component);
    }
    Object status = health.getClass().getMethod("getStatus").invoke(health);
    String code = (String) status.getClass().getMethod("getCode").invoke(status);
    @SuppressWarnings("unchecked")
    Map<String, Object> details =
        (Map<String, Object>) health.getClass().getMethod("getDetails").invoke(health);
    return new HealthView(code, details);
  }

  /** The meter names Actuator's MetricsEndpoint lists. */
  @SuppressWarnings("unchecked")
  static java.util.Set<String> metricNames(ConfigurableApplicationContext context)
      throws ReflectiveOperationException {
    Object endpoint = bean(context, "MetricsEndpoint");
    Object names = endpoint.getClass().getMethod("listNames").invoke(endpoint);
    return (java.util.Set<String>) names.getClass().getMethod("getNames").invoke(names);
  }

  private static Object bean(ConfigurableApplicationContext context, String simpleName) {
    for (String name : context.getBeanDefinitionNames()) {
      Class<?> type = context.getType(name);
      if (type != null && type.getSimpleName().equals(simpleName)) {
        return context.getBean(name);
      }
    }
    throw new AssertionError("no " + simpleName + " bean (Actuator's endpoints)");
  }
}
