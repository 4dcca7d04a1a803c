/** The valkey-java adapter's internals: not API, may change in any release. */
@NullMarked
package io.github.iamauth4j.valkey.internal;

import org.jspecify.annotations.NullMarked;
