package dln.kernel;

/** A size known at compile time up to the batch: {@code per} elements, times the batch when {@code batched}. */
public record Dim(long per, boolean batched) {

    public static Dim of(long n) { return new Dim(n, false); }

    public static Dim batch(long per) { return new Dim(per, true); }

    /** The size for this batch. */
    public int at(int batch) { return Math.toIntExact(batched ? per * batch : per); }

    /** The size as a C expression over the kernel argument {@code batch}. */
    public String c() { return batched ? "(" + per + " * batch)" : Long.toString(per); }

    @Override public String toString() { return batched ? per == 1 ? "N" : "N*" + per : Long.toString(per); }
}
