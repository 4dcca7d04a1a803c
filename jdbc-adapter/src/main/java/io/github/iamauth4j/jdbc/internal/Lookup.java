package io.github.iamauth4j.jdbc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Reads connection settings from a driver URL's parameters and a {@link Properties}, keys matched
 * ignoring case (stricter than some drivers: every spelling a driver might honour is checked).
 * Values from the URL come first.
 */
public final class Lookup {
  private final @Nullable JdbcUrl url;
  private final Properties props;

  private Lookup(@Nullable JdbcUrl url, Properties props) {
    this.url = url;
    this.props = props;
  }

  /**
   * Settings from a URL and properties.
   *
   * @param url the URL, or null when only properties are known
   * @param props the properties (not copied: later changes are seen)
   */
  public static Lookup of(@Nullable JdbcUrl url, Properties props) {
    return new Lookup(url, props);
  }

  /**
   * Every value given for {@code key}: URL parameters, then properties.
   *
   * @param key the setting, matched ignoring case
   */
  public List<String> values(String key) {
    List<String> out = new ArrayList<>();
    if (url != null) {
      out.addAll(url.values(key));
    }
    for (String name : props.stringPropertyNames()) {
      if (name.equalsIgnoreCase(key)) {
        out.add(props.getProperty(name));
      }
    }
    return out;
  }

  /**
   * The first value for {@code key} (the URL wins over properties), if any.
   *
   * @param key the setting, matched ignoring case
   */
  public Optional<String> first(String key) {
    List<String> v = values(key);
    return v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /**
   * Whether any value is given for {@code key}.
   *
   * @param key the setting, matched ignoring case
   */
  public boolean has(String key) {
    return !values(key).isEmpty();
  }
}
