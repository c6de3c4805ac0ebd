package org.sparse4j.ops;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.sparse4j.Context;
import org.sparse4j.Device;
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;
import org.sparse4j.format.Csr;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;
import org.sparse4j.nativeapi.Sparse4jNative.s4j_spmm_plan_t;

/**
 * A CSR weight prepared once for many products {@code C = alpha·A·B + beta·C}, as when serving a
 * pruned model. On a CUDA device an fp16 or bf16 A is split into a 2:4 part (at most two nonzeros
 * in every four consecutive columns of a row), which runs on the sparse tensor cores, plus a CSR
 * remainder with the rest. On a compute capability 9.0 GPU an fp32 A is split the same way, and
 * its 2:4 part runs as six bf16 products: each value of A and of B is held as three bf16 parts
 * (a = a0 + a1 + a2, exact for |a| above about 2^-110), and the products of the parts whose sum is
 * at most a0·b2 are added in fp32, which leaves out terms below about 2^-25 of each |a·b|; this
 * takes six bytes of device memory per position of A (twelve with a second 2:4 layer), and runs
 * for a row-major B whose width is a multiple of 8 (other layouts run the CSR kernels).
 * Other dtypes, other GPUs and the CPU run {@link Spmm}'s kernels. The plan keeps A:
 * A stays usable, and the plan must be closed before A is (a plan whose A was closed refuses to run).
 *
 * <p>Two differences from {@link Spmm#mul}: the split multiplies B by the zeros it stores (a group
 * of four columns holding fewer than two nonzeros, an empty group), so an infinite or NaN value in
 * row k of B makes every output of that column NaN wherever A's group covering k was stored, as in
 * a dense product; and with a CSR remainder the result is rounded to the output dtype twice (the
 * 2:4 part, then the remainder's part added to it). {@link Strategy#CSR} keeps sparse semantics.
 * Should the remainder's kernel fail after the 2:4 part ran, the call throws and C holds a partial
 * product.
 * Compute capability 8.6 and 8.9 GPUs (99 KiB of shared memory a block) keep the CSR kernels.
 *
 * <pre>{@code
 * try (SpmmPlan plan = SpmmPlan.of(ctx, weightsOnGpu)) {
 *     Tensor y = plan.mul(ctx, activations);   // many times
 * }
 * }</pre>
 */
public final class SpmmPlan implements AutoCloseable {
    /** How a plan treats A. */
    public enum Strategy {
        /**
         * Split where the split is expected to be faster (fp16/bf16 from 2% density, fp32 from 3.5%, for
         * B of at least 128 columns).
         */
        AUTO(0),
        /** Split wherever the device can, and always use the split. */
        SPLIT_24(1),
        /** Never split: every product runs the CSR kernels. */
        CSR(2);

        final int code;

        Strategy(int code) {
            this.code = code;
        }
    }

