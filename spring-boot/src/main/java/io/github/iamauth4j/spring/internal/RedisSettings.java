package io.github.iamauth4j.spring.internal;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The app's {@code spring.data.redis.*} connection settings that the IAM wiring needs, read from
 * the environment (Boot 3.5's {@code RedisProperties} and Boot 4's {@code DataRedisProperties} bind
 * the same names).
 */
public record RedisSettings(
    String host,
    int port,
    boolean ssl,
    @Nullable String username,
    boolean passwordSet,
    boolean cluster,
    boolean sentinel,
    @Nullable String clientType) {

  /** Reads them from {@code environment}. */
  public static RedisSettings of(Environment environment) {
    Binder b = Binder.get(environment);
    String prefix = "spring.data.redis.";
    String host = b.bind(prefix + "host", String.class).orElse("localhost");
    int port = b.bind(prefix + "port", Integer.class).orElse(6379);
    boolean ssl =
        b.bind(prefix + "ssl.enabled", Boolean.class).orElse(false)
            || b.bind(prefix + "ssl.bundle", String.class).isBound();
    String username = b.bind(prefix + "username", String.class).orElse(null);
    boolean password = b.bind(prefix + "password", String.class).isBound();
    String url = b.bind(prefix + "url", String.class).orElse(null);
    if (url != null) {
      URI uri = URI.create(url);
      ssl = ssl || "rediss".equalsIgnoreCase(uri.getScheme());
      if (uri.getHost() != null) {
        host = uri.getHost();
      }
      if (uri.getPort() > 0) {
        port = uri.getPort();
      }
      String info = uri.getUserInfo();
      if (info != null) {
        int colon = info.indexOf(':');
        password = password || colon >= 0;
        if (colon != 0) {
          username = colon > 0 ? info.substring(0, colon) : info;
        }
      }
    }
    boolean cluster =
        !b.bind(prefix + "cluster.nodes", Bindable.listOf(String.class))
            .map(nodes -> nodes.isEmpty())
            .orElse(true);
    boolean sentinel = b.bind(prefix + "sentinel.master", String.class).isBound();
    String clientType = b.bind(prefix + "client-type", String.class).orElse(null);
    return new RedisSettings(host, port, ssl, username, password, cluster, sentinel, clientType);
  }
}
