/** TLS material the emulators generate at start: a throw-away CA and a localhost certificate. */
@NullMarked
package io.github.iamauth4j.testkit.tls;

import org.jspecify.annotations.NullMarked;
