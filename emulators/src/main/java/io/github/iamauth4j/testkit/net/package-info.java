/**
 * The accept loop, connection registry, TLS upgrade, fault injection and counters the emulators
 * share.
 */
@NullMarked
package io.github.iamauth4j.testkit.net;

import org.jspecify.annotations.NullMarked;
