package org.sparse4j.conformance;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparse4j.Backend;
import org.sparse4j.Backends;
import org.sparse4j.Context;
import org.sparse4j.DType;
import org.sparse4j.Device;
import org.sparse4j.Op;
import org.sparse4j.Scope;
import org.sparse4j.Tensor;
import org.sparse4j.UnsupportedBackendException;
import org.sparse4j.format.Bsr;
import org.sparse4j.format.Coo;
import org.sparse4j.format.Csc;
import org.sparse4j.format.Csr;
import org.sparse4j.ops.ActivationSparse;
import org.sparse4j.ops.Gemm;
import org.sparse4j.ops.Sddmm;
import org.sparse4j.ops.Spmm;
import org.sparse4j.ops.SpmmPlan;
import org.sparse4j.ops.Spmv;

/**
 * Runs one case on one backend: draws the inputs from the seed, rounds them to the case dtype,
 * computes the expectation in fp64 in Java (independent of every native kernel, the reference
 * included), runs the op on a context capped at the backend, and compares values and structure.
 */
public final class ConformanceRunner {
    private ConformanceRunner() {}

    public static CaseResult run(ConformanceCase c, Backend backend) {
        return run(c, backend, null);
    }

    /**
     * Runs a case with one named implementation forced (null: the one the context picks), so every
     * registered implementation can be checked, not only each backend's first.
     */
    public static CaseResult run(ConformanceCase c, Backend backend, String implementation) {
        if (!Backends.isAvailable(backend)) {
            String forced = Backends.report().get("cpu.forced");
            String why = backend == Backend.CUDA ? Backends.cudaUnavailableReason()
                    : "this CPU cannot run " + backend.label() + " (best tier: " + Backends.cpuBest().label()
                            + (forced == null ? "" : ", capped by " + forced) + ")";
            return new CaseResult(c, backend, Outcome.SKIPPED, "", 0, "", why, 0, implementation);
        }
        long t0 = System.nanoTime();
        try (Scope scope = Scope.open(); Context ctx = contextFor(backend)) {
            Op op = nativeOp(c.op());
            if (implementation != null && op != null) {
                ctx.forceImplementation(op, implementation);
            }
            if (op != null) {
                ctx.implementationFor(op, c.dtype());  // throws UnsupportedBackendException with the reason
            } else if (backend == Backend.CUDA) {
                throw new UnsupportedBackendException("format conversions run on the host only");
            }
            Check check = execute(c, ctx);
            double ms = (System.nanoTime() - t0) / 1e6;
            String impl = op == null ? "java+native:convert" : ctx.lastImplementation();
            return new CaseResult(c, backend, check.failed() ? Outcome.FAILED : Outcome.PASSED, impl, check.worstRatio,
                    check.worstAt, check.message(), ms, implementation);
        } catch (UnsupportedBackendException e) {
            return new CaseResult(c, backend, Outcome.UNIMPLEMENTED, "", 0, "", e.getMessage(), (System.nanoTime() - t0) / 1e6,
                    implementation);
        } catch (RuntimeException | org.sparse4j.NativeOutOfMemoryError e) {
            return new CaseResult(c, backend, Outcome.FAILED, "", Double.POSITIVE_INFINITY, "",
                    e.getClass().getSimpleName() + ": " + e.getMessage(), (System.nanoTime() - t0) / 1e6, implementation);
        }
    }

    private static Context contextFor(Backend backend) {
        if (backend == Backend.CUDA) {
            return Context.on(Device.cuda(0));
        }
        return Context.cpu().capBackend(backend);
    }

    /** The native op a case exercises, or null for the host-only format round trips. */
    public static Op nativeOp(CaseOp op) {
        return switch (op) {
            case SPMM, SPMM_T, SPMM_PLAN -> Op.SPMM_CSR;
            case SPMV, SPMV_T -> Op.SPMV_CSR;
            case SDDMM -> Op.SDDMM_CSR;
            case GEMM -> Op.GEMM;
            case SPMM_BSR -> Op.SPMM_BSR;
            case GEMV_SPARSE_X -> Op.GEMV_SPARSE_X;
            case ROUNDTRIP -> null;
        };
    }

