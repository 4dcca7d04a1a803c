/**
 * Not API: the one pipeline behind every JDBC way in (settings, endpoint, TLS, target, token
 * configuration: {@link io.github.iamauth4j.jdbc.internal.ConnectionPlan}), URL parsing, CA
 * bundles, credentials provider instances and the leases on the core's shared token providers. May
 * change in any release.
 */
@NullMarked
package io.github.iamauth4j.jdbc.internal;

import org.jspecify.annotations.NullMarked;
