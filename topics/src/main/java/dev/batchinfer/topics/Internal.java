package dev.batchinfer.topics;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a package (on its {@code package-info.java}) that only its own module may use: other
 * modules go through the module's app, settings and message types. {@code ModuleBoundaryTest}
 * fails the build when another module's code names a class of such a package.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.PACKAGE)
public @interface Internal {}
