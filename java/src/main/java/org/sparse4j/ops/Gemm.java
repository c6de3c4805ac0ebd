package org.sparse4j.ops;

import org.sparse4j.Context;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;

/** Dense C = A·B through the native dispatch table (the oracle's baseline, and dense glue). */
public final class Gemm {
    private Gemm() {}

    public static Tensor mul(Tensor a, Tensor b) {
        return mul(null, a, b);
    }

    public static Tensor mul(Context ctx, Tensor a, Tensor b) {
        Operands.dense(a, "A", 2);
        Operands.dense(b, "B", 2);
        if (a.shape(1) != b.shape(0)) {
            throw new ShapeMismatchException("A is " + a.shape(0) + "x" + a.shape(1) + " but B is " + b.shape(0) + "x" + b.shape(1));
        }
        Tensor c = Tensor.zeros(b.device(), a.dtype(), a.shape(0), b.shape(1));
        try {
            Native.check(Sparse4jNative.s4j_gemm(Operands.context(ctx).handle(), 1f, a.descriptor(), b.descriptor(), 0f,
                    c.descriptor()));
        } catch (RuntimeException e) {
            c.close();
            throw e;
        } finally {
            Operands.keepAlive(a, b, c);
        }
        return c;
    }
}
