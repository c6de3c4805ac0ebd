package org.sparse4j.format;

import org.sparse4j.DType;
import org.sparse4j.InvalidFormatException;
import org.sparse4j.Tensor;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;
import org.sparse4j.nativeapi.Sparse4jNative.s4j_csr;

/**
 * Compressed sparse rows: rowPtr (rows + 1 entries), colIdx and values (nnz entries), column
 * indices sorted and unique within each row. Validated once, when built.
 */
public final class Csr extends SparseBase<s4j_csr> {
    private static final String NAME = "CSR";
    /** The longest row's nonzero count, 0 when not known (see {@link #maxRowNnzHint()}). */
    private long maxRowNnz;

    private Csr(long rows, long cols, Tensor rowPtr, Tensor colIdx, Tensor values, boolean validate) {
        super(rows, cols, rowPtr, colIdx, values);
        finish(validate);
    }

    /**
     * Builds a CSR matrix from its three arrays; values may be null for a pattern-only matrix. On
     * success the matrix owns the arrays (closing it closes them) and freezes them (read-only); on
     * failure they stay the caller's. Arrays that do not own their memory (views, wrapped buffers)
     * are copied instead, and stay the caller's.
     */
    public static Csr of(long rows, long cols, Tensor rowPtr, Tensor colIdx, Tensor values) {
        Formats.checkSizes(NAME, rows, cols);
        if (colIdx == null) {
            throw new InvalidFormatException(NAME + ": colIdx is null");
        }
        if (rowPtr == null) {
            throw new InvalidFormatException(NAME + ": rowPtr is null");
        }
        long nnz = colIdx.rank() == 1 ? colIdx.shape(0) : -1;
        DType it = rowPtr.dtype();
        Formats.checkIndexType(NAME, it, rows, cols, nnz);
        Formats.checkIndexArray(NAME, "rowPtr", rowPtr, it, rows + 1);
        Formats.checkIndexArray(NAME, "colIdx", colIdx, it, nnz);
        Formats.checkValueArray(NAME, values, nnz);
        Tensor[] given = {rowPtr, colIdx, values};
        Tensor[] kept = {Formats.adopt(rowPtr), Formats.adopt(colIdx), Formats.adopt(values)};
        try {
            return new Csr(rows, cols, kept[0], kept[1], kept[2], true).noteRowLengths();
        } catch (RuntimeException e) {
            Formats.closeCopies(given, kept);
            throw e;
        }
    }

    /** An F32 CSR matrix with int32 indices, copied from arrays. */
    public static Csr of(long rows, long cols, int[] rowPtr, int[] colIdx, float[] values) {
        return ofCopies(rows, cols, Tensor.of(rowPtr), Tensor.of(colIdx), values);
    }

    /** An F32 CSR matrix with int64 indices, copied from arrays. */
    public static Csr of(long rows, long cols, long[] rowPtr, long[] colIdx, float[] values) {
        return ofCopies(rows, cols, Tensor.of(rowPtr), Tensor.of(colIdx), values);
    }

    /** Builds from index tensors copied from Java arrays; frees the copies if the matrix is refused. */
    private static Csr ofCopies(long rows, long cols, Tensor r, Tensor c, float[] values) {
        Tensor v = null;
        try {
            v = values == null ? null : Tensor.of(values);
            return of(rows, cols, r, c, v);
        } catch (RuntimeException e) {
            Formats.closeAll(r, c, v);
            throw e;
        }
    }

    /** The nonzeros of a rank-2 float tensor, with the narrowest index type that fits. */
    public static Csr fromDense(Tensor dense) {
        return fromDense(dense, null);
    }

    /** The nonzeros of a rank-2 float tensor, with {@code indexType} (null: the narrowest that fits). */
    public static Csr fromDense(Tensor dense, DType indexType) {
        Dense.checkMatrix(dense, "fromDense");
        long[] nnz = new long[1];
        Native.check(Sparse4jNative.s4j_dense_count_nonzero(dense.descriptor(), nnz));
        long r = dense.shape(0), c = dense.shape(1);
        DType it = indexType == null ? Formats.autoIndexType(r, c, nnz[0]) : indexType;
        Formats.checkIndexType(NAME, it, r, c, nnz[0]);
        Csr out = allocate(r, c, nnz[0], it, dense.dtype());
        Native.check(Sparse4jNative.s4j_dense_to_csr(dense.descriptor(), out.descriptor()));
        java.lang.ref.Reference.reachabilityFence(dense);  // the input stays alive through the calls
        return out.filledNatively();
    }

    /** Arrays already known to be a valid CSR (another format's, read the other way); not copied. */
    static Csr trusted(long rows, long cols, Tensor rowPtr, Tensor colIdx, Tensor values) {
        return new Csr(rows, cols, rowPtr, colIdx, values, false).noteRowLengths();
    }

    /** Uninitialised arrays of the right sizes; the caller fills them through a native call. */
    static Csr allocate(long rows, long cols, long nnz, DType indexType, DType valueType) {
        Tensor rp = null, ci = null, v = null;
        try {
            rp = Tensor.zeros(indexType, rows + 1);
            ci = Tensor.zeros(indexType, nnz);
            v = valueType == null ? null : Tensor.zeros(valueType, nnz);
            return new Csr(rows, cols, rp, ci, v, false);
        } catch (RuntimeException | org.sparse4j.NativeOutOfMemoryError e) {
            Formats.closeAll(rp, ci, v);  // an array that could not be allocated must not strand the others
            throw e;
        }
    }

    @Override
    public long nnz() {
        return second.shape(0);
    }

    public Tensor rowPtr() {
        return first;
    }

    public Tensor colIdx() {
        return second;
    }

