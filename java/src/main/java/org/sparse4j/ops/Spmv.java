package org.sparse4j.ops;

import org.sparse4j.Context;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;
import org.sparse4j.format.Csr;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;

/** Sparse matrix × vector: {@code y = A·x} and {@code y = Aᵀ·x} with A in CSR. */
public final class Spmv {
    private Spmv() {}

    public static Tensor mul(Csr a, Tensor x) {
        return mul(null, a, x, false);
    }

    public static Tensor mulTransposed(Csr a, Tensor x) {
        return mul(null, a, x, true);
    }

    public static Tensor mul(Context ctx, Csr a, Tensor x, boolean transposeA) {
        check(a, x, transposeA);
        Tensor y = Tensor.zeros(x.device(), a.valueType(), transposeA ? a.cols() : a.rows());
        try {
            run(ctx, transposeA, 1f, a, x, 0f, y);
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    /** y = alpha·op(A)·x + beta·y into a preallocated vector. */
    public static void mulInto(Context ctx, Tensor y, float alpha, Csr a, Tensor x, float beta, boolean transposeA) {
        check(a, x, transposeA);
        Operands.output(y, "y", 1);
        long m = transposeA ? a.cols() : a.rows();
        if (y.shape(0) != m) {
            throw new ShapeMismatchException("y has " + y.shape(0) + " entries, expected " + m);
        }
        Operands.sameDtype(a, y, "y");
        run(ctx, transposeA, alpha, a, x, beta, y);
    }

    private static void check(Csr a, Tensor x, boolean transposeA) {
        Operands.valued(a, "A");
        Operands.dense(x, "x", 1);
        long k = transposeA ? a.rows() : a.cols();
        if (x.shape(0) != k) {
            throw new ShapeMismatchException("x has " + x.shape(0) + " entries but " + (transposeA ? "Aᵀ" : "A") + " has " + k
                    + " columns");
        }
        Operands.sameDtype(a, x, "x");
    }

    private static void run(Context ctx, boolean trans, float alpha, Csr a, Tensor x, float beta, Tensor y) {
        try {
            Native.check(Sparse4jNative.s4j_spmv_csr(Operands.context(ctx).handle(), trans ? 1 : 0, alpha, a.descriptor(),
                    x.descriptor(), beta, y.descriptor()));
        } finally {
            Operands.keepAlive(a, x, y);
        }
    }
}
