/** The Jedis adapter's internals: not API, may change in any release. */
@NullMarked
package io.github.iamauth4j.jedis.internal;

import org.jspecify.annotations.NullMarked;