    private static Check execute(ConformanceCase c, Context ctx) {
        SplittableRandom rng = new SplittableRandom(c.seed());
        DType dt = c.dtype();
        // Layout variants follow the shape (seed / 1000 is its index in the suite), so every op meets
        // both: a strided (transposed-view) B, and a strided output written with alpha and beta.
        long variant = c.seed() / 1000;
        boolean stridedB = variant % 2 == 1;
        boolean stridedOut = (variant / 2) % 2 == 1;
        return switch (c.op()) {
            case SPMM, SPMM_T -> {
                boolean t = c.op() == CaseOp.SPMM_T;
                Csr a = csr(t ? c.k() : c.m(), t ? c.m() : c.k(), c, rng);
                Tensor b = denseOperand(c.k(), c.n(), dt, rng, stridedB);
                Csr ad = place(ctx, a);
                Tensor bd = place(ctx, b);
                if (!stridedOut) {
                    Tensor out = t ? Spmm.mulTransposed(ctx, ad, bd) : Spmm.mul(ctx, ad, bd);
                    yield compareProduct(c, a, t, b.toDoubleArray(), c.n(), out.toDoubleArray(), null);
                }
                Tensor out = denseOperand(c.m(), c.n(), dt, rng, true);
                double[] old = out.toDoubleArray();
                Tensor outd = place(ctx, out);
                Spmm.mulInto(ctx, outd, ALPHA, ad, bd, BETA, t);
                yield compareProduct(c, a, t, b.toDoubleArray(), c.n(), outd.toDoubleArray(), old);
            }
            case SPMM_PLAN -> {
                Csr a = csr(c.m(), c.k(), c, rng);
                Tensor b = denseOperand(c.k(), c.n(), dt, rng, stridedB);
                Csr ad = place(ctx, a);
                Tensor bd = place(ctx, b);
                try (SpmmPlan plan = SpmmPlan.of(ctx, ad, SpmmPlan.Strategy.SPLIT_24)) {
                    if (!stridedOut) {
                        yield compareProduct(c, a, false, b.toDoubleArray(), c.n(), plan.mul(ctx, bd).toDoubleArray(), null);
                    }
                    Tensor out = denseOperand(c.m(), c.n(), dt, rng, true);
                    double[] old = out.toDoubleArray();
                    Tensor outd = place(ctx, out);
                    plan.mulInto(ctx, outd, ALPHA, bd, BETA);
                    yield compareProduct(c, a, false, b.toDoubleArray(), c.n(), outd.toDoubleArray(), old);
                }
            }
            case SPMV, SPMV_T -> {
                boolean t = c.op() == CaseOp.SPMV_T;
                Csr a = csr(t ? c.k() : c.m(), t ? c.m() : c.k(), c, rng);
                Tensor x = Tensor.of(Problem.dense(c.k(), 1, rng), dt);
                Tensor y = Spmv.mul(ctx, place(ctx, a), place(ctx, x), t);
                yield compareProduct(c, a, t, x.toDoubleArray(), 1, y.toDoubleArray(), null);
            }
            case SDDMM -> {
                Tensor a = denseOperand(c.m(), c.k(), dt, rng, false);
                Tensor b = denseOperand(c.k(), c.n(), dt, rng, stridedB);
                Csr pattern = csr(c.m(), c.n(), c, rng);
                Csr out = Sddmm.sample(ctx, place(ctx, a), place(ctx, b), place(ctx, pattern));
                try (Csr host = out.to(Device.CPU)) {
                    yield compareSddmm(c, a.toDoubleArray(), b.toDoubleArray(), pattern, host);
                }
            }
            case GEMM -> {
                Tensor a = denseOperand(c.m(), c.k(), dt, rng, false);
                Tensor b = denseOperand(c.k(), c.n(), dt, rng, stridedB);
                Tensor out = Gemm.mul(ctx, place(ctx, a), place(ctx, b));
                yield compareGemm(c, a.toDoubleArray(), b.toDoubleArray(), out.toDoubleArray());
            }
            case SPMM_BSR -> {
                Csr csr = csr(c.m(), c.k(), c, rng);
                long[][] blocks = {{4, 4}, {8, 8}, {16, 16}, {32, 32}, {4, 8}};
                long[] blk = blocks[(int) (variant % blocks.length)];
                Bsr a = csr.toBsr(blk[0], blk[1]);
                Tensor b = denseOperand(c.k(), c.n(), dt, rng, stridedB);
                Bsr ad = place(ctx, a);
                Tensor bd = place(ctx, b);
                if (!stridedOut) {
                    yield compareProduct(c, csr, false, b.toDoubleArray(), c.n(), Spmm.mul(ctx, ad, bd).toDoubleArray(), null);
                }
                Tensor out = denseOperand(c.m(), c.n(), dt, rng, true);
                double[] old = out.toDoubleArray();
                Tensor outd = place(ctx, out);
                Spmm.mulInto(ctx, outd, ALPHA, ad, bd, BETA);
                yield compareProduct(c, csr, false, b.toDoubleArray(), c.n(), outd.toDoubleArray(), old);
            }
            case GEMV_SPARSE_X -> {
                Tensor w = denseOperand(c.m(), c.k(), dt, rng, stridedB);
                Tensor x = Tensor.of(Problem.sparseVector(c.k(), c.density(), rng), dt);
                float threshold = variant % 2 == 0 ? 0f : 0.75f;
                double[] xv = x.toDoubleArray();
                long active = java.util.Arrays.stream(xv).filter(v -> (float) Math.abs(v) > threshold).count();
                long topK = stridedOut ? Math.max(1, active / 2) : 0;
                try (ActivationSparse.Weights prepared = ActivationSparse.prepare(place(ctx, w))) {
                    Tensor y = ActivationSparse.gemv(ctx, prepared, place(ctx, x), threshold, topK);
                    yield compareGemv(c, w.toDoubleArray(), xv, threshold, topK, y.toDoubleArray());
                }
            }
            case ROUNDTRIP -> roundTrip(c, rng);
        };
    }

