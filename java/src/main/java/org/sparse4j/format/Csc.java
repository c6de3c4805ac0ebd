package org.sparse4j.format;

import org.sparse4j.DType;
import org.sparse4j.InvalidFormatException;
import org.sparse4j.Tensor;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;
import org.sparse4j.nativeapi.Sparse4jNative.s4j_csc;

/** Compressed sparse columns: colPtr (cols + 1), rowIdx and values (nnz), rows sorted per column. */
public final class Csc extends SparseBase<s4j_csc> {
    private static final String NAME = "CSC";

    private Csc(long rows, long cols, Tensor colPtr, Tensor rowIdx, Tensor values, boolean validate) {
        super(rows, cols, colPtr, rowIdx, values);
        finish(validate);
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
        Tensor[] given = {colPtr, rowIdx, values};
        Tensor[] kept = {Formats.adopt(colPtr), Formats.adopt(rowIdx), Formats.adopt(values)};
        try {
            return new Csc(rows,  cols, kept[0], kept[1], kept[2], true);
        } catch (RuntimeException e) {
            Formats.closeCopies(given, kept);
            throw e;
        }
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
    public long nnz() {
        return second.shape(0);
    }

    public Tensor colPtr() {
        return first;
    }

    public Tensor rowIdx() {
        return second;
    }

    /** This matrix's arrays read as CSR of the transpose (a view: no copy, not owned). */
    private Csr asTransposedCsrView() {
        return Csr.trusted(cols, rows, first.reshape(cols + 1), second.reshape(nnz()), values == null ? null : values.reshape(nnz()));
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

    @Override
    int validate(s4j_csc d) {
        return Sparse4jNative.s4j_csc_validate(d);
    }

    @Override
    s4j_csc newDescriptor() {
        s4j_csc d = new s4j_csc();
        d.rows(rows).cols(cols).nnz(nnz());
        d.col_ptr(first.pointer()).row_idx(second.pointer()).values(values == null ? null : values.pointer());
        d.index_dtype(indexType().code()).value_dtype(valueCode());
        d.device(first.device().kind().code()).device_index(first.device().index());
        return d;
    }

    @Override
    public String toString() {
        return describe("");
    }
}
