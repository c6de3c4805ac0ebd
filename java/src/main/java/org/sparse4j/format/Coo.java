package org.sparse4j.format;

import org.sparse4j.DType;
import org.sparse4j.InvalidFormatException;
import org.sparse4j.NativeOutOfMemoryError;
import org.sparse4j.Tensor;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;
import org.sparse4j.nativeapi.Sparse4jNative.s4j_coo;

/**
 * Coordinate list: rowIdx, colIdx and values (nnz entries each), in any order, duplicates allowed
 * (they mean a sum). {@link #canonical()} sorts by (row, column) and sums duplicates.
 */
public final class Coo extends SparseBase<s4j_coo> {
    private static final String NAME = "COO";
    private boolean canonical;

    private Coo(long rows, long cols, Tensor rowIdx, Tensor colIdx, Tensor values, boolean validate) {
        super(rows, cols, rowIdx, colIdx, values);
        finish(validate);
        if (validate) {
            canonical = Sparse4jNative.s4j_coo_is_canonical(descriptor()) == 1;
        }
    }

    /**
     * Builds a COO matrix from its arrays; values may be null (pattern). On success the matrix owns
     * and freezes the arrays (closing it closes them); on failure they stay the caller's. Arrays that
     * do not own their memory (views, wrapped buffers) are copied instead.
     */
    public static Coo of(long rows, long cols, Tensor rowIdx, Tensor colIdx, Tensor values) {
        Formats.checkSizes(NAME, rows, cols);
        if (rowIdx == null || colIdx == null) {
            throw new InvalidFormatException(NAME + ": index arrays must not be null");
        }
        long nnz = rowIdx.rank() == 1 ? rowIdx.shape(0) : -1;
        DType it = rowIdx.dtype();
        Formats.checkIndexType(NAME, it, rows, cols, nnz);
        Formats.checkIndexArray(NAME, "rowIdx", rowIdx, it, nnz);
        Formats.checkIndexArray(NAME, "colIdx", colIdx, it, nnz);
        Formats.checkValueArray(NAME, values, nnz);
        Tensor[] given = {rowIdx, colIdx, values};
        Tensor[] kept = {Formats.adopt(rowIdx), Formats.adopt(colIdx), Formats.adopt(values)};
        try {
            return new Coo(rows,  cols, kept[0], kept[1], kept[2], true);
        } catch (RuntimeException e) {
            Formats.closeCopies(given, kept);
            throw e;
        }
    }

    /** An F32 COO matrix copied from arrays, with the narrowest index type that fits. */
    public static Coo of(long rows, long cols, long[] rowIdx, long[] colIdx, float[] values) {
        if (rowIdx.length != colIdx.length || (values != null && values.length != rowIdx.length)) {
            throw new InvalidFormatException(NAME + ": arrays differ in length: rowIdx " + rowIdx.length + ", colIdx "
                    + colIdx.length + (values == null ? "" : ", values " + values.length));
        }
        Formats.checkSizes(NAME, rows, cols);
        DType it = Formats.autoIndexType(rows, cols, rowIdx.length);
        Tensor r = null, c = null, v = null;
        try {
            r = Formats.indexTensor(rowIdx, it, NAME, "rowIdx");
            c = Formats.indexTensor(colIdx, it, NAME, "colIdx");
            v = values == null ? null : Tensor.of(values);
            return of(rows, cols, r, c, v);
        } catch (RuntimeException e) {
            Formats.closeAll(r, c, v);
            throw e;
        }
    }

    public static Coo fromDense(Tensor dense) {
        try (Csr csr = Csr.fromDense(dense)) {
            return csr.toCoo();
        }
    }

    static Coo allocate(long rows, long cols, long nnz, DType indexType, DType valueType) {
        Tensor r = null, c = null, v = null;
        try {
            r = Tensor.zeros(indexType, nnz);
            c = Tensor.zeros(indexType, nnz);
            v = valueType == null ? null : Tensor.zeros(valueType, nnz);
            return new Coo(rows, cols, r, c, v, false);
        } catch (RuntimeException | NativeOutOfMemoryError e) {
            Formats.closeAll(r, c, v);  // an array that could not be allocated must not strand the others
            throw e;
        }
    }