    /**
     * An operand on the context's device. A transposed view stays one: its contiguous base is moved
     * and viewed the same way there, so device kernels meet the strided layouts too.
     */
    private static Tensor place(Context ctx, Tensor t) {
        if (t.device().equals(ctx.device())) {
            return t;
        }
        if (!t.isContiguous() && t.rank() == 2 && t.transpose().isContiguous()) {
            return t.transpose().to(ctx.device()).transpose();
        }
        return t.to(ctx.device());
    }

    private static Csr place(Context ctx, Csr a) {
        return a.device().equals(ctx.device()) ? a : a.to(ctx.device());
    }

    private static Bsr place(Context ctx, Bsr a) {
        return a.device().equals(ctx.device()) ? a : a.to(ctx.device());
    }

    /** A dense operand; when {@code transposed}, a transposed view of the other layout, to exercise strides. */
    private static Tensor denseOperand(long rows, long cols, DType dt, SplittableRandom rng, boolean transposed) {
        double[] v = Problem.dense(rows, cols, rng);
        if (!transposed) {
            return Tensor.of(v, dt, rows, cols);
        }
        double[] t = new double[v.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[(int) (j * rows + i)] = v[(int) (i * cols + j)];
            }
        }
        return Tensor.of(t, dt, cols, rows).transpose();
    }

    private static Csr csr(long rows, long cols, ConformanceCase c, SplittableRandom rng) {
        Problem.SparseArrays s = Problem.sparse(rows, cols, c.density(), c.pattern(), rng);
        Tensor values = Tensor.of(s.values(), c.dtype());
        if (c.indexType() == DType.I64) {
            return Csr.of(rows, cols, Tensor.of(s.rowPtr()), Tensor.of(s.colIdx()), values);
        }
        return Csr.of(rows, cols, Tensor.of(toInts(s.rowPtr())), Tensor.of(toInts(s.colIdx())), values);
    }

    private static int[] toInts(long[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.toIntExact(v[i]);
        }
        return out;
    }

    private static final float ALPHA = 2f;
    private static final float BETA = 0.5f;

    /** Compares op(A)·B, or ALPHA·op(A)·B + BETA·old when {@code old} is given. */
    private static Check compareProduct(ConformanceCase c, Csr a, boolean transposed, double[] b, long n, double[] actual,
            double[] old) {
        long[] rp = a.rowPtr().toLongArray();
        long[] ci = a.colIdx().toLongArray();
        double[] av = a.values().toDoubleArray();
        long m = transposed ? a.cols() : a.rows();
        double[] expected = new double[Math.toIntExact(m * n)];
        double[] magnitude = new double[expected.length];
        for (int i = 0; i < a.rows(); i++) {
            for (long p = rp[i]; p < rp[i + 1]; p++) {
                int col = (int) ci[(int) p];
                int outRow = transposed ? col : i;
                int inRow = transposed ? i : col;
                for (int j = 0; j < n; j++) {
                    double term = av[(int) p] * b[(int) (inRow * n + j)];
                    expected[(int) (outRow * n + j)] += term;
                    magnitude[(int) (outRow * n + j)] += Math.abs(term);
                }
            }
        }
        if (old != null) {
            for (int i = 0; i < expected.length; i++) {
                expected[i] = ALPHA * expected[i] + BETA * old[i];
                magnitude[i] = ALPHA * magnitude[i] + Math.abs(BETA * old[i]);
            }
        }
        Check check = new Check(Tolerance.of(c.dtype(), transposed ? a.rows() : a.cols()), Tolerance.floor(c.dtype()));
        check.values(expected, magnitude, actual, n);
        return check;
    }

    private static Check compareGemm(ConformanceCase c, double[] a, double[] b, double[] actual) {
        int m = (int) c.m(), k = (int) c.k(), n = (int) c.n();
        double[] expected = new double[m * n];
        double[] magnitude = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int l = 0; l < k; l++) {
                for (int j = 0; j < n; j++) {
                    double term = a[i * k + l] * b[l * n + j];
                    expected[i * n + j] += term;
                    magnitude[i * n + j] += Math.abs(term);
                }
            }
        }
        Check check = new Check(Tolerance.of(c.dtype(), k), Tolerance.floor(c.dtype()));
        check.values(expected, magnitude, actual, n);
        return check;
    }

    /** The selection rule of the op, in Java: |x_j| > threshold, then the top k by |x_j|, lower index first on ties. */
    private static Check compareGemv(ConformanceCase c, double[] w, double[] x, float threshold, long topK, double[] actual) {
        java.util.List<Integer> active = new java.util.ArrayList<>();
        for (int j = 0; j < x.length; j++) {
            if ((float) Math.abs(x[j]) > threshold) {
                active.add(j);
            }
        }
        if (topK > 0 && active.size() > topK) {
            active.sort((p, q) -> {
                int byMagnitude = Float.compare((float) Math.abs(x[q]), (float) Math.abs(x[p]));
                return byMagnitude != 0 ? byMagnitude : Integer.compare(p, q);
            });
            active = new java.util.ArrayList<>(active.subList(0, (int) topK));
        }
        int m = (int) c.m(), k = (int) c.k();
        double[] expected = new double[m];
        double[] magnitude = new double[m];
        for (int i = 0; i < m; i++) {
            for (int j : active) {
                double term = w[i * k + j] * x[j];
                expected[i] += term;
                magnitude[i] += Math.abs(term);
            }
        }
        Check check = new Check(Tolerance.of(c.dtype(), active.size()), Tolerance.floor(c.dtype()));
        check.values(expected, magnitude, actual, 1);
        return check;
    }

    private static Check compareSddmm(ConformanceCase c, double[] a, double[] b, Csr pattern, Csr out) {
        Check check = new Check(Tolerance.of(c.dtype(), c.k()), Tolerance.floor(c.dtype()));
        long[] rp = pattern.rowPtr().toLongArray();
        long[] ci = pattern.colIdx().toLongArray();
        check.structure("rowPtr", rp, out.rowPtr().toLongArray());
        check.structure("colIdx", ci, out.colIdx().toLongArray());
        int k = (int) c.k(), n = (int) c.n();
        double[] expected = new double[ci.length];
        double[] magnitude = new double[ci.length];
        for (int i = 0; i < pattern.rows(); i++) {
            for (long p = rp[i]; p < rp[i + 1]; p++) {
                int j = (int) ci[(int) p];
                for (int l = 0; l < k; l++) {
                    double term = a[i * k + l] * b[l * n + j];
                    expected[(int) p] += term;
                    magnitude[(int) p] += Math.abs(term);
                }
            }
        }
        check.values(expected, magnitude, out.values().toDoubleArray(), 1);
        return check;
    }

    private static Check roundTrip(ConformanceCase c, SplittableRandom rng) {
        Problem.SparseArrays s = Problem.sparse(c.m(), c.k(), c.density(), c.pattern(), rng);
        Tensor dense = Tensor.of(s.toDense(), c.dtype(), c.m(), c.k());
        double[] original = dense.toDoubleArray();
        long br = Math.max(1, c.n()), bc = br + 1;
        Check check = new Check(0, 0);
        Csr csr0 = Csr.fromDense(dense, c.indexType());
        Coo coo = csr0.toCoo();
        Csr csr = coo.toCsr();
        Bsr bsr = csr.toBsr(br, bc);
        Csr back = bsr.toCsr();
        Csc csc = back.toCsc();
        double[] result = csc.toDense().toDoubleArray();
        long nonzeros = Arrays.stream(original).filter(v -> v != 0).count();
        check.count("CSR nnz", nonzeros, csr.nnz());
        check.count("BSR nnzb", expectedBlocks(original, c.m(), c.k(), br, bc), bsr.nnzb());
        check.count("CSC nnz", nonzeros, csc.nnz());
        check.count("index type", c.indexType().code(), csc.indexType().code());
        check.values(original, new double[original.length], result, Math.max(1, c.k()));
        return check;
    }

    private static long expectedBlocks(double[] d, long m, long k, long br, long bc) {
        long count = 0;
        for (long bi = 0; bi * br < m; bi++) {
            for (long bj = 0; bj * bc < k; bj++) {
                boolean any = false;
                for (long i = bi * br; i < Math.min(m, (bi + 1) * br) && !any; i++) {
                    for (long j = bj * bc; j < Math.min(k, (bj + 1) * bc); j++) {
                        if (d[(int) (i * k + j)] != 0) {
                            any = true;
                            break;
                        }
                    }
                }
                count += any ? 1 : 0;
            }
        }
        return count;
    }

    /** Accumulates the worst error relative to its bound and the first structural mismatch. */
    private static final class Check {
        private final double tol;
        private final double floor;
        double worstRatio;
        String worstAt = "";
        private String failure;

        Check(double tol, double floor) {
            this.tol = tol;
            this.floor = floor;
        }

        void values(double[] expected, double[] magnitude, double[] actual, long cols) {
            if (expected.length != actual.length) {
                fail("output has " + actual.length + " values, expected " + expected.length);
                return;
            }
            for (int i = 0; i < expected.length; i++) {
                double err = Math.abs(actual[i] - expected[i]);
                double bound = tol * magnitude[i] + floor;
                double ratio = err == 0 ? 0 : (bound == 0 ? Double.POSITIVE_INFINITY : err / bound);
                if (Double.isNaN(actual[i]) && !Double.isNaN(expected[i])) {
                    ratio = Double.POSITIVE_INFINITY;
                }
                if (ratio > worstRatio) {
                    worstRatio = ratio;
                    worstAt = "(" + (i / cols) + ", " + (i % cols) + ")";
                }
                if (ratio > 1 && failure == null) {
                    fail("at (" + (i / cols) + ", " + (i % cols) + "): got " + actual[i] + ", expected " + expected[i] + " ± " + bound);
                }
            }
        }

        void structure(String what, long[] expected, long[] actual) {
            if (!Arrays.equals(expected, actual)) {
                fail("output " + what + " differs from the pattern's");
            }
        }

        void count(String what, long expected, long actual) {
            if (expected != actual) {
                fail(what + " is " + actual + ", expected " + expected);
            }
        }

        private void fail(String message) {
            if (failure == null) {
                failure = message;
            }
        }

        boolean failed() {
            return failure != null;
        }

        String message() {
            return failure == null ? "" : failure;
        }
    }
}
