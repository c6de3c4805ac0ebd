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
import org.sparse4j.ops.Spmm;

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