    Coo markCanonical() {
        canonical = true;
        return this;
    }

    /** True when entries are sorted by (row, column) without duplicates. */
    public boolean isCanonical() {
        return canonical;
    }

    /** A sorted copy with duplicates summed (this matrix if it is canonical already is still copied). */
    public Coo canonical() {
        Coo out = allocate(rows, cols, nnz(), indexType(), valueType());
        org.bytedeco.javacpp.Pointer.memcpy(out.first.pointer(), first.pointer(), first.byteSize());
        org.bytedeco.javacpp.Pointer.memcpy(out.second.pointer(), second.pointer(), second.byteSize());
        if (values != null) {
            org.bytedeco.javacpp.Pointer.memcpy(out.values.pointer(), values.pointer(), values.byteSize());
        }
        long[] kept = new long[1];
        try (s4j_coo d = out.newDescriptor()) {  // summing duplicates rewrites nnz in the descriptor
            Native.check(Sparse4jNative.s4j_coo_sort(d));
            java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
            Native.check(Sparse4jNative.s4j_coo_sum_duplicates(d, kept));
            java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        }
        if (kept[0] == nnz()) {
            return out.markCanonical();
        }
        try (out) {
            Coo shrunk = allocate(rows, cols, kept[0], indexType(), valueType());
            long ib = kept[0] * indexType().byteSize();
            org.bytedeco.javacpp.Pointer.memcpy(shrunk.first.pointer(), out.first.pointer(), ib);
            org.bytedeco.javacpp.Pointer.memcpy(shrunk.second.pointer(), out.second.pointer(), ib);
            if (values != null) {
                org.bytedeco.javacpp.Pointer.memcpy(shrunk.values.pointer(), out.values.pointer(), kept[0] * values.dtype().byteSize());
            }
            return shrunk.markCanonical();
        }
    }

    /** For a symmetric (skew: skew-symmetric) matrix stored as one triangle: both triangles. */
    public Coo expandSymmetric(boolean skew) {
        long[] off = new long[1];
        Native.check(Sparse4jNative.s4j_coo_count_offdiagonal(descriptor(), off));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        Formats.checkIndexType("COO symmetric expansion", indexType(), rows, cols, nnz() + off[0]);
        Coo out = allocate(rows, cols, nnz() + off[0], indexType(), valueType());
        Native.check(Sparse4jNative.s4j_coo_expand_symmetric(descriptor(), skew ? 1 : 0, out.descriptor()));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        return out;
    }

    @Override
    public long nnz() {
        return first.shape(0);
    }

    public Tensor rowIdx() {
        return first;
    }

    public Tensor colIdx() {
        return second;
    }

    /** CSR of this matrix; duplicates are summed. */
    @Override
    public Csr toCsr() {
        if (!canonical) {
            try (Coo c = canonical()) {
                return c.toCsr();
            }
        }
        Csr out = Csr.allocate(rows, cols, nnz(), indexType(), valueType());
        Native.check(Sparse4jNative.s4j_coo_to_csr(descriptor(), out.descriptor()));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        return out.filledNatively();
    }

    @Override
    public Tensor toDense() {
        try (Csr c = toCsr()) {
            return c.toDense();
        }
    }

    @Override
    int validate(s4j_coo d) {
        return Sparse4jNative.s4j_coo_validate(d);
    }

    @Override
    s4j_coo newDescriptor() {
        s4j_coo d = new s4j_coo();
        d.rows(rows).cols(cols).nnz(nnz());
        d.row_idx(first.pointer()).col_idx(second.pointer()).values(values == null ? null : values.pointer());
        d.index_dtype(indexType().code()).value_dtype(valueCode());
        d.device(first.device().kind().code()).device_index(first.device().index());
        return d;
    }

    @Override
    public String toString() {
        return describe(isCanonical() ? ", canonical" : "");
    }
}
