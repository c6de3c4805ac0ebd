package org.sparse4j.ops;

import org.sparse4j.Context;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;
import org.sparse4j.format.Bsr;
import org.sparse4j.format.Csr;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;

/**
 * Sparse × dense products: {@code C = A·B} and {@code C = Aᵀ·B} with A in CSR. The output has the
 * sparse values' dtype; accumulation is at least fp32 (fp64 in the reference).
 */
public final class Spmm {
    private Spmm() {}

    /** A·B in a new tensor (rows(A) × cols(B)). */
    public static Tensor mul(Csr a, Tensor b) {
        return mul(null, a, b);
    }

    public static Tensor mul(Context ctx, Csr a, Tensor b) {
        return product(ctx, a, b, false);
    }

    /** Aᵀ·B in a new tensor (cols(A) × cols(B)), without forming Aᵀ. */
    public static Tensor mulTransposed(Csr a, Tensor b) {
        return mulTransposed(null, a, b);
    }

    public static Tensor mulTransposed(Context ctx, Csr a, Tensor b) {
        return product(ctx, a, b, true);
    }

    /** op(A)·B into a fresh tensor, which is closed again if the op fails. */
    private static Tensor product(Context ctx, Csr a, Tensor b, boolean transposeA) {
        check(a, b, transposeA);
        Tensor c = Tensor.zeros(b.device(), a.valueType(), transposeA ? a.cols() : a.rows(), b.shape(1));
        try {
            run(ctx, transposeA, 1f, a, b, 0f, c);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** out = A·B, written into a preallocated tensor (any strides). */
    public static void mulInto(Tensor out, Csr a, Tensor b) {
        mulInto(null, out, 1f, a, b, 0f, false);
    }

    /** out = alpha·op(A)·B + beta·out, op(A) = Aᵀ when {@code transposeA}. */
    public static void mulInto(Context ctx, Tensor out, float alpha, Csr a, Tensor b, float beta, boolean transposeA) {
        check(a, b, transposeA);
        Operands.output(out, "output", 2);
        long m = transposeA ? a.cols() : a.rows();
        if (out.shape(0) != m || out.shape(1) != b.shape(1)) {
            throw new ShapeMismatchException("output is " + out.shape(0) + "x" + out.shape(1) + ", expected " + m + "x" + b.shape(1));
        }
        Operands.sameDtype(a, out, "output");
        run(ctx, transposeA, alpha, a, b, beta, out);
    }

    private static void check(Csr a, Tensor b, boolean transposeA) {
        Operands.valued(a, "A");
        Operands.dense(b, "B", 2);
        long k = transposeA ? a.rows() : a.cols();
        if (b.shape(0) != k) {
            throw new ShapeMismatchException((transposeA ? "Aᵀ" : "A") + " is " + (transposeA ? a.cols() : a.rows()) + "x" + k
                    + " but B has " + b.shape(0) + " rows");
        }
        Operands.sameDtype(a, b, "B");
    }

    private static void run(Context ctx, boolean trans, float alpha, Csr a, Tensor b, float beta, Tensor c) {
        try {
            Native.check(Sparse4jNative.s4j_spmm_csr(Operands.context(ctx).handle(), trans ? 1 : 0, alpha, a.descriptor(),
                    b.descriptor(), beta, c.descriptor()));
        } finally {
            Operands.keepAlive(a, b, c);
        }
    }

    /** A·B for A in BSR, in a new tensor (rows(A) × cols(B)). */
    public static Tensor mul(Bsr a, Tensor b) {
        return mul(null, a, b);
    }

    public static Tensor mul(Context ctx, Bsr a, Tensor b) {
        checkBsr(a, b);
        Tensor c = Tensor.zeros(b.device(), a.valueType(), a.rows(), b.shape(1));
        try {
            runBsr(ctx, 1f, a, b, 0f, c);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** out = alpha·A·B + beta·out for A in BSR. */
    public static void mulInto(Context ctx, Tensor out, float alpha, Bsr a, Tensor b, float beta) {
        checkBsr(a, b);
        Operands.output(out, "output", 2);
        if (out.shape(0) != a.rows() || out.shape(1) != b.shape(1)) {
            throw new ShapeMismatchException("output is " + out.shape(0) + "x" + out.shape(1) + ", expected " + a.rows() + "x" + b.shape(1));
        }
        if (out.dtype() != a.valueType()) {
            throw new ShapeMismatchException("output has dtype " + out.dtype() + " but the sparse values are " + a.valueType());
        }
        runBsr(ctx, alpha, a, b, beta, out);
    }

    private static void checkBsr(Bsr a, Tensor b) {
        Operands.requireNonNull(a, "A");
        Operands.dense(b, "B", 2);
        if (b.shape(0) != a.cols()) {
            throw new ShapeMismatchException("A is " + a.rows() + "x" + a.cols() + " but B has " + b.shape(0) + " rows");
        }
        if (b.dtype() != a.valueType()) {
            throw new ShapeMismatchException("B has dtype " + b.dtype() + " but the sparse values are " + a.valueType());
        }
    }

    private static void runBsr(Context ctx, float alpha, Bsr a, Tensor b, float beta, Tensor c) {
        try {
            Native.check(Sparse4jNative.s4j_spmm_bsr(Operands.context(ctx).handle(), alpha, a.descriptor(), b.descriptor(), beta,
                    c.descriptor()));
        } finally {
            Operands.keepAlive(a, b, c);
        }
    }

    /** The SDDMM of a pattern: see {@link Sddmm#sample(Tensor, Tensor, Csr)}. */
    public static Csr sddmm(Tensor a, Tensor b, Csr pattern) {
        return Sddmm.sample(a, b, pattern);
    }
}
