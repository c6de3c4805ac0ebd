package org.sparse4j.format;

import org.sparse4j.DType;
import org.sparse4j.InvalidFormatException;
import org.sparse4j.Tensor;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;
import org.sparse4j.nativeapi.Sparse4jNative.s4j_csc;

/** Compressed sparse columns: colPtr (cols + 1), rowIdx and values (nnz), rows sorted per column. */
public final class Csc implements SparseMatrix {
    private static final String NAME = "CSC";
    private final long rows;
    private final long cols;
    private final Tensor colPtr;
    private final Tensor rowIdx;
    private final Tensor values;

    private final ScopeLink link;
    private s4j_csc descriptor;  // made on first use, freed on close

    private Csc(long rows, long cols, Tensor colPtr, Tensor rowIdx, Tensor values, boolean validate) {
        this.rows = rows;
        this.cols = cols;
        this.colPtr = colPtr;
        this.rowIdx = rowIdx;
        this.values = values;
        if (validate) {
            Native.check(Sparse4jNative.s4j_csc_validate(descriptor()));
        }
        this.link = ScopeLink.register(this);  // after validation: a refused matrix is not kept
    }

    /** Builds a CSC matrix from its arrays, owning them once built (on failure they stay the caller's); values may be null (pattern). */
    public static Csc of(long rows, long cols, Tensor colPtr, Tensor rowIdx, Tensor values) {
        Formats.checkSizes(NAME, rows, cols);
        if (colPtr == null || rowIdx == null) {
            throw new InvalidFormatException(NAME + ": index arrays must not be null");
        }
        long nnz = rowIdx.rank() == 1 ? rowIdx.shape(0) : -1;
        DType it = colPtr.dtype();
        Formats.checkIndexType(NAME, it, rows, cols, nnz);
        Formats.checkIndexArray(NAME, "colPtr", colPtr, it, cols + 1);
        Formats.checkIndexArray(NAME, "rowIdx", rowIdx, it, nnz);
        Formats.checkValueArray(NAME, values, nnz);
        return new Csc(rows, cols, colPtr, rowIdx, values, true);
    }

    /**
     * The arrays of a CSR matrix of the transpose (cols × rows) are this matrix's CSC arrays: they
     * move into the result, which then owns them.
     */
    static Csc ofTransposedCsr(long rows, long cols, Csr transposed) {
        return new Csc(rows, cols, transposed.rowPtr(), transposed.colIdx(), transposed.values(), false);
    }

    public static Csc fromDense(Tensor dense) {
        try (Csr c = Csr.fromDense(dense)) {
            return c.toCsc();
        }
    }


    @Override
    public long rows() {
        return rows;
    }

    @Override
    public long cols() {
        return cols;
    }

    @Override
    public long nnz() {
        return rowIdx.shape(0);
    }

    @Override
    public DType valueType() {
        return values == null ? null : values.dtype();
    }

    @Override
    public DType indexType() {
        return colPtr.dtype();
    }

    public Tensor colPtr() {
        return colPtr;
    }

    public Tensor rowIdx() {
        return rowIdx;
    }

    public Tensor values() {
        return values;
    }

    /** This matrix's arrays read as CSR of the transpose (a view: no copy, not owned). */
    private Csr asTransposedCsrView() {
        return Csr.of(cols, rows, colPtr.reshape(cols + 1), rowIdx.reshape(nnz()), values == null ? null : values.reshape(nnz()));
    }

    @Override
    public Csr toCsr() {
        try (Csr t = asTransposedCsrView()) {
            return t.transpose();
        }
    }

    @Override
    public Tensor toDense() {
        try (Csr c = toCsr()) {
            return c.toDense();
        }
    }

    /** The C ABI descriptor, made once and freed with the matrix. Internal; native code must not write it. */
    public synchronized s4j_csc descriptor() {
        // A matrix whose arrays were closed behind its back must not reach native code.
        colPtr.ensureOpen(); rowIdx.ensureOpen(); if (values != null) { values.ensureOpen(); }
        if (descriptor == null) {
            descriptor = newDescriptor();
        }
        return descriptor;
    }

    private s4j_csc newDescriptor() {
        s4j_csc d = new s4j_csc();
        d.rows(rows).cols(cols).nnz(nnz());
        d.col_ptr(colPtr.pointer()).row_idx(rowIdx.pointer()).values(values == null ? null : values.pointer());
        d.index_dtype(indexType().code()).value_dtype(values == null ? DType.F32.code() : values.dtype().code());
        d.device(colPtr.device().kind().code()).device_index(colPtr.device().index());
        return d;
    }

    @Override
    public void close() {
        link.release(this);
        synchronized (this) {
            if (descriptor != null) {
                descriptor.close();
                descriptor = null;
            }
        }
        Formats.closeAll(colPtr, rowIdx, values);
    }

    @Override
    public String toString() {
        return "Csc(" + rows + "x" + cols + ", nnz=" + nnz() + ", " + (values == null ? "pattern" : values.dtype()) + ", "
                + indexType() + ")";
    }
}
