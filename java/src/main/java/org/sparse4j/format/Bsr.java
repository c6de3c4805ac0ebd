package org.sparse4j.format;

import org.sparse4j.DType;
import org.sparse4j.InvalidFormatException;
import org.sparse4j.Tensor;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;
import org.sparse4j.nativeapi.Sparse4jNative.s4j_bsr;

/**
 * Block sparse rows: dense blockRows × blockCols blocks, rowPtr over block rows, colIdx of block
 * columns, values nnzb × blockRows × blockCols (row-major blocks). The last block row and column
 * may be ragged: entries past the matrix edge are stored but ignored.
 */
public final class Bsr extends SparseBase<s4j_bsr> {
    private static final String NAME = "BSR";
    private final long blockRows;
    private final long blockCols;

    private Bsr(long rows, long cols, long blockRows, long blockCols, Tensor rowPtr, Tensor colIdx, Tensor values,
            boolean validate) {
        super(rows, cols, rowPtr, colIdx, values);
        this.blockRows = blockRows;
        this.blockCols = blockCols;
        finish(validate);
    }

    /** Builds a BSR matrix, owning the arrays once built (on failure they stay the caller's); values is flat (nnzb·blockRows·blockCols). */
    public static Bsr of(long rows, long cols, long blockRows, long blockCols, Tensor rowPtr, Tensor colIdx, Tensor values) {
        Formats.checkSizes(NAME, rows, cols);
        if (blockRows <= 0 || blockCols <= 0) {
            throw new InvalidFormatException(NAME + ": block shape " + blockRows + "x" + blockCols + " must be positive");
        }
        if (rowPtr == null || colIdx == null || values == null) {
            throw new InvalidFormatException(NAME + ": rowPtr, colIdx and values must not be null");
        }
        long nnzb = colIdx.rank() == 1 ? colIdx.shape(0) : -1;
        DType it = rowPtr.dtype();
        Formats.checkIndexType(NAME, it, rows, cols, nnzb);
        long blockRowCount = ceilDiv(rows, blockRows);
        Formats.checkIndexArray(NAME, "rowPtr", rowPtr, it, blockRowCount + 1);
        Formats.checkIndexArray(NAME, "colIdx", colIdx, it, nnzb);
        Formats.checkValueArray(NAME, values, Formats.blockValues(NAME, nnzb, blockRows, blockCols));
        Tensor[] given = {rowPtr, colIdx, values};
        Tensor[] kept = {Formats.adopt(rowPtr), Formats.adopt(colIdx), Formats.adopt(values)};
        try {
            return new Bsr(rows, cols, blockRows, blockCols, kept[0], kept[1], kept[2], true);
        } catch (RuntimeException e) {
            Formats.closeCopies(given, kept);
            throw e;
        }
    }

    public static Bsr fromDense(Tensor dense, long blockRows, long blockCols) {
        try (Csr c = Csr.fromDense(dense)) {
            return c.toBsr(blockRows, blockCols);
        }
    }

    static Bsr allocate(long rows, long cols, long br, long bc, long nnzb, DType indexType, DType valueType) {
        Tensor rp = null, ci = null, v = null;
        try {
            rp = Tensor.zeros(indexType, ceilDiv(rows, br) + 1);
            ci = Tensor.zeros(indexType, nnzb);
            v = Tensor.zeros(valueType, Formats.blockValues(NAME, nnzb, br, bc));
            return new Bsr(rows, cols, br, bc, rp, ci, v, false);
        } catch (RuntimeException | org.sparse4j.NativeOutOfMemoryError e) {
            Formats.closeAll(rp, ci, v);  // an array that could not be allocated must not strand the others
            throw e;
        }
    }

    /** This matrix on {@code device}, its arrays copied there without validating again (see {@link Csr#to}). */
    public Bsr to(org.sparse4j.Device device) {
        Tensor rp = null, ci = null, v = null;
        try {
            rp = first.to(device);
            ci = second.to(device);
            v = values.to(device);
            return new Bsr(rows, cols, blockRows, blockCols, rp, ci, v, false);
        } catch (RuntimeException | org.sparse4j.NativeOutOfMemoryError e) {
            Formats.closeAll(rp, ci, v);
            throw e;
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    public long blockRows() {
        return blockRows;
    }

    public long blockCols() {
        return blockCols;
    }

    /** Stored blocks. */
    public long nnzb() {
        return second.shape(0);
    }

    @Override
    public long nnz() {
        return nnzb() * blockRows * blockCols;
    }

    public Tensor rowPtr() {
        return first;
    }

    public Tensor colIdx() {
        return second;
    }

    @Override
    public Tensor toDense() {
        Formats.requireHost("BSR toDense", this);
        Tensor d = Tensor.zeros(valueType(), rows, cols);
        Native.check(Sparse4jNative.s4j_bsr_to_dense(descriptor(), d.descriptor()));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        return d;
    }

    /** CSR of the nonzero entries of the blocks (explicit zeros inside blocks are dropped). */
    @Override
    public Csr toCsr() {
        Formats.requireHost("BSR toCsr", this);
        long[] nnz = new long[1];
        Native.check(Sparse4jNative.s4j_bsr_count_nonzero(descriptor(), nnz));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        Formats.checkIndexType("BSR->CSR", indexType(), rows, cols, nnz[0]);
        Csr out = Csr.allocate(rows, cols, nnz[0], indexType(), valueType());
        Native.check(Sparse4jNative.s4j_bsr_to_csr(descriptor(), out.descriptor()));
        java.lang.ref.Reference.reachabilityFence(this);  // arrays stay alive through the call
        return out.filledNatively();
    }

    @Override
    int validate(s4j_bsr d) {
        return Sparse4jNative.s4j_bsr_validate(d);
    }

    @Override
    s4j_bsr newDescriptor() {
        s4j_bsr d = new s4j_bsr();
        d.rows(rows).cols(cols).block_rows(blockRows).block_cols(blockCols).nnzb(nnzb());
        d.row_ptr(first.pointer()).col_idx(second.pointer()).values(values.pointer());
        d.index_dtype(indexType().code()).value_dtype(valueCode());
        d.device(first.device().kind().code()).device_index(first.device().index());
        return d;
    }

    @Override
    public String toString() {
        return "Bsr(" + rows + "x" + cols + ", blocks " + blockRows + "x" + blockCols + ", nnzb=" + nnzb() + ", " + valueType()
                + ", " + indexType() + ")";
    }
}
