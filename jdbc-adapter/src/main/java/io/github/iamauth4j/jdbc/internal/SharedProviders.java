package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token providers of the ways in that have no object of their own to hold one (the {@code
 * jdbc:iamauth4j:} driver, pgjdbc's authentication plugin, the aws-advanced-jdbc-wrapper plugin):
 * one per (target, region, credentials, token life), so that every connection to the same endpoint
 * as the same user reuses the current token. Bounded: the least recently used provider beyond
 * {@value #MAX_PROVIDERS} is closed.
 */
public final class SharedProviders {
  /** At most this many providers are kept. */
  public static final int MAX_PROVIDERS = 64;

  private static final Logger log = LoggerFactory.getLogger(SharedProviders.class);
  private static final List<IamAuthListener> LISTENERS = new CopyOnWriteArrayList<>();
  private static final IamAuthListener DISPATCH =
      event -> {
        for (IamAuthListener l : LISTENERS) {
          try {
            l.onEvent(event);
          } catch (RuntimeException e) {
            log.warn("an iamauth4j listener failed on {}; ignored", event.getClass(), e);
          }
        }
      };

  private static final Map<Key, IamTokenProvider> PROVIDERS =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, IamTokenProvider> eldest) {
          if (size() > MAX_PROVIDERS) {
            eldest.getValue().close();
            return true;
          }
          return false;
        }
      };

  /** What makes two connections share a provider. */
  private record Key(
      IamTarget target,
      @Nullable String region,
      @Nullable String profile,
      @Nullable String credentialsClass,
      @Nullable Duration expiry) {}

  private SharedProviders() {}

  /**
   * The current token for {@code target} under {@code settings}, from the shared provider (made,
   * and its first token fetched, on first use).
   *
   * @param target the target
   * @param settings the iamauth4j settings
   * @throws io.github.iamauth4j.core.IamAuthException if no token can be had, or the settings are
   *     invalid
   */
  public static AuthToken token(IamTarget target, PropertySettings settings) {
    Key key =
        new Key(
            target,
            settings.region(),
            settings.profile(),
            settings.credentialsClass(),
            settings.tokenExpiry());
    for (int attempt = 0; ; attempt++) {
      IamTokenProvider p = provider(key, settings);
      try {
        return p.token();
      } catch (IllegalStateException closed) {
        // Evicted and closed between lookup and use: look it up again, once.
        if (attempt > 0) {
          throw closed;
        }
      }
    }
  }

  private static IamTokenProvider provider(Key key, PropertySettings settings) {
    synchronized (PROVIDERS) {
      IamTokenProvider p = PROVIDERS.get(key);
      if (p != null) {
        return p;
      }
    }
    // Built outside the lock: resolving the region or a profile's credentials can block for
    // seconds (the SDK's chains), and connections to other endpoints must not wait on that.
    IamTokenProvider built = settings.toConfig(List.of(DISPATCH)).tokenProviderFor(key.target());
    IamTokenProvider winner;
    synchronized (PROVIDERS) {
      winner = PROVIDERS.get(key);
      if (winner == null) {
        PROVIDERS.put(key, built);
        winner = built;
      }
    }
    if (winner != built) {
      // Another connection made one first; this one never fetched a token.
      built.close();
      return winner;
    }
    log.debug("new shared token provider {}", built);
    return built.prefetch();
  }

  /**
   * Adds a listener for the events of every shared provider, present and future.
   *
   * @param listener the listener
   */
  public static void addListener(IamAuthListener listener) {
    LISTENERS.add(listener);
  }

  /**
   * Removes a listener added with {@link #addListener(IamAuthListener)}.
   *
   * @param listener the listener
   */
  public static void removeListener(IamAuthListener listener) {
    LISTENERS.remove(listener);
  }

  /** The number of shared providers now. */
  public static int size() {
    synchronized (PROVIDERS) {
      return PROVIDERS.size();
    }
  }

  /** Closes and forgets every shared provider (the next connection makes a new one). */
  public static void closeAll() {
    List<IamTokenProvider> all;
    synchronized (PROVIDERS) {
      all = new ArrayList<>(PROVIDERS.values());
      PROVIDERS.clear();
    }
    all.forEach(IamTokenProvider::close);
  }
}
