/**
 * Spring Boot 3.5 / 4.0 auto-configuration for iamauth4j: {@link
 * io.github.iamauth4j.spring.IamAuthAutoConfiguration}, its properties ({@code iamauth4j.redis.*},
 * {@code iamauth4j.datasource.*}), the {@code jdbc:iamauth4j:} URL's driver for Boot's own data
 * source, and a failure analyzer.
 */
@NullMarked
package io.github.iamauth4j.spring;

import org.jspecify.annotations.NullMarked;
