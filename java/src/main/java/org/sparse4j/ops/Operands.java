package org.sparse4j.ops;

import java.util.Arrays;
import org.sparse4j.Context;
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;
import org.sparse4j.format.Csr;

/** Java-side checks shared by the op classes, run before the single native call. */
final class Operands {
    private Operands() {}

    static Context context(Context ctx) {
        return ctx == null ? Context.defaultContext() : ctx;
    }

    static void requireNonNull(Object o, String what) {
        if (o == null) {
            throw new InvalidArgumentException(what + " is null");
        }
    }

    static void dense(Tensor t, String what, int rank) {
        requireNonNull(t, what);
        t.ensureOpen();
        if (t.rank() != rank) {
            throw new ShapeMismatchException(what + " must have rank " + rank + ", has shape " + Arrays.toString(t.shape()));
        }
    }

    /** An output: open, the right rank, and writable. */
    static void output(Tensor t, String what, int rank) {
        dense(t, what, rank);
        t.ensureWritable(what);
    }

    /**
     * Keeps operands reachable until the native call that uses them has returned: otherwise the
     * garbage collector may free a temporary's memory (through its Cleaner) while native code runs.
     */
    static void keepAlive(Object... operands) {
        java.lang.ref.Reference.reachabilityFence(operands);
        for (Object o : operands) {
            java.lang.ref.Reference.reachabilityFence(o);
        }
    }

    static void valued(Csr a, String what) {
        requireNonNull(a, what);
        if (a.values() == null) {
            throw new InvalidArgumentException(what + " is pattern-only; an op needs values");
        }
        a.rowPtr().ensureOpen();
        a.colIdx().ensureOpen();
        a.values().ensureOpen();
    }

    static void sameDtype(Csr a, Tensor t, String what) {
        if (a.valueType() != t.dtype()) {
            throw new ShapeMismatchException(what + " has dtype " + t.dtype() + " but the sparse values are " + a.valueType());
        }
    }
}
