package org.sparse4j.format;

import org.bytedeco.javacpp.Pointer;
import org.sparse4j.DType;
import org.sparse4j.Tensor;
import org.sparse4j.internal.Native;

/**
 * What every format shares: the shape, two index arrays and the values (null for a pattern), the
 * scope link, and the C descriptor, made once and freed with the matrix. D is the descriptor type.
 */
abstract sealed class SparseBase<D extends Pointer> implements SparseMatrix permits Coo, Csr, Csc, Bsr {
    final long rows;
    final long cols;
    final Tensor first;
    final Tensor second;
    final Tensor values;
    private ScopeLink link;
    private D descriptor;

    SparseBase(long rows, long cols, Tensor first, Tensor second, Tensor values) {
        this.rows = rows;
        this.cols = cols;
        this.first = first;
        this.second = second;
        this.values = values;
    }

    /** Ends a subclass constructor: validates the structure (O(nnz), once), then joins the scope. */
    final void finish(boolean validate) {
        if (validate) {
            Native.check(validate(descriptor()));
        }
        // Validated once, so the arrays must not change afterwards: sparse4j refuses writes to them.
        for (Tensor t : new Tensor[] {first, second, values}) {
            if (t != null) {
                t.makeReadOnly();
            }
        }
        link = ScopeLink.register(this);  // after validation: a refused matrix is not kept
    }

    /** The native validator's status for this descriptor. */
    abstract int validate(D descriptor);

    abstract D newDescriptor();

    @Override
    public final long rows() {
        return rows;
    }

    @Override
    public final long cols() {
        return cols;
    }

    @Override
    public final DType valueType() {
        return values == null ? null : values.dtype();
    }

    @Override
    public final DType indexType() {
        return first.dtype();
    }

    /** Where the arrays live. */
    public final org.sparse4j.Device device() {
        return first.device();
    }

    /** The values, or null for a pattern-only matrix. */
    public final Tensor values() {
        return values;
    }

    /** The value dtype code for a descriptor; patterns say f32, which nothing reads. */
    final int valueCode() {
        return values == null ? DType.F32.code() : values.dtype().code();
    }

    /** The C ABI descriptor, made once. Internal; native code must not write it. */
    public final synchronized D descriptor() {
        // A matrix whose arrays were closed behind its back must not reach native code.
        first.ensureOpen();
        second.ensureOpen();
        if (values != null) {
            values.ensureOpen();
        }
        if (descriptor == null) {
            descriptor = newDescriptor();
        }
        return descriptor;
    }

    @Override
    public final void close() {
        if (link != null) {
            link.release(this);
        }
        synchronized (this) {
            if (descriptor != null) {
                descriptor.close();
                descriptor = null;
            }
        }
        Formats.closeAll(first, second, values);
    }

    /** "Csr(3x4, nnz=5, f32, i32)" with extra text before the closing parenthesis. */
    final String describe(String extra) {
        return getClass().getSimpleName() + "(" + rows + "x" + cols + ", nnz=" + nnz() + ", "
                + (values == null ? "pattern" : values.dtype()) + ", " + indexType() + extra + ")";
    }
}
