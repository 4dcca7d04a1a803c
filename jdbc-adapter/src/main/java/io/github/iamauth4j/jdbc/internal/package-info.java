/**
 * Not API: URL parsing, TLS checks, CA bundles and the shared token-provider cache behind the JDBC
 * ways in. May change in any release.
 */
@NullMarked
package io.github.iamauth4j.jdbc.internal;

import org.jspecify.annotations.NullMarked;
