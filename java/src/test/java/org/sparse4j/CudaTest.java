package org.sparse4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparse4j.format.Csr;
import org.sparse4j.internal.Allocator;
import org.sparse4j.nativeapi.Sparse4jNative;
import org.sparse4j.ops.ActivationSparse;
import org.sparse4j.ops.Spmm;
import org.sparse4j.ops.Spmv;

/** Device tensors, formats, streams and the memory pool on a real GPU (tag gpu; skipped without one). */
@Tag("gpu")
class CudaTest {
    private static final Device GPU = Device.cuda(0);

    @BeforeEach
    void needGpu() {
        assumeTrue(Backends.cudaDeviceCount() > 0, () -> "no CUDA device: " + Backends.cudaUnavailableReason());
    }

    @Test
    void tensorsRoundTripThroughTheDevice() {
        try (Scope s = Scope.open()) {
            Tensor h = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor d = h.to(GPU);
            assertEquals(GPU, d.device());
            assertArrayEquals(h.toFloatArray(), d.toHost().toFloatArray());
            assertArrayEquals(h.toFloatArray(), d.toFloatArray());  // reads go through a host copy
            // A transposed view of device memory comes back as the same view.
            assertArrayEquals(h.transpose().copy().toFloatArray(), d.transpose().toFloatArray());
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, d.to(DType.BF16).toDoubleArray());
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> d.getDouble(0, 0));
            assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains("toHost"), e.getMessage());
            assertEquals("Tensor(f32[2, 3], cuda:0)", d.toString());  // values are not read from the device
            assertThrows(InvalidArgumentException.class,
                    () -> org.sparse4j.format.MatrixMarket.writeDense(java.io.OutputStream.nullOutputStream(), d));
        }
    }

    @Test
    void repeatedAllocationsReuseThePool() {
        long[] reserved = new long[1];
        long[] used = new long[1];
        try (Scope s = Scope.open()) {
            Tensor.zeros(GPU, DType.F32, 1 << 20).close();
        }
        org.sparse4j.internal.Native.check(Sparse4jNative.s4j_cuda_pool_stats(0, reserved, used));
        long before = reserved[0];
        for (int i = 0; i < 50; i++) {
            try (Tensor t = Tensor.zeros(GPU, DType.F32, 1 << 20)) {
                assertEquals(GPU, t.device());
            }
        }
        org.sparse4j.internal.Native.check(Sparse4jNative.s4j_cuda_pool_stats(0, reserved, used));
        assertEquals(before, reserved[0], "the pool grew although every buffer was freed before the next");
        assertEquals(0, Allocator.root(GPU).liveBuffers());
    }

    @Test
    void opsRunOnTheDeviceAndMatchTheHost() {
        try (Scope s = Scope.open(); Context gpu = Context.cuda(0).useNewStream(); Context cpu = Context.cpu(1)) {
            Csr a = Csr.of(3, 4, new int[] {0, 2, 2, 4}, new int[] {0, 3, 1, 2}, new float[] {1, 2, 3, 4});
            Tensor b = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
            Tensor expected = Spmm.mul(cpu, a, b);
            Csr ad = a.to(GPU);
            assertEquals(GPU, ad.device());
            Tensor c = Spmm.mul(gpu, ad, b.to(GPU));
            gpu.synchronize();
            assertEquals(GPU, c.device());
            assertEquals("cuda:spmm_csr", gpu.lastImplementation());
            assertArrayEquals(expected.toFloatArray(), c.toFloatArray());
        }
    }

    /** The tensor-core BSR kernel takes only 16x16 fp16/bf16 blocks, which the conformance shapes rarely have. */
    @Test
    void tensorCoreBsrMatchesTheHost() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        for (DType dt : new DType[] {DType.F16, DType.BF16}) {
            try (Scope s = Scope.open(); Context gpu = Context.cuda(0); Context cpu = Context.cpu(1)) {
                int rows = 40, cols = 64, n = 32;  // a ragged last block row
                double[] dense = new double[rows * cols];
                for (int bi = 0; bi < 3; bi++) {
                    for (int bj = 0; bj < 4; bj++) {
                        if (rng.nextDouble() < 0.4) {
                            for (int r = bi * 16; r < Math.min(rows, bi * 16 + 16); r++) {
                                for (int c = bj * 16; c < bj * 16 + 16; c++) {
                                    dense[r * cols + c] = rng.nextDouble(-1, 1);
                                }
                            }
                        }
                    }
                }
                double[] bv = new double[cols * n];
                for (int i = 0; i < bv.length; i++) {
                    bv[i] = rng.nextDouble(-1, 1);
                }
                org.sparse4j.format.Bsr a = org.sparse4j.format.Bsr.fromDense(Tensor.of(dense, dt, rows, cols), 16, 16);
                Tensor b = Tensor.of(bv, dt, cols, n);
                double[] expected = Spmm.mul(cpu, a, b).toDoubleArray();
                gpu.forceImplementation(Op.SPMM_BSR, "cuda:spmm_bsr_wmma");
                double[] actual = Spmm.mul(gpu, a.to(GPU), b.to(GPU)).toDoubleArray();
                assertEquals("cuda:spmm_bsr_wmma", gpu.lastImplementation());
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 0.05 + 0.02 * Math.abs(expected[i]), dt + " element " + i);
                }
            }
        }
    }

    /**
     * The row-block SpMM kernel runs only for wide outputs (N ≥ 64) of dense-enough matrices, which
     * the conformance edge shapes do not have: ragged row blocks, column tiles and K chunks, K split
     * across blocks (m = 300) and not (m = 2600, K = 64), an empty row, a full row, Aᵀ, alpha and beta,
     * int32 and int64 indices, against fp64 sums of the dtype-rounded inputs.
     */
    @Test
    void rowBlockSpmmMatchesTheHost() {
        long[][] problems = {{300, 700, 136, 0}, {2600, 64, 200, 0}, {300, 700, 136, 1}};
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (DType index : new DType[] {DType.I32, DType.I64}) {
                for (long[] p : problems) {
                    forcedSpmmCase("cuda:spmm_csr_rowblock", dt, index, (int) p[0], (int) p[1], (int) p[2], 0.3, -1, p[3] == 1);
                }
            }
        }
    }

    /**
     * A few rows far longer than the mean would hold the row-block kernel's chunk barriers: the row
     * lengths recorded when the matrix was built on the host travel with its device copy and send it to
     * the merge-path kernel; the same matrix without those rows takes the row-block kernel. Both match
     * the host.
     */
    @Test
    void unevenRowsTakeTheBalancedKernel() {
        for (boolean uneven : new boolean[] {false, true}) {
            java.util.SplittableRandom rng = new java.util.SplittableRandom(uneven ? 2 : 1);
            int m = 512, k = 512, n = 128;
            float[] dense = new float[m * k];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < k; j++) {
                    boolean keep = (uneven && i % 97 == 3) || rng.nextDouble() < 0.1;
                    dense[i * k + j] = keep ? (float) rng.nextInt(-8, 9) / 4 : 0;  // exact sums in fp32
                }
            }
            float[] bv = new float[k * n];
            for (int i = 0; i < bv.length; i++) {
                bv[i] = (float) rng.nextInt(-8, 9) / 4;
            }
            try (Scope s = Scope.open(); Context gpu = Context.cuda(0); Context cpu = Context.cpu(1)) {
                Csr a = Csr.fromDense(Tensor.of(dense, m, k));
                Tensor b = Tensor.of(bv, k, n);
                Tensor expected = Spmm.mul(cpu, a, b);
                Tensor c = Spmm.mul(gpu, a.to(GPU), b.to(GPU));
                assertEquals(uneven ? "cuda:spmm_csr" : "cuda:spmm_csr_rowblock", gpu.lastImplementation(), uneven ? "uneven" : "even");
                assertArrayEquals(expected.toFloatArray(), c.toFloatArray());
            }
        }
    }

    /**
     * The one-pass threshold GEMV, as the context picks it (on compute capability 9.0 the input
     * ranges of a tile meet in a thread-block cluster) and forced to keep partial sums and a second
     * kernel, against fp64 sums of exactly representable values: a ragged last
     * tile of outputs (m = 200) with one input range and with ranges split across blocks (K = 3000),
     * split ranges (m = 512; with K = 8192, fp32: 16 ranges, so a cluster of the 8 it takes on
     * compute capability 9.0 and two batches of partial sums in the sum kernel), one range scanned in two passes (m = 33792, K = 2100, fp32 only; on a
     * GPU of up to 132 SMs, beyond that two ranges), no active input, every input active, and inputs
     * exactly at the threshold (not active); fp32, fp16 and bf16.
     */
    @Test
    void fusedGemvMatchesTheHost() {
        int[][] shapes = {{200, 1000}, {200, 3000}, {512, 3000}, {512, 8192}, {33792, 2100}};
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (int[] shape : shapes) {
                boolean big = shape[0] > 10000 || shape[1] > 5000;
                if (big && dt != DType.F32) {
                    continue;
                }
                for (double active : big ? new double[] {0.05} : new double[] {0, 0.05, 1}) {
                    fusedGemvCase(null, dt, shape[0], shape[1], active);
                    fusedGemvCase("cuda:gemv_sparse_x_fused_ranges", dt, shape[0], shape[1], active);
                }
            }
        }
    }

    /** impl: the implementation forced by name, or null for the context's choice (the fused GEMV). */
    private static void fusedGemvCase(String impl, DType dt, int m, int k, double active) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(m + 7L * k + Math.round(active * 100));
        float threshold = 0.5f;
        float[] w = new float[m * k];  // W, m × k: multiples of 1/4 in [-2, 2], exact in every dtype
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                w[i * k + j] = ((i * 7 + j * 13) % 17 - 8) / 4f;
            }
        }
        float[] x = new float[k];  // active: |x| in [0.75, 2]; inactive: |x| <= 0.5, the threshold included
        for (int j = 0; j < k; j++) {
            x[j] = rng.nextDouble() < active ? rng.nextInt(3, 9) / 4f * (rng.nextBoolean() ? 1 : -1) : rng.nextInt(-2, 3) / 4f;
        }
        try (Scope s = Scope.open(); Context gpu = Context.cuda(0);
                ActivationSparse.Weights weights = ActivationSparse.prepare(Tensor.of(w, dt, m, k).to(GPU))) {
            if (impl != null) {
                gpu.forceImplementation(Op.GEMV_SPARSE_X, impl);
            }
            Tensor y = ActivationSparse.gemv(gpu, weights, Tensor.of(x, dt, k).to(GPU), threshold, 0);
            assertEquals(impl != null ? impl : "cuda:gemv_sparse_x_fused", gpu.lastImplementation());
            double[] got = y.toDoubleArray();
            for (int i = 0; i < m; i++) {
                double sum = 0, mag = 0;
                for (int j = 0; j < k; j++) {
                    if (Math.abs(x[j]) > threshold) {
                        sum += (double) w[i * k + j] * x[j];
                        mag += Math.abs((double) w[i * k + j] * x[j]);
                    }
                }
                double bound = org.sparse4j.conformance.Tolerance.bound(dt, k, mag);
                if (!(Math.abs(got[i] - sum) <= bound)) {
                    throw new AssertionError(dt + " " + m + "x" + k + " active " + active + ": y[" + i + "] = " + got[i] + ", expected "
                            + sum + " ± " + bound);
                }
            }
        }
    }

    /**
     * The warp-per-row kernel for short rows against fp64 sums: rows crossing the 32-entry window and
     * the 4-entry groups (row 17: 100 entries, well inside the kernel's evenness limit), an empty row, ragged column tiles (N = 296, and 64,
     * where part of the warp idles), a ragged last block (m = 1001), alpha and beta, fp32, fp16 and
     * bf16 with int32 and int64 indices.
     */
    @Test
    void shortRowSpmmMatchesTheHost() {
        int[][] problems = {{1001, 700, 296, 50}, {300, 4500, 64, 20}};  // m, k, n, density in thousandths
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (DType index : new DType[] {DType.I32, DType.I64}) {
                for (int[] p : problems) {
                    forcedSpmmCase("cuda:spmm_csr_rows", dt, index, p[0], p[1], p[2], p[3] / 1000.0, 100, false);
                }
            }
        }
    }

    /**
     * The vector SpMV kernel (16 bytes of indices a load; by default it takes only matrices larger
     * than L2), forced by name, on rows of 250–750 entries: row starts at every offset from a vector
     * boundary, so heads and tails of every length; an empty row, a full row, alpha and beta, Aᵀ,
     * every dtype with int32 and int64 indices, against fp64 sums of the dtype-rounded inputs; then
     * rows of about 3000 entries, which the kernel splits between two or four warps.
     */
    @Test
    void longRowSpmvMatchesTheHost() {
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16, DType.F64}) {
            for (DType index : new DType[] {DType.I32, DType.I64}) {
                for (boolean transposeA : new boolean[] {false, true}) {
                    longRowSpmvCase("cuda:spmv_csr_vec", dt, index, 203, 2500, transposeA);
                    // Rows of about 3000 entries: two warps a row with int32 indices, four with int64.
                    longRowSpmvCase("cuda:spmv_csr_vec", dt, index, 61, 12000, transposeA);
                }
            }
        }
    }

    private static void longRowSpmvCase(String impl, DType dt, DType index, int m, int k, boolean transposeA) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(m * 31L + k + dt.ordinal() * 7 + (transposeA ? 1 : 0));
        int ar = transposeA ? k : m, ac = transposeA ? m : k;  // A as stored
        double[] dense = new double[ar * ac];
        double density = transposeA ? 0.25 : 0.2;  // mean rows of op(A): density · k entries
        for (int i = 0; i < ar; i++) {
            double rowDensity = density * (0.5 + rng.nextDouble());  // uneven lengths: every alignment of row starts
            for (int j = 0; j < ac; j++) {
                int oi = transposeA ? j : i, oj = transposeA ? i : j;  // the row and column of op(A)
                // Rows 30-38 hold 1-9 entries: shorter than a vector's head and tail.
                boolean shortRow = oi >= 30 && oi < 39;
                boolean keep = oi == 17 || (shortRow ? oj >= 7 && oj < 7 + (oi - 29) : oi != 5 && rng.nextDouble() < rowDensity);
                dense[i * ac + j] = keep ? rng.nextDouble(-1, 1) : 0;
            }
        }
        double[] xv = new double[k];
        double[] yv = new double[m];
        for (int i = 0; i < k; i++) {
            xv[i] = rng.nextDouble(-1, 1);
        }
        for (int i = 0; i < m; i++) {
            yv[i] = rng.nextDouble(-1, 1);
        }
        float alpha = 1.5f, beta = 0.5f;
        try (Scope s = Scope.open(); Context gpu = Context.cuda(0)) {
            Tensor at = Tensor.of(dense, dt, ar, ac);
            Tensor xt = Tensor.of(xv, dt, k);
            Tensor yt = Tensor.of(yv, dt, m);
            double[] a = at.toDoubleArray(), x = xt.toDoubleArray(), y0 = yt.toDoubleArray();  // rounded to dt
            Tensor out = yt.to(GPU);
            gpu.forceImplementation(Op.SPMV_CSR, impl);
            Spmv.mulInto(gpu, out, alpha, Csr.fromDense(at, index).to(GPU), xt.to(GPU), beta, transposeA);
            assertEquals(impl, gpu.lastImplementation());
            double[] actual = out.toDoubleArray();
            for (int i = 0; i < m; i++) {
                double sum = 0, mag = 0;
                for (int l = 0; l < k; l++) {
                    double av = transposeA ? a[l * ac + i] : a[i * ac + l];
                    sum += av * x[l];
                    mag += Math.abs(av * x[l]);
                }
                double expected = alpha * sum + beta * y0[i];
                double bound = org.sparse4j.conformance.Tolerance.bound(dt, k, Math.abs(alpha) * mag + Math.abs(beta * y0[i]));
                if (!(Math.abs(actual[i] - expected) <= bound)) {
                    throw new AssertionError(impl + " " + dt + " " + index + " " + m + "x" + k + (transposeA ? " Aᵀ" : "") + ": y[" + i + "] = " + actual[i]
                            + ", expected " + expected + " ± " + bound);
                }
            }
        }
    }

    /**
     * C = 1.5 · op(A) · B + 0.5 · C on the implementation forced by name, against fp64 sums of the
     * dtype-rounded inputs. A: each entry kept with probability density, row 5 empty, row 17 holding
     * its first longRow columns (all of them when longRow < 0).
     */
    private static void forcedSpmmCase(String impl, DType dt, DType index, int m, int k, int n, double density, int longRow,
            boolean transposeA) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(m * 31L + k + n + (transposeA ? 1 : 0));
        int ar = transposeA ? k : m, ac = transposeA ? m : k;  // A as stored
        double[] dense = new double[ar * ac];
        for (int i = 0; i < ar; i++) {
            for (int j = 0; j < ac; j++) {
                boolean keep = (i == 17 % ar && (longRow < 0 || j < longRow)) || (i != 5 && rng.nextDouble() < density);
                dense[i * ac + j] = keep ? rng.nextDouble(-1, 1) : 0;
            }
        }
        double[] bv = new double[k * n];
        double[] cv = new double[m * n];
        for (int i = 0; i < bv.length; i++) {
            bv[i] = rng.nextDouble(-1, 1);
        }
        for (int i = 0; i < cv.length; i++) {
            cv[i] = rng.nextDouble(-1, 1);
        }
        float alpha = 1.5f, beta = 0.5f;
        try (Scope s = Scope.open(); Context gpu = Context.cuda(0)) {
            Tensor at = Tensor.of(dense, dt, ar, ac);
            Tensor bt = Tensor.of(bv, dt, k, n);
            Tensor ct = Tensor.of(cv, dt, m, n);
            double[] a = at.toDoubleArray(), b = bt.toDoubleArray(), c0 = ct.toDoubleArray();  // rounded to dt
            Csr sparse = Csr.fromDense(at, index);
            Tensor out = ct.to(GPU);
            gpu.forceImplementation(Op.SPMM_CSR, impl);
            Spmm.mulInto(gpu, out, alpha, sparse.to(GPU), bt.to(GPU), beta, transposeA);
            assertEquals(impl, gpu.lastImplementation());
            double[] actual = out.toDoubleArray();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0, mag = 0;
                    for (int l = 0; l < k; l++) {
                        double av = transposeA ? a[l * ac + i] : a[i * ac + l];
                        sum += av * b[l * n + j];
                        mag += Math.abs(av * b[l * n + j]);
                    }
                    double expected = alpha * sum + beta * c0[i * n + j];
                    double bound = org.sparse4j.conformance.Tolerance.bound(dt, k, Math.abs(alpha) * mag + Math.abs(beta * c0[i * n + j]));
                    double got = actual[i * n + j];
                    if (!(Math.abs(got - expected) <= bound)) {
                        throw new AssertionError(impl + " " + dt + " " + index + " " + m + "x" + k + "x" + n + (transposeA ? " Aᵀ" : "") + ": C[" + i
                                + ", " + j + "] = " + got + ", expected " + expected + " ± " + bound);
                    }
                }
            }
        }
    }

    @Test
    void operandsOnTheWrongDeviceAreRefused() {
        try (Scope s = Scope.open(); Context gpu = Context.cuda(0)) {
            Csr a = Csr.of(2, 2, new int[] {0, 1, 2}, new int[] {0, 1}, new float[] {1, 2});
            Tensor b = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
            ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Spmm.mul(gpu, a.to(GPU), b));
            assertTrue(e.getMessage().contains("B lives on the host"), e.getMessage());
            assertThrows(InvalidFormatException.class, () -> Csr.of(2, 2, Tensor.of(new int[] {0, 1, 2}).to(GPU),
                    Tensor.of(new int[] {0, 1}).to(GPU), null));
            Csr ad = a.to(GPU);
            // Conversions run on the host: refused before anything is allocated (the leak check sees to it).
            assertThrows(InvalidArgumentException.class, ad::toDense);
            assertThrows(InvalidArgumentException.class, ad::transpose);
            assertThrows(InvalidArgumentException.class, ad::toCsr);
            assertThrows(InvalidArgumentException.class,
                    () -> org.sparse4j.format.SparseFiles.write(java.nio.file.Files.createTempFile("s4j", ".s4j"), ad));
        }
    }

    @Test
    void anImpossibleAllocationIsATypedError() {
        NativeOutOfMemoryError e = assertThrows(NativeOutOfMemoryError.class, () -> Tensor.zeros(GPU, DType.F32, 1L << 48));
        assertTrue(e.getMessage().contains("cudaMallocAsync"), e.getMessage());
    }
}
