package io.github.iamauth4j.core;

/**
 * Receives {@link IamAuthEvent}s, e.g. to count renewals in metrics. Called on the thread that
 * produced the event (a refresh thread or a client's I/O thread): return quickly and do not block.
 * An exception thrown here is logged and otherwise ignored.
 *
 * <pre>{@code
 * IamAuthListener metrics = event -> {
 *   if (event instanceof IamAuthEvent.RefreshFailed f) failures.increment();
 * };
 * }</pre>
 */
@FunctionalInterface
public interface IamAuthListener {

  /**
   * Called for each event.
   *
   * @param event the event
   */
  void onEvent(IamAuthEvent event);
}
