/** Implementation details of the core; not API, may change in any release. */
@NullMarked
package io.github.iamauth4j.core.internal;

import org.jspecify.annotations.NullMarked;
