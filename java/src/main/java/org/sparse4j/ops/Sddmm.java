package org.sparse4j.ops;

import org.sparse4j.Context;
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;
import org.sparse4j.format.Csr;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;

/**
 * Sampled dense-dense product: for each stored (i, j) of a pattern, {@code (A·B)(i, j)}. With
 * A = dYᵀ and B = X (pass transposed views, no copy) this is the gradient of a sparse weight.
 */
public final class Sddmm {
    private Sddmm() {}

    /** A new CSR with the pattern's structure and values (A·B)(i, j); A is m×k, B is k×n, pattern m×n. */
    public static Csr sample(Tensor a, Tensor b, Csr pattern) {
        return sample(null, a, b, pattern);
    }

    public static Csr sample(Context ctx, Tensor a, Tensor b, Csr pattern) {
        Operands.dense(a, "A", 2);
        Operands.dense(b, "B", 2);
        Operands.requireNonNull(pattern, "pattern");
        if (!a.dtype().isFloating()) {
            throw new InvalidArgumentException("A must have a float dtype, has " + a.dtype());
        }
        if (a.shape(1) != b.shape(0)) {
            throw new ShapeMismatchException("A is " + a.shape(0) + "x" + a.shape(1) + " but B is " + b.shape(0) + "x" + b.shape(1));
        }
        if (pattern.rows() != a.shape(0) || pattern.cols() != b.shape(1)) {
            throw new ShapeMismatchException("pattern is " + pattern.rows() + "x" + pattern.cols() + " but A·B is " + a.shape(0) + "x"
                    + b.shape(1));
        }
        if (a.dtype() != b.dtype()) {
            throw new ShapeMismatchException("A is " + a.dtype() + " but B is " + b.dtype());
        }
        Tensor values = Tensor.zeros(pattern.device(), a.dtype(), pattern.nnz());
        Csr out;
        try {
            out = pattern.withValues(values);
        } catch (RuntimeException | Error e) {
            values.close();
            throw e;
        }
        try {
            Native.check(Sparse4jNative.s4j_sddmm_csr(Operands.context(ctx).handle(), 1f, a.descriptor(), b.descriptor(),
                    pattern.descriptor(), out.descriptor()));
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            Operands.keepAlive(a, b, pattern, out);
        }
        return out;
    }
}
