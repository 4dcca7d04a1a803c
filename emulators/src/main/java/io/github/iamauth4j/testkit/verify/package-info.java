/** Judges IAM auth tokens the way AWS does, with the core's own signing code. */
@NullMarked
package io.github.iamauth4j.testkit.verify;

import org.jspecify.annotations.NullMarked;
