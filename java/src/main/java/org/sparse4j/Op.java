package org.sparse4j;

import java.util.Locale;

/** Operations of the native dispatch table; the codes are those of the C ABI. */
public enum Op {
    SPMM_CSR(0), SPMV_CSR(1), SDDMM_CSR(2), GEMM(3), SPMM_BSR(4), GEMV_SPARSE_X(5);

    private final int code;

    Op(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
