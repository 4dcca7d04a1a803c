/**
 * Micrometer meters for iamauth4j: {@link io.github.iamauth4j.micrometer.IamAuthMeterBinder}, a
 * {@code MeterBinder} fed by the token providers' events.
 */
@NullMarked
package io.github.iamauth4j.micrometer;

import org.jspecify.annotations.NullMarked;
