package org.sparse4j.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparse4j.Backends;
import org.sparse4j.Context;
import org.sparse4j.DType;
import org.sparse4j.Device;
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.Scope;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;
import org.sparse4j.conformance.Tolerance;
import org.sparse4j.format.Csr;

class SpmmPlanTest {
    /** A random m×k matrix (row-major) with the given density; values in ±[0.5, 1.5]. */
    private static double[] sparseDense(int m, int k, double density, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] a = new double[m * k];
        for (int i = 0; i < a.length; i++) {
            if (rng.nextDouble() < density) {
                a[i] = (rng.nextBoolean() ? 1 : -1) * (0.5 + rng.nextDouble());
            }
        }
        return a;
    }

    private static double[] randomDense(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] b = new double[rows * cols];
        for (int i = 0; i < b.length; i++) {
            b[i] = rng.nextDouble(-1, 1);
        }
        return b;
    }

    /** Nonzeros past the first two of each group of four columns of a row: what the 2:4 part cannot hold. */
    private static long expectedRemainder(double[] a, int m, int k) {
        long rem = 0;
        for (int i = 0; i < m; i++) {
            for (int g = 0; g < k; g += 4) {
                int count = 0;
                for (int j = g; j < Math.min(k, g + 4); j++) {
                    count += a[i * k + j] != 0 ? 1 : 0;
                }
                rem += Math.max(0, count - 2);
            }
        }
        return rem;
    }

    /** Checks out against alpha·A·B + beta·old computed in fp64 from the rounded inputs. */
    private static void assertProduct(DType dt, double[] a, double[] b, double[] old, double alpha, double beta, int m, int k, int n,
            double[] out) {
        int[] nz = new int[k];
        for (int i = 0; i < m; i++) {
            int count = 0;
            for (int l = 0; l < k; l++) {
                if (a[i * k + l] != 0) {
                    nz[count++] = l;
                }
            }
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double mag = 0;
                for (int q = 0; q < count; q++) {
                    int l = nz[q];
                    double t = a[i * k + l] * b[l * n + j];
                    sum += t;
                    mag += Math.abs(t);
                }
                double want = alpha * sum + (old == null ? 0 : beta * old[i * n + j]);
                double bound = Tolerance.bound(dt, k, Math.abs(alpha) * mag + (old == null ? 0 : Math.abs(beta * old[i * n + j])));
                double got = out[i * n + j];
                int row = i;
                int col = j;
                assertTrue(Math.abs(got - want) <= bound,
                        () -> dt + " " + m + "x" + k + "x" + n + ": C(" + row + "," + col + ") = " + got + ", expected " + want + " ± " + bound);
            }
        }
    }

    @Test
    void onTheCpuAPlanRunsTheCsrKernelsAndGivesTheirResult() {
        try (Scope s = Scope.open()) {
            double[] dense = sparseDense(37, 50, 0.3, 1);
            Csr a = Csr.fromDense(Tensor.of(dense, DType.F32, 37, 50));
            Tensor b = Tensor.of(randomDense(50, 9, 2), DType.F32, 50, 9);
            try (SpmmPlan plan = SpmmPlan.of(null, a, SpmmPlan.Strategy.SPLIT_24)) {
                assertEquals("csr", plan.kind());
                assertEquals(0, plan.remainderNnz());
                assertEquals(0, plan.deviceBytes());
                assertArrayEquals(Spmm.mul(a, b).toFloatArray(), plan.mul(b).toFloatArray());
                Tensor out = Tensor.of(randomDense(37, 9, 3), DType.F32, 37, 9);
                Tensor expected = out.copy();
                Spmm.mulInto(null, expected, 0.5f, a, b, -2f, false);
                plan.mulInto(null, out, 0.5f, b, -2f);
                assertArrayEquals(expected.toFloatArray(), out.toFloatArray());
                assertTrue(plan.toString().contains("csr"), plan.toString());
            }
        }
    }

    @Test
    void badOperandsAndAClosedPlanAreRefusedByName() {
        try (Scope s = Scope.open()) {
            Csr a = Csr.fromDense(Tensor.of(sparseDense(6, 8, 0.5, 4), DType.F32, 6, 8));
            SpmmPlan plan = SpmmPlan.of(a);
            ShapeMismatchException rows = assertThrows(ShapeMismatchException.class, () -> plan.mul(Tensor.zeros(DType.F32, 7, 3)));
            assertTrue(rows.getMessage().contains("7 rows"), rows.getMessage());
            assertThrows(ShapeMismatchException.class, () -> plan.mul(Tensor.zeros(DType.F16, 8, 3)));
            assertThrows(ShapeMismatchException.class, () -> plan.mulInto(null, Tensor.zeros(DType.F32, 5, 3), 1f, Tensor.zeros(DType.F32, 8, 3), 0f));
            assertThrows(InvalidArgumentException.class, () -> SpmmPlan.of(null, a, null));
            plan.close();
            plan.close();  // twice is harmless
            InvalidArgumentException closed = assertThrows(InvalidArgumentException.class, () -> plan.mul(Tensor.zeros(DType.F32, 8, 3)));
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            assertEquals("SpmmPlan[closed]", plan.toString());
            // A closed before its plan is refused, not read after it was freed.
            Csr shortLived = Csr.fromDense(Tensor.of(sparseDense(6, 8, 0.5, 5), DType.F32, 6, 8));
            try (SpmmPlan orphan = SpmmPlan.of(shortLived)) {
                shortLived.close();
                InvalidArgumentException gone = assertThrows(InvalidArgumentException.class, () -> orphan.mul(Tensor.zeros(DType.F32, 8, 3)));
                assertTrue(gone.getMessage().contains("closed"), gone.getMessage());
            }
        }
    }

    // ---- on a GPU -----------------------------------------------------------------------------

    private static final boolean HOPPER = Backends.report().getOrDefault("cuda.0", "").contains(" sm_90 ");

    private static void needGpu() {
        assumeTrue(Backends.cudaDeviceCount() > 0, () -> "no CUDA device: " + Backends.cudaUnavailableReason());
    }

    /** m, k, n, density: ragged tiles, a large remainder, all dense, all zero, one element, K = 0. */
    private static final double[][] SPLIT_SHAPES = {
        {300, 200, 136, 0.3}, {257, 130, 256, 0.6}, {64, 64, 128, 1.0}, {130, 100, 128, 0.0}, {1, 1, 8, 1.0}, {129, 67, 24, 0.5},
        {40, 4500, 16, 0.02}, {5, 0, 8, 0.5}, {300, 1000, 136, 0.1}, {64, 4096, 128, 0.12},
    };

    @Tag("gpu")
    @Test
    void theSplitMatchesTheOracleOnEdgeShapes() {
        needGpu();
        for (DType dt : new DType[] {DType.F16, DType.BF16}) {
            for (int s = 0; s < SPLIT_SHAPES.length; s++) {
                int m = (int) SPLIT_SHAPES[s][0];
                int k = (int) SPLIT_SHAPES[s][1];
                int n = (int) SPLIT_SHAPES[s][2];
                try (Scope scope = Scope.open(); Context gpu = Context.cuda(0)) {
                    double[] dense = sparseDense(m, k, SPLIT_SHAPES[s][3], 10 + s);
                    Tensor ah = Tensor.of(dense, dt, m, k);
                    double[] ar = ah.toDoubleArray();  // the rounded values the product sees
                    Csr a = Csr.fromDense(ah, s % 2 == 0 ? DType.I32 : DType.I64).to(Device.cuda(0));
                    Tensor bh = Tensor.of(randomDense(k, n, 20 + s), dt, k, n);
                    double[] br = bh.toDoubleArray();
                    try (SpmmPlan plan = SpmmPlan.of(gpu, a, SpmmPlan.Strategy.SPLIT_24)) {
                        long excess = expectedRemainder(ar, m, k);
                        // Two layers once the remainder would pass 0.5% of the positions (K padded to 128).
                        boolean twoLayers = excess > 0.005 * m * ((k + 127) / 128 * 128);
                        assertEquals(twoLayers ? "split24x2" : "split24", plan.kind(), dt + " shape " + s);
                        assertEquals(twoLayers ? 0 : excess, plan.remainderNnz(), dt + " shape " + s);
                        Tensor c = plan.mul(gpu, bh.to(Device.cuda(0)));
                        // A row-major B of a width divisible by 8 takes the wgmma kernel on a compute capability 9.0 GPU.
                        String impl = gpu.lastImplementation();
                        // With K = 0 there is no tensor map to make, and cp.async feeds it.
                        String hopper = k > 0 ? "cuda:spmm_split24_wgmma" : "cuda:spmm_split24_wgmma_cpasync";
                        assertEquals(HOPPER ? hopper : "cuda:spmm_split24", impl, dt + " shape " + s);
                        assertProduct(dt, ar, br, null, 1, 0, m, k, n, c.toDoubleArray());
                        // alpha and beta into a strided output, from a strided (transposed-view) B.
                        Tensor bT = Tensor.of(transpose(br, k, n), dt, n, k).to(Device.cuda(0)).transpose();
                        Tensor outh = Tensor.of(randomDense(n, m, 30 + s), dt, n, m).transpose();
                        double[] old = outh.toDoubleArray();
                        Tensor out = Tensor.of(transpose(old, m, n), dt, n, m).to(Device.cuda(0)).transpose();
                        plan.mulInto(gpu, out, 0.5f, bT, -1.5f);
                        // A strided B takes the warp-level kernel; a one-row B has no row stride to
                        // speak of, so its transposed view is as good as row-major.
                        assertEquals(k > 1 ? "cuda:spmm_split24" : impl, gpu.lastImplementation(), dt + " shape " + s);
                        assertProduct(dt, ar, br, old, 0.5, -1.5, m, k, n, out.toDoubleArray());
                        // alpha and beta into a row-major output from a row-major B: on Hopper the TMA
                        // kernel's epilogue reads C in 16-byte chunks, then the remainder adds to it.
                        Tensor outh2 = Tensor.of(randomDense(m, n, 60 + s), dt, m, n);
                        double[] old2 = outh2.toDoubleArray();
                        Tensor out2 = outh2.to(Device.cuda(0));
                        plan.mulInto(gpu, out2, 0.5f, bh.to(Device.cuda(0)), -1.5f);
                        assertEquals(impl, gpu.lastImplementation(), dt + " shape " + s);
                        assertProduct(dt, ar, br, old2, 0.5, -1.5, m, k, n, out2.toDoubleArray());
                    }
                }
            }
        }
    }

    private static double[] transpose(double[] v, int rows, int cols) {
        double[] t = new double[v.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = v[i * cols + j];
            }
        }
        return t;
    }

    /**
     * fp32 on Hopper: the plan splits each value into three bf16 parts and runs six bf16 products a
     * layer (with K split across blocks where the tiles do not fill the GPU), which must still give
     * fp32 results; values scaled by 2^±100 check that the parts keep fp32's range. A strided B is
     * run by the CSR kernels instead; elsewhere the plan is the CSR kernels.
     */
    @Tag("gpu")
    @Test
    void anFp32SplitMatchesTheOracleOnEdgeShapes() {
        needGpu();
        for (int s = 0; s < SPLIT_SHAPES.length; s++) {
            int m = (int) SPLIT_SHAPES[s][0];
            int k = (int) SPLIT_SHAPES[s][1];
            int n = (int) SPLIT_SHAPES[s][2];
            double scale = s % 3 == 0 ? 0x1p-100 : s % 3 == 1 ? 0x1p100 : 1;
            try (Scope scope = Scope.open(); Context gpu = Context.cuda(0)) {
                double[] dense = sparseDense(m, k, SPLIT_SHAPES[s][3], 80 + s);
                for (int i = 0; i < dense.length; i++) {
                    dense[i] *= scale;
                }
                Tensor ah = Tensor.of(dense, DType.F32, m, k);
                double[] ar = ah.toDoubleArray();
                Csr a = Csr.fromDense(ah, s % 2 == 0 ? DType.I32 : DType.I64).to(Device.cuda(0));
                double[] bv = randomDense(k, n, 90 + s);
                for (int i = 0; i < bv.length; i++) {
                    bv[i] /= scale;
                }
                Tensor bh = Tensor.of(bv, DType.F32, k, n);
                double[] br = bh.toDoubleArray();
                try (SpmmPlan plan = SpmmPlan.of(gpu, a, SpmmPlan.Strategy.SPLIT_24)) {
                    boolean split = HOPPER && k > 0;
                    long excess = expectedRemainder(ar, m, k);
                    // A second layer (six more products) once the remainder would pass 2% of the positions.
                    boolean twoLayers = excess > 0.02 * m * ((k + 127) / 128 * 128);
                    assertEquals(!split ? "csr" : twoLayers ? "split24x2" : "split24", plan.kind(), "shape " + s);
                    assertEquals(!split || twoLayers ? 0 : excess, plan.remainderNnz(), "shape " + s);
                    Tensor c = plan.mul(gpu, bh.to(Device.cuda(0)));
                    if (split) {
                        assertEquals("cuda:spmm_split24_bf16x6", gpu.lastImplementation(), "shape " + s);
                    }
                    assertProduct(DType.F32, ar, br, null, 1, 0, m, k, n, c.toDoubleArray());
                    // A strided B: the CSR kernels run the whole product.
                    Tensor bT = Tensor.of(transpose(br, k, n), DType.F32, n, k).to(Device.cuda(0)).transpose();
                    Tensor outh = Tensor.of(randomDense(n, m, 100 + s), DType.F32, n, m).transpose();
                    double[] old = outh.toDoubleArray();
                    Tensor out = Tensor.of(transpose(old, m, n), DType.F32, n, m).to(Device.cuda(0)).transpose();
                    plan.mulInto(gpu, out, 0.5f, bT, -1.5f);
                    if (split && k > 1) {
                        assertTrue(gpu.lastImplementation().startsWith("cuda:spmm_csr"), gpu.lastImplementation());
                    }
                    assertProduct(DType.F32, ar, br, old, 0.5, -1.5, m, k, n, out.toDoubleArray());
                    // alpha and beta into a row-major output: the K splits' sum adds beta · C.
                    Tensor outh2 = Tensor.of(randomDense(m, n, 110 + s), DType.F32, m, n);
                    double[] old2 = outh2.toDoubleArray();
                    Tensor out2 = outh2.to(Device.cuda(0));
                    plan.mulInto(gpu, out2, 0.5f, bh.to(Device.cuda(0)), -1.5f);
                    assertProduct(DType.F32, ar, br, old2, 0.5, -1.5, m, k, n, out2.toDoubleArray());
                }
            }
        }
    }

    /** An infinite value of an fp32 A stays infinite through the split (its parts meet B's only as b's first part). */
    @Tag("gpu")
    @Test
    void anInfiniteFp32WeightGivesInfinityNotNaN() {
        needGpu();
        try (Scope scope = Scope.open(); Context gpu = Context.cuda(0)) {
            double[] a = {0, Double.POSITIVE_INFINITY, 0, 0.75, 0, 0, 0, 0, 1.5, 0, 0, 0, 0, 0, 0, -2};
            Csr ad = Csr.fromDense(Tensor.of(a, DType.F32, 2, 8)).to(Device.cuda(0));
            double[] b = new double[8 * 8];
            for (int i = 0; i < b.length; i++) {
                b[i] = 0.5 + (i % 3) * 0.25;  // exact in bf16: B's second and third parts are 0
            }
            try (SpmmPlan plan = SpmmPlan.of(gpu, ad, SpmmPlan.Strategy.SPLIT_24)) {
                float[] c = plan.mul(gpu, Tensor.of(b, DType.F32, 8, 8).to(Device.cuda(0))).toFloatArray();
                for (int j = 0; j < 8; j++) {
                    assertEquals(Float.POSITIVE_INFINITY, c[j], "C(0," + j + ")");
                    assertEquals(1.5 * b[j] - 2 * b[7 * 8 + j], c[8 + j], 1e-6, "C(1," + j + ")");
                }
            }
        }
    }

    /**
     * One row block whose remainder is more than the Hopper kernel's epilogue holds at a time
     * (about 9000 entries) in a matrix whose remainder is short on average (under two entries a
     * row, so the epilogue adds it), still one layer: rows of whole groups of four (two entries of
     * each left over), so passes end inside rows; 64-bit indices, narrowed for the epilogue; a
     * ragged second column tile.
     */
    @Tag("gpu")
    @Test
    void aLargeRemainderInOneRowBlockIsAddedInPasses() {
        needGpu();
        int m = 4864;
        int k = 4096;
        int n = 136;
        SplittableRandom rng = new SplittableRandom(70);
        double[] dense = sparseDense(m, k, 0.01, 71);
        for (int i = 1280; i < 1280 + 150; i++) {  // inside the sixth row block of 256
            for (int g = 0; g < 32; g++) {
                int c = (g * 32 + rng.nextInt(16)) * 4;  // one group in each 128 columns
                for (int j = c; j < c + 4; j++) {
                    dense[i * k + j] = (rng.nextBoolean() ? 1 : -1) * (0.5 + rng.nextDouble());
                }
            }
        }
        for (DType dt : new DType[] {DType.F16, DType.BF16}) {
            try (Scope scope = Scope.open(); Context gpu = Context.cuda(0)) {
                Tensor ah = Tensor.of(dense, dt, m, k);
                double[] ar = ah.toDoubleArray();
                Csr a = Csr.fromDense(ah, DType.I64).to(Device.cuda(0));
                Tensor bh = Tensor.of(randomDense(k, n, 72), dt, k, n);
                try (SpmmPlan plan = SpmmPlan.of(gpu, a, SpmmPlan.Strategy.SPLIT_24)) {
                    long excess = expectedRemainder(ar, m, k);
                    assertTrue(excess > 9100 && excess < 2.0 * m, () -> "remainder " + excess);
                    assertEquals("split24", plan.kind());
                    assertEquals(excess, plan.remainderNnz());
                    Tensor outh = Tensor.of(randomDense(m, n, 73), dt, m, n);
                    double[] old = outh.toDoubleArray();
                    Tensor out = outh.to(Device.cuda(0));
                    plan.mulInto(gpu, out, 0.75f, bh.to(Device.cuda(0)), 0.5f);
                    assertProduct(dt, ar, bh.toDoubleArray(), old, 0.75, 0.5, m, k, n, out.toDoubleArray());
                }
            }
        }
    }

    @Tag("gpu")
    @Test
    void aBrokenDeviceDescriptorFromCIsRefusedBeforeTheSplitIndexesByIt() {
        needGpu();
        try (Scope scope = Scope.open(); Context gpu = Context.cuda(0)) {
            Csr a = Csr.fromDense(Tensor.of(sparseDense(6, 8, 1.0, 50), DType.F16, 6, 8)).to(Device.cuda(0));
            org.sparse4j.nativeapi.Sparse4jNative.s4j_csr good = a.descriptor();
            // The same arrays under a header that says 5 columns: column indices 5..7 are out of range.
            org.sparse4j.nativeapi.Sparse4jNative.s4j_csr bad = new org.sparse4j.nativeapi.Sparse4jNative.s4j_csr();
            bad.rows(good.rows()).cols(5).nnz(good.nnz()).row_ptr(good.row_ptr()).col_idx(good.col_idx()).values(good.values())
                    .index_dtype(good.index_dtype()).value_dtype(good.value_dtype()).device(good.device())
                    .device_index(good.device_index()).max_row_nnz(0);
            org.sparse4j.nativeapi.Sparse4jNative.s4j_spmm_plan_t h = new org.sparse4j.nativeapi.Sparse4jNative.s4j_spmm_plan_t();
            org.sparse4j.InvalidFormatException e = assertThrows(org.sparse4j.InvalidFormatException.class,
                    () -> org.sparse4j.internal.Native.check(org.sparse4j.nativeapi.Sparse4jNative.s4j_spmm_plan_create(gpu.handle(), bad, 1, h)));
            assertTrue(e.getMessage().contains("column"), e.getMessage());
            bad.close();
            h.close();
        }
    }

    @Tag("gpu")
    @Test
    void autoSplitsDenseEnoughWeightsAndUsesTheSplitForWideB() {
        needGpu();
        try (Scope scope = Scope.open(); Context gpu = Context.cuda(0)) {
            Csr sparse = Csr.fromDense(Tensor.of(sparseDense(256, 512, 0.01, 40), DType.F16, 256, 512)).to(Device.cuda(0));
            try (SpmmPlan plan = SpmmPlan.of(gpu, sparse)) {
                assertEquals("csr", plan.kind());  // under 2% the CSR kernels read less
            }
            double[] dense = sparseDense(256, 512, 0.2, 41);
            Tensor ah = Tensor.of(dense, DType.F16, 256, 512);
            Csr a = Csr.fromDense(ah).to(Device.cuda(0));
            try (SpmmPlan plan = SpmmPlan.of(gpu, a); SpmmPlan csrOnly = SpmmPlan.of(gpu, a, SpmmPlan.Strategy.CSR)) {
                assertEquals("split24x2", plan.kind());  // at 20% a remainder would be about 0.7% of the positions
                assertTrue(plan.deviceBytes() >= 256L * 512, () -> "device bytes " + plan.deviceBytes());
                assertEquals("csr", csrOnly.kind());
                Tensor narrow = Tensor.of(randomDense(512, 16, 42), DType.F16, 512, 16);
                plan.mul(gpu, narrow.to(Device.cuda(0)));
                assertTrue(gpu.lastImplementation().startsWith("cuda:spmm_csr"), gpu.lastImplementation());
                Tensor wide = Tensor.of(randomDense(512, 256, 43), DType.F16, 512, 256);
                Tensor c = plan.mul(gpu, wide.to(Device.cuda(0)));
                assertTrue(gpu.lastImplementation().startsWith("cuda:spmm_split24"), gpu.lastImplementation());
                assertProduct(DType.F16, ah.toDoubleArray(), wide.toDoubleArray(), null, 1, 0, 256, 512, 256, c.toDoubleArray());
                // A plan belongs to its device: a CPU context cannot run it.
                assertThrows(ShapeMismatchException.class, () -> plan.mul(Context.defaultContext(), wide));
            }
            // fp32 is split on Hopper (six bf16 products a layer, so from 3.5% density with AUTO).
            try (SpmmPlan f32 = SpmmPlan.of(gpu, Csr.fromDense(Tensor.of(dense, DType.F32, 256, 512)).to(Device.cuda(0)))) {
                assertEquals(HOPPER ? "split24" : "csr", f32.kind());
            }
            try (SpmmPlan f32 = SpmmPlan.of(gpu, Csr.fromDense(Tensor.of(sparseDense(256, 512, 0.02, 44), DType.F32, 256, 512))
                    .to(Device.cuda(0)))) {
                assertEquals("csr", f32.kind());
            }
        }
    }
}
