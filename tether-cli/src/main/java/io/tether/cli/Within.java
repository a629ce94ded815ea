package io.tether.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The range a number or duration option must fall in, checked by {@link Bounds} after parsing and before
 * the command runs. Bounds are written as on the command line: {@code "1"}, {@code "19500"}, {@code "10ms"}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Within {
    /** Smallest allowed value, inclusive. */
    String min();

    /** Largest allowed value, inclusive; empty for none. */
    String max() default "";

    /** Why the limit is what it is, shown after the message, e.g. "20,000 open files a process". */
    String why() default "";
}
