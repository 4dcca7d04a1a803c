package io.github.iamauth4j.spring;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Makes {@code spring.datasource.url=jdbc:iamauth4j:…} plus a user name all a Boot app sets: Boot
 * 3.5 and 4.0 map only the URL prefixes they know to a driver class and otherwise stop at start-up
 * ("Failed to determine a suitable driver class"), so this names the URL driver ({@code
 * spring.datasource.driver-class-name=io.github.iamauth4j.jdbc.IamDriver}) unless the app did, and
 * adds the {@code iamauth4j.datasource.*} settings to the URL as the driver's parameters ({@code
 * iamRegion}, {@code iamProfile}, {@code iamCaBundle}, {@code iamTokenExpiry}, {@code
 * iamAllowPlaintextForLocalTesting}), where the URL does not already give them. Boot's own data
 * source auto-configuration does the rest, with whichever pool the app has.
 */
public class IamDataSourceEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {
  /** The URL driver's class, named for Boot. */
  public static final String DRIVER = "io.github.iamauth4j.jdbc.IamDriver";

  /** The property source this adds, first in the environment. */
  public static final String PROPERTY_SOURCE = "iamauth4j-datasource";

  private static final String PREFIX = "jdbc:iamauth4j:";

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    String url = environment.getProperty("spring.datasource.url");
    if (url == null || !url.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return;
    }
    Map<String, Object> added = new LinkedHashMap<>();
    if (!environment.containsProperty("spring.datasource.driver-class-name")) {
      added.put("spring.datasource.driver-class-name", DRIVER);
    }
    Binder b = Binder.get(environment);
    Map<String, String> params = new LinkedHashMap<>();
    String p = "iamauth4j.datasource.";
    b.bind(p + "region", String.class).ifBound(v -> params.put("iamRegion", v));
    b.bind(p + "profile", String.class).ifBound(v -> params.put("iamProfile", v));
    b.bind(p + "ca-bundle", String.class).ifBound(v -> params.put("iamCaBundle", v));
    b.bind(p + "token-expiry", Duration.class)
        .ifBound(v -> params.put("iamTokenExpiry", v.toString()));
    b.bind(p + "allow-plaintext-for-local-testing", Boolean.class)
        .ifBound(v -> params.put("iamAllowPlaintextForLocalTesting", v.toString()));
    StringBuilder withParams = new StringBuilder(url);
    String lower = url.toLowerCase(Locale.ROOT);
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (lower.contains("?" + e.getKey().toLowerCase(Locale.ROOT) + "=")
          || lower.contains("&" + e.getKey().toLowerCase(Locale.ROOT) + "=")) {
        continue; // the URL's own parameter wins
      }
      withParams.append(withParams.indexOf("?") < 0 ? '?' : '&');
      withParams.append(e.getKey()).append('=');
      withParams.append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    if (withParams.length() != url.length()) {
      added.put("spring.datasource.url", withParams.toString());
    }
    if (!added.isEmpty()) {
      environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, added));
    }
  }

  @Override
  public int getOrder() {
    // After the application's own configuration has been loaded.
    return Ordered.LOWEST_PRECEDENCE;
  }
}
