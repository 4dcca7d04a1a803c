/** Not API: helpers of the Lettuce adapter that may change without notice. */
@NullMarked
package io.github.iamauth4j.lettuce.internal;

import org.jspecify.annotations.NullMarked;
