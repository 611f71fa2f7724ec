package dln.cli;

import java.math.BigInteger;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The converters of the numeric options. A value that is not a whole number, or is out of the
 * option's range, is a usage error (exit 2) that picocli words as "Invalid value for option
 * '--steps': ...", naming the option; the rest of the message gives the range.
 */
final class Numbers {
    private Numbers() {}

    /** A count of at least 1 that fits an int: steps, batch sizes. */
    static final class Count implements ITypeConverter<Integer> {
        @Override public Integer convert(String text) { return (int) parse(text, 1, Integer.MAX_VALUE); }
    }

    /** A count of at least 1: epochs. */
    static final class LongCount implements ITypeConverter<Long> {
        @Override public Long convert(String text) { return parse(text, 1, Long.MAX_VALUE); }
    }

    /** A seed: 0 or more, as the train block's `seed` takes. */
    static final class Seed implements ITypeConverter<Long> {
        @Override public Long convert(String text) { return parse(text, 0, Long.MAX_VALUE); }
    }

    static long parse(String text, long min, long max) {
        BigInteger value;
        try {
            value = new BigInteger(text.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("`" + text + "` is not a whole number; " + range(min, max));
        }
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new TypeConversionException(value + " is out of range; " + range(min, max));
        }
        return value.longValueExact();
    }

    private static String range(long min, long max) {
        return max == Long.MAX_VALUE ? "give a whole number of at least " + min : "give a whole number from " + min + " to " + max;
    }
}
