/** A Spring Boot app made passwordless by {@code iamauth4j-spring-boot} and properties alone. */
@NullMarked
package io.github.iamauth4j.examples.spring;

import org.jspecify.annotations.NullMarked;
