/** Not API: the parts of the auto-configuration that differ between Boot 3.5 and 4.0. */
@NullMarked
package io.github.iamauth4j.spring.internal;

import org.jspecify.annotations.NullMarked;
