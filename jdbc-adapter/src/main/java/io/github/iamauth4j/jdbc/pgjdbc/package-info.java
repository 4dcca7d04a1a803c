/**
 * pgjdbc's own hook: {@link io.github.iamauth4j.jdbc.pgjdbc.IamAuthenticationPlugin} for the {@code
 * authenticationPluginClassName} connection property (pgjdbc 42.3.2 and later).
 */
@NullMarked
package io.github.iamauth4j.jdbc.pgjdbc;

import org.jspecify.annotations.NullMarked;