    private static final AtomicInteger LIVE = new AtomicInteger();
    private static final Logger LOG = Logger.getLogger(SpmmPlan.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();

    /** Frees the native plan: from {@link #close}, or from the Cleaner when a plan was never closed. */
    private static final class Release implements Runnable {
        private s4j_spmm_plan_t handle;
        private boolean byClose;

        Release(s4j_spmm_plan_t handle) {
            this.handle = handle;
        }

        @Override
        public synchronized void run() {
            if (handle == null) {
                return;
            }
            int status = Sparse4jNative.s4j_spmm_plan_destroy(handle);
            handle = null;
            LIVE.decrementAndGet();
            if (!byClose) {
                LOG.warning("sparse4j: an SpMM plan was garbage-collected without close(); freed its native memory");
            } else {
                Native.check(status);
            }
        }
    }

    private final Csr a;
    private final Device device;
    private s4j_spmm_plan_t handle;
    private final Release release;
    private final Cleaner.Cleanable cleanable;

    private SpmmPlan(Csr a, s4j_spmm_plan_t handle) {
        this.a = a;
        this.device = a.device();
        this.handle = handle;
        this.release = new Release(handle);
        LIVE.incrementAndGet();
        this.cleanable = CLEANER.register(this, release);
    }

    /** A plan for a host A with {@link Strategy#AUTO} on this thread's default (CPU) context. */
    public static SpmmPlan of(Csr a) {
        return of(null, a, Strategy.AUTO);
    }

    public static SpmmPlan of(Context ctx, Csr a) {
        return of(ctx, a, Strategy.AUTO);
    }

    /** A plan for A on ctx (A must live on ctx's device). Building a split reads A once, on the host. */
    public static SpmmPlan of(Context ctx, Csr a, Strategy strategy) {
        Operands.valued(a, "A");
        Operands.requireNonNull(strategy, "strategy");
        Context c = Operands.context(ctx);
        s4j_spmm_plan_t h = new s4j_spmm_plan_t();
        try {
            Native.check(Sparse4jNative.s4j_spmm_plan_create(c.handle(), a.descriptor(), strategy.code, h));
        } finally {
            Operands.keepAlive(a);
        }
        return new SpmmPlan(a, h);
    }

    /** The plan's A. */
    public Csr matrix() {
        return a;
    }

    /**
     * "split24" when A was split for the sparse tensor cores into a 2:4 part and a CSR remainder,
     * "split24x2" when it was split into two 2:4 layers (denser matrices, whose remainder would cost
     * more than a second pass), "csr" otherwise.
     */
    public synchronized String kind() {
        return Native.string(Sparse4jNative.s4j_spmm_plan_kind(handle()));
    }

    /** Nonzeros the split left to the CSR remainder (0 for a "csr" plan). */
    public synchronized long remainderNnz() {
        return Sparse4jNative.s4j_spmm_plan_remainder_nnz(handle());
    }

    /** Device memory the plan's split holds, in bytes (0 for a "csr" plan). */
    public synchronized long deviceBytes() {
        return Sparse4jNative.s4j_spmm_plan_device_bytes(handle());
    }

    /** A·B in a new tensor (rows(A) × cols(B)). */
    public Tensor mul(Tensor b) {
        return mul(null, b);
    }

    public Tensor mul(Context ctx, Tensor b) {
        check(b);
        Tensor c = Tensor.zeros(b.device(), a.valueType(), a.rows(), b.shape(1));
        try {
            run(ctx, 1f, b, 0f, c);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** out = alpha·A·B + beta·out, into a preallocated tensor (any strides). */
    public void mulInto(Context ctx, Tensor out, float alpha, Tensor b, float beta) {
        check(b);
        Operands.output(out, "output", 2);
        if (out.shape(0) != a.rows() || out.shape(1) != b.shape(1)) {
            throw new ShapeMismatchException("output is " + out.shape(0) + "x" + out.shape(1) + ", expected " + a.rows() + "x" + b.shape(1));
        }
        Operands.sameDtype(a, out, "output");
        run(ctx, alpha, b, beta, out);
    }

    private void check(Tensor b) {
        Operands.dense(b, "B", 2);
        if (b.shape(0) != a.cols()) {
            throw new ShapeMismatchException("A is " + a.rows() + "x" + a.cols() + " but B has " + b.shape(0) + " rows");
        }
        Operands.sameDtype(a, b, "B");
    }

    private void run(Context ctx, float alpha, Tensor b, float beta, Tensor c) {
        Operands.valued(a, "the plan's A");  // the plan reads A's arrays where it did not split A: they must be open
        try {
            synchronized (this) {  // close() cannot free the plan while a call is using it
                Native.check(Sparse4jNative.s4j_spmm_plan_execute(Operands.context(ctx).handle(), handle(), alpha, b.descriptor(),
                        beta, c.descriptor()));
            }
        } finally {
            Operands.keepAlive(a, b, c, this);
        }
    }

    private synchronized s4j_spmm_plan_t handle() {
        if (handle == null) {
            throw new InvalidArgumentException("the SpMM plan is closed");
        }
        return handle;
    }

    /**
     * Frees what the plan built, after the device has finished the work queued with it (an
     * asynchronous CUDA error of that work is thrown here); A is not closed. Closing twice does
     * nothing.
     */
    @Override
    public synchronized void close() {
        if (handle != null) {
            handle = null;
            synchronized (release) {
                release.byClose = true;
            }
            cleanable.clean();
        }
    }

    /** Plans made and not yet freed, in this JVM (the tests' leak check reads it). */
    public static int livePlans() {
        return LIVE.get();
    }

    @Override
    public synchronized String toString() {
        return handle == null ? "SpmmPlan[closed]" : "SpmmPlan[" + kind() + ", " + a.rows() + "x" + a.cols() + " on " + device + "]";
    }
}
