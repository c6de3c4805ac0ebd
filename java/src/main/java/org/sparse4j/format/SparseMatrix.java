package org.sparse4j.format;

import org.sparse4j.DType;
import org.sparse4j.Tensor;

/** A validated, immutable sparse matrix in one of the formats. Closing it frees its arrays. */
public sealed interface SparseMatrix extends AutoCloseable permits SparseBase {
    long rows();

    long cols();

    /** Stored entries (for BSR: stored scalars, nnzb × block size). */
    long nnz();

    /** The dtype of the values, or null for a pattern-only matrix. */
    DType valueType();

    /** I32 or I64. */
    DType indexType();

    /** A dense copy (rows × cols) in the current scope. */
    Tensor toDense();

    /** A CSR copy in the current scope. */
    Csr toCsr();

    default double density() {
        double cells = (double) rows() * (double) cols();
        return cells == 0 ? 0 : nnz() / cells;
    }

    @Override
    void close();
}
