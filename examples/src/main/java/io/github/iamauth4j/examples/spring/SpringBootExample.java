package io.github.iamauth4j.examples.spring;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A Spring Boot app that went passwordless with {@code iamauth4j-spring-boot} and properties only:
 * Spring Data Redis keeps {@code spring.data.redis.host}/{@code port}/{@code ssl} and loses its
 * password for {@code iamauth4j.redis.*}, and the data source is {@code
 * spring.datasource.url=jdbc:iamauth4j:…} with a user name (no driver class name, no password).
 * There is no iamauth4j code in the app: in a real one, the properties live in {@code
 * application.properties}:
 *
 * <pre>
 * spring.data.redis.host=master.orders.abc123.use1.cache.amazonaws.com
 * spring.data.redis.port=6379
 * spring.data.redis.ssl.enabled=true
 * iamauth4j.redis.cache-name=orders
 * iamauth4j.redis.user=app
 * spring.datasource.url=jdbc:iamauth4j:postgresql://db1.abc123.eu-west-1.rds.amazonaws.com:5432/app
 * spring.datasource.username=app
 * iamauth4j.datasource.ca-bundle=/etc/ssl/rds/global-bundle.pem
 * </pre>
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class SpringBootExample {

  /** Starts the app; {@code args} are Boot's {@code --name=value} properties. */
  public static void main(String[] args) {
    try (ConfigurableApplicationContext app = start(List.of(args))) {
      System.out.println("redis: " + app.getBean(StringRedisTemplate.class).opsForValue().get("x"));
    }
  }

  /**
   * Starts the app with {@code properties} ({@code name=value}, as in {@code
   * application.properties}), without a web server.
   *
   * @param properties the app's properties
   * @return the running application; close it to stop
   */
  public static ConfigurableApplicationContext start(List<String> properties) {
    List<String> all = new ArrayList<>(properties);
    all.add("spring.main.banner-mode=off");
    all.add("management.endpoints.web.exposure.include=health,metrics");
    all.add("management.endpoint.health.show-details=always");
    return new SpringApplicationBuilder(SpringBootExample.class)
        .web(WebApplicationType.NONE)
        .properties(all.toArray(String[]::new))
        .run();
  }

  /** What the app does with Redis: a counter, through Spring Data Redis. */
  public static long countVisit(ConfigurableApplicationContext app) {
    Long visits = app.getBean(StringRedisTemplate.class).opsForValue().increment("visits");
    return visits == null ? 0 : visits;
  }

  /** What the app does with its database: who it is connected as. */
  public static String databaseUser(ConfigurableApplicationContext app) {
    return app.getBean(JdbcTemplate.class).queryForObject("select current_user", String.class);
  }
}
