package org.sparse4j.conformance;

import java.util.Locale;

/** What a conformance case exercises. */
public enum CaseOp {
    /** C = A·B, A CSR. */
    SPMM,
    /** C = Aᵀ·B, A CSR. */
    SPMM_T,
    /** C = A·B through an {@link org.sparse4j.ops.SpmmPlan} that splits A wherever the device can (2:4 part + CSR remainder). */
    SPMM_PLAN,
    /** y = A·x. */
    SPMV,
    /** y = Aᵀ·x. */
    SPMV_T,
    /** out(i,j) = (A·B)(i,j) on a CSR pattern. */
    SDDMM,
    /** dense C = A·B. */
    GEMM,
    /** C = A·B, A in BSR (block shape from the shape's index: 4x4, 8x8, 16x16, 32x32 or 4x8). */
    SPMM_BSR,
    /** y = W·x over the active inputs of a sparse x (threshold, and top-k on some shapes). */
    GEMV_SPARSE_X,
    /** dense → COO → CSR → BSR → CSC → dense is the identity. */
    ROUNDTRIP;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CaseOp parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
