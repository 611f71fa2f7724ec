package dln.runtime;

/** Device memory holding {@link #size()} floats, owned by the backend that allocated it. */
public interface Buffer {
    long size();
}