    @Override
    public Tensor toDense() {
        Formats.requireHost("CSR toDense", this);
        DType vt = valueType() == null ? DType.F32 : valueType();
        Tensor d = Tensor.zeros(vt, rows, cols);
        Native.check(Sparse4jNative.s4j_csr_to_dense(descriptor(), d.descriptor()));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        return d;
    }

    @Override
    public Csr toCsr() {
        Formats.requireHost("CSR toCsr", this);
        return of(rows, cols, first.copy(), second.copy(), values == null ? null : values.copy());
    }

    /** A copy whose values are converted to another float dtype (rounding to nearest even). */
    public Csr toValueType(DType valueType) {
        Formats.requireHost("CSR toValueType", this);
        if (values == null) {
            throw new InvalidFormatException("CSR: a pattern-only matrix has no values to convert");
        }
        return of(rows, cols, first.copy(), second.copy(), values.to(valueType));
    }

    /**
     * This matrix on {@code device} (host or a CUDA device): its arrays copied there, the structure not
     * validated again (it was when this matrix was built). Ops on a CUDA context take such matrices;
     * conversions run on the host, so move back with {@code to(Device.CPU)} first.
     */
    public Csr to(org.sparse4j.Device device) {
        Tensor rp = null, ci = null, v = null;
        try {
            rp = first.to(device);
            ci = second.to(device);
            v = values == null ? null : values.to(device);
            return new Csr(rows, cols, rp, ci, v, false).hint(maxRowNnz);
        } catch (RuntimeException | org.sparse4j.NativeOutOfMemoryError e) {
            Formats.closeAll(rp, ci, v);
            throw e;
        }
    }

    /**
     * A matrix with a copy of this one's structure and {@code values} (nnz entries of a float dtype, on
     * this matrix's device), which it takes over like {@link #of}. The structure is not validated
     * again, so this works on any device: SDDMM builds its result this way.
     */
    public Csr withValues(Tensor newValues) {
        Formats.checkValuesOn(NAME, newValues, nnz(), device());
        Tensor v = Formats.adopt(newValues);
        Tensor rp = null, ci = null;
        try {
            rp = first.copy();
            ci = second.copy();
            return new Csr(rows, cols, rp, ci, v, false).hint(maxRowNnz);
        } catch (RuntimeException | org.sparse4j.NativeOutOfMemoryError e) {
            Formats.closeAll(rp, ci);
            if (v != newValues) {
                Formats.closeAll(v);
            }
            throw e;
        }
    }

    /** The transpose (cols × rows) as CSR. */
    public Csr transpose() {
        Formats.requireHost("CSR transpose", this);
        Csr out = allocate(cols, rows, nnz(), indexType(), valueType());
        Native.check(Sparse4jNative.s4j_csr_transpose(descriptor(), out.descriptor()));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        return out.filledNatively();
    }

    public Csc toCsc() {
        Formats.requireHost("CSR toCsc", this);
        return Csc.ofTransposedCsr(rows, cols, transpose());
    }

    public Coo toCoo() {
        Formats.requireHost("CSR toCoo", this);
        Coo out = Coo.allocate(rows, cols, nnz(), indexType(), valueType());
        Native.check(Sparse4jNative.s4j_csr_to_coo(descriptor(), out.descriptor()));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        return out.markCanonical();
    }

    /** Blocks of blockRows × blockCols holding every nonzero; ragged edge blocks are cut at the matrix edge. */
    public Bsr toBsr(long blockRows, long blockCols) {
        Formats.requireHost("CSR toBsr", this);
        if (values == null) {
            throw new InvalidFormatException("CSR->BSR: a pattern-only matrix has no values to put in blocks");
        }
        long[] nnzb = new long[1];
        Native.check(Sparse4jNative.s4j_csr_count_blocks(descriptor(), blockRows, blockCols, nnzb));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        Bsr out = Bsr.allocate(rows, cols, blockRows, blockCols, nnzb[0], indexType(), valueType());
        Native.check(Sparse4jNative.s4j_csr_to_bsr(descriptor(), out.descriptor()));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        return out;
    }

    /**
     * The longest row's nonzero count as the native descriptor carries it, or 0 when not known. Host
     * matrices built or converted here know it; device copies inherit it. CUDA SpMM reads it to send
     * matrices with rows far longer than the mean to its load-balanced kernel.
     */
    long maxRowNnzHint() {
        return maxRowNnz;
    }

    /** Keeps the longest row that the native conversion which filled this matrix wrote into its descriptor. */
    Csr filledNatively() {
        return hint(descriptor().max_row_nnz());
    }

    /** Reads the longest row from rowPtr (host matrices, once their arrays are filled). */
    Csr noteRowLengths() {
        if (device().isCpu()) {
            long[] longest = new long[1];
            Native.check(Sparse4jNative.s4j_csr_max_row_nnz(descriptor(), longest));
            java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
            hint(longest[0]);
        }
        return this;
    }

    /** Records the longest row (from a matrix with the same structure); returns this. */
    private synchronized Csr hint(long longest) {
        maxRowNnz = longest;
        descriptor().max_row_nnz(longest);
        return this;
    }

    @Override
    int validate(s4j_csr d) {
        return Sparse4jNative.s4j_csr_validate(d);
    }

    @Override
    s4j_csr newDescriptor() {
        s4j_csr d = new s4j_csr();
        d.rows(rows).cols(cols).nnz(nnz());
        d.row_ptr(first.pointer()).col_idx(second.pointer());
        d.values(values == null ? null : values.pointer());
        d.index_dtype(indexType().code()).value_dtype(valueCode());
        d.device(first.device().kind().code()).device_index(first.device().index());
        d.max_row_nnz(maxRowNnz);
        return d;
    }

    @Override
    public String toString() {
        return describe("");
    }
}
