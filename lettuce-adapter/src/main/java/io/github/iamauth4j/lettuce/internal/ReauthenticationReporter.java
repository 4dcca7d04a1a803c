package io.github.iamauth4j.lettuce.internal;

import io.github.iamauth4j.core.IamAuthEvents;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.EventBus;
import io.lettuce.core.event.connection.ReauthenticationEvent;
import io.lettuce.core.event.connection.ReauthenticationFailedEvent;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * Turns Lettuce's re-authentication events (published on a {@link ClientResources} event bus since
 * Lettuce 6.6, on its own scheduler, never on an event loop) into the core's connection events, and
 * tells the {@link LettuceFallback} about tokens the server refused, on a re-authentication or on a
 * reconnect of the connection watchdog ({@link ReconnectFailedEvent}).
 */
public final class ReauthenticationReporter {
  private ReauthenticationReporter() {}

  /**
   * Starts reporting.
   *
   * @param resources the client's resources
   * @param events where the events go
   * @param fallback told about refused tokens
   * @return closing it stops the reporting
   */
  public static AutoCloseable install(
      ClientResources resources, IamAuthEvents events, LettuceFallback fallback) {
    return install(resources.eventBus(), events, fallback);
  }

  /**
   * Starts reporting the events of {@code bus}.
   *
   * @param bus an event bus, e.g. one given to a {@code ClientResources.Builder}
   * @param events where the events go
   * @param fallback told about refused tokens
   * @return closing it stops the reporting
   */
  public static AutoCloseable install(
      EventBus bus, IamAuthEvents events, LettuceFallback fallback) {
    Disposable subscription =
        bus.get()
            .subscribe(
                event -> report(event, events, fallback),
                // The bus ends when the resources shut down; nothing to do then.
                error -> {});
    return subscription::dispose;
  }

  static void report(Event event, IamAuthEvents events, LettuceFallback fallback) {
    if (event instanceof ReauthenticationEvent e) {
      events.reauthenticated(describe(e.getEpId()));
    } else if (event instanceof ReauthenticationFailedEvent e) {
      Throwable cause = e.getCause();
      Throwable reported =
          cause != null
              ? cause
              : new IllegalStateException("Lettuce reported no cause for the failure");
      events.reauthenticationFailed(describe(e.getEpId()), reported);
      fallback.reauthenticationRefused(describe(e.getEpId()), reported);
    } else if (event instanceof ReconnectFailedEvent e && e.getCause() != null) {
      // The watchdog tries again on its own backoff; after this, with the password.
      fallback.connectRefused(describe(e.remoteAddress()), e.getCause());
    }
  }

  private static String describe(@Nullable String endpointId) {
    return endpointId == null ? "Lettuce connection" : "Lettuce connection " + endpointId;
  }

  private static String describe(@Nullable SocketAddress remote) {
    return remote == null ? "Lettuce connection" : "Lettuce connection to " + remote;
  }
}
