package dln.net;


/**
 * The checked arguments of one call, by name, each already converted to its {@link ArgSpec.Kind}
 * (absent optional ones hold their default): what a {@link Signature} builds its op from.
 */
public interface Args {
    /** Whether the argument was given or has a default. */
    boolean has(String name);

    long count(String name);

    double real(String name);

    boolean flag(String name);

    String word(String name);

    long[] sizes(String name);

    Initializer init(String name);
}
