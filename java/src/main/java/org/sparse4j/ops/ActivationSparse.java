package org.sparse4j.ops;

import org.sparse4j.Context;
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;

/**
 * Activation-sparse GEMV for decoding: y = W·x where most inputs x_j are (near) zero, as in
 * Deja Vu, TEAL or PowerInfer. The weight is laid out once, transposed ({@link #prepare}), so each
 * active input reads one contiguous row and the cost falls with the fraction of active inputs.
 */
public final class ActivationSparse {
    private ActivationSparse() {}

    /** W (M×K) laid out for activation-sparse GEMV: a frozen, contiguous Wᵀ (K×M). Made once per weight. */
    public static final class Weights implements AutoCloseable {
        private final Tensor transposed;

        private Weights(Tensor transposed) {
            this.transposed = transposed;
        }

        /** Rows of W (outputs). */
        public long outputs() {
            return transposed.shape(1);
        }

        /** Columns of W (inputs). */
        public long inputs() {
            return transposed.shape(0);
        }

        /** Wᵀ, K×M row-major. */
        public Tensor transposed() {
            return transposed;
        }

        @Override
        public void close() {
            transposed.close();
        }
    }

    /** Copies W (M×K, any strides) into the layout the kernel reads; W itself is not kept. */
    public static Weights prepare(Tensor w) {
        Operands.dense(w, "W", 2);
        if (!w.dtype().isFloating()) {
            throw new InvalidArgumentException("W must have a float dtype, has " + w.dtype());
        }
        return new Weights(w.transpose().copy().makeReadOnly());
    }

    /** y = W·x over the inputs with |x_j| > threshold. */
    public static Tensor gemv(Weights w, Tensor x, float threshold) {
        return gemv(null, w, x, threshold, 0);
    }

    /** y = W·x over the k inputs of largest |x_j| (ties: the lower index). */
    public static Tensor gemvTopK(Weights w, Tensor x, long k) {
        if (k <= 0) {
            throw new InvalidArgumentException("k must be > 0, got " + k);
        }
        return gemv(null, w, x, 0f, k);
    }

    /** y = W·x over the inputs with |x_j| > threshold, and of those the topK largest when topK > 0. */
    public static Tensor gemv(Context ctx, Weights w, Tensor x, float threshold, long topK) {
        Operands.requireNonNull(w, "weights");
        Tensor y = Tensor.zeros(w.transposed.device(), w.transposed.dtype(), w.outputs());
        try {
            gemvInto(ctx, y, w, x, threshold, topK);
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    public static void gemvInto(Context ctx, Tensor y, Weights w, Tensor x, float threshold, long topK) {
        Operands.requireNonNull(w, "weights");
        Operands.dense(x, "x", 1);
        Operands.output(y, "y", 1);
        if (x.shape(0) != w.inputs()) {
            throw new ShapeMismatchException("x has " + x.shape(0) + " entries but W has " + w.inputs() + " columns");
        }
        if (y.shape(0) != w.outputs()) {
            throw new ShapeMismatchException("y has " + y.shape(0) + " entries but W has " + w.outputs() + " rows");
        }
        if (x.dtype() != w.transposed.dtype() || y.dtype() != w.transposed.dtype()) {
            throw new ShapeMismatchException("W is " + w.transposed.dtype() + " but x is " + x.dtype() + " and y is " + y.dtype());
        }
        if (!(threshold >= 0)) {
            throw new InvalidArgumentException("threshold must be >= 0, got " + threshold);
        }
        if (topK < 0) {
            throw new InvalidArgumentException("topK must be >= 0, got " + topK);
        }
        try {
            Native.check(Sparse4jNative.s4j_gemv_sparse_x(Operands.context(ctx).handle(), w.transposed.descriptor(), x.descriptor(),
                    threshold, topK, y.descriptor()));
        } finally {
            Operands.keepAlive(w, w.transposed, x, y);
        }
    }
}
