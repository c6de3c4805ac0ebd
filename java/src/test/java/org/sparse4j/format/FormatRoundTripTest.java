package org.sparse4j.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparse4j.DType;
import org.sparse4j.Scope;
import org.sparse4j.Tensor;

/** Property tests: conversions between every format preserve the matrix, for random shapes and densities. */
class FormatRoundTripTest {
    static Stream<Integer> seeds() {
        return IntStream.range(0, 60).boxed();
    }

    private static double[] randomDense(SplittableRandom rng, int rows, int cols, double density) {
        double[] d = new double[rows * cols];
        for (int i = 0; i < d.length; i++) {
            if (rng.nextDouble() < density) {
                d[i] = rng.nextInt(1, 100) * (rng.nextBoolean() ? 1 : -1) / 8.0;  // exact in every float dtype
            }
        }
        return d;
    }

    /** The most nonzeros in one row (byRow) or one column of a row-major rows × cols array. */
    private static long longest(double[] d, int rows, int cols, boolean byRow) {
        long best = 0;
        for (int i = 0; i < (byRow ? rows : cols); i++) {
            long count = 0;
            for (int j = 0; j < (byRow ? cols : rows); j++) {
                count += d[byRow ? i * cols + j : j * cols + i] != 0 ? 1 : 0;
            }
            best = Math.max(best, count);
        }
        return best;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void denseToCsrToBsrToCooToCscToDense(int seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int rows = rng.nextInt(0, 40), cols = rng.nextInt(0, 40);
        double density = new double[] {0, 0.01, 0.1, 0.5, 1}[rng.nextInt(5)];
        DType vt = new DType[] {DType.F32, DType.F64, DType.F16, DType.BF16}[rng.nextInt(4)];
        DType it = rng.nextBoolean() ? DType.I32 : DType.I64;
        int br = rng.nextInt(1, 7), bc = rng.nextInt(1, 7);
        double[] d = randomDense(rng, rows, cols, density);
        try (Scope s = Scope.open()) {
            Tensor dense = Tensor.of(d, vt, rows, cols);
            Csr csr = Csr.fromDense(dense, it);
            long nonzeros = java.util.Arrays.stream(d).filter(v -> v != 0).count();
            assertEquals(nonzeros, csr.nnz());
            Bsr bsr = csr.toBsr(br, bc);
            assertArrayEquals(d, bsr.toDense().toDoubleArray(), "BSR dense");
            Csr csr2 = bsr.toCsr();
            Coo coo = csr2.toCoo();
            assertTrue(coo.isCanonical());
            Csc csc = coo.toCsr().toCsc();
            assertArrayEquals(d, csc.toDense().toDoubleArray(), "after dense→CSR→BSR→CSR→COO→CSR→CSC");
            assertEquals(it, csc.indexType());
            assertEquals(vt, csc.valueType());
            // Transposing twice is the identity; once equals the dense transpose.
            Csr t = csr.transpose();
            assertArrayEquals(dense.transpose().toDoubleArray(), t.toDense().toDoubleArray());
            assertArrayEquals(d, t.transpose().toDense().toDoubleArray());
            // CSC back to CSR directly.
            assertArrayEquals(csr.colIdx().toLongArray(), csc.toCsr().colIdx().toLongArray());
            // Every CSR built on the host records its longest row (0 for an empty matrix).
            long longestRow = longest(d, rows, cols, true), longestCol = longest(d, rows, cols, false);
            assertEquals(longestRow, csr.maxRowNnzHint(), "fromDense");
            assertEquals(longestRow, csr2.maxRowNnzHint(), "BSR→CSR");
            assertEquals(longestRow, coo.toCsr().maxRowNnzHint(), "COO→CSR");
            assertEquals(longestRow, csc.toCsr().maxRowNnzHint(), "CSC→CSR");
            assertEquals(longestCol, t.maxRowNnzHint(), "transpose");
            assertEquals(longestRow, csr.withValues(csr.values().copy()).maxRowNnzHint(), "withValues");
        }
    }

    @Test
    void cooSumsDuplicatesAndSorts() {
        try (Scope s = Scope.open()) {
            Coo coo = Coo.of(3, 3, new long[] {2, 0, 2, 0, 1}, new long[] {1, 2, 1, 0, 1}, new float[] {1, 2, 3, 4, 5});
            assertEquals(false, coo.isCanonical());
            Coo c = coo.canonical();
            assertTrue(c.isCanonical());
            assertEquals(4, c.nnz());
            assertArrayEquals(new long[] {0, 0, 1, 2}, c.rowIdx().toLongArray());
            assertArrayEquals(new long[] {0, 2, 1, 1}, c.colIdx().toLongArray());
            assertArrayEquals(new float[] {4, 2, 5, 4}, c.values().toFloatArray());
            assertArrayEquals(new double[] {4, 0, 2, 0, 5, 0, 0, 4, 0}, coo.toDense().toDoubleArray());
        }
    }

    @Test
    void bsrRaggedBlocksAndBlockDiagonal() {
        try (Scope s = Scope.open()) {
            // 5x7 with 2x3 blocks: the last block row and column are cut at the edge.
            double[] d = new double[35];
            d[0] = 1;
            d[6] = 2;
            d[34] = 3;
            Bsr b = Csr.fromDense(Tensor.of(d, DType.F32, 5, 7)).toBsr(2, 3);
            assertEquals(3, b.nnzb());
            assertArrayEquals(d, b.toDense().toDoubleArray());
            // Block-diagonal (Monarch-style) 8x8 with 4x4 blocks.
            double[] bd = new double[64];
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    bd[i * 8 + j] = (i / 4 == j / 4) ? 1 + i + j : 0;
                }
            }
            Bsr diag = Bsr.fromDense(Tensor.of(bd, DType.F32, 8, 8), 4, 4);
            assertEquals(2, diag.nnzb());
            assertArrayEquals(new long[] {0, 1}, diag.colIdx().toLongArray());
            assertArrayEquals(bd, diag.toCsr().toDense().toDoubleArray());
        }
    }

    @Test
    void symmetricExpansion() {
        try (Scope s = Scope.open()) {
            Coo lower = Coo.of(3, 3, new long[] {0, 1, 2}, new long[] {0, 0, 1}, new float[] {1, 2, 3});
            assertArrayEquals(new double[] {1, 2, 0, 2, 0, 3, 0, 3, 0}, lower.expandSymmetric(false).toDense().toDoubleArray());
            Coo strict = Coo.of(3, 3, new long[] {1, 2}, new long[] {0, 1}, new float[] {2, 3});
            assertArrayEquals(new double[] {0, -2, 0, 2, 0, -3, 0, 3, 0}, strict.expandSymmetric(true).toDense().toDoubleArray());
        }
    }

    @Test
    void int64IndicesWork() {
        try (Scope s = Scope.open()) {
            Csr a = Csr.of(2, 3, new long[] {0, 1, 2}, new long[] {2, 0}, new float[] {5, 6});
            assertEquals(DType.I64, a.indexType());
            assertEquals(1, a.maxRowNnzHint(), "Csr.of records the longest row");
            assertEquals(1, a.toValueType(DType.BF16).maxRowNnzHint(), "toValueType");
            assertEquals(1, a.descriptor().max_row_nnz(), "the descriptor carries it");
            assertArrayEquals(new double[] {0, 0, 5, 6, 0, 0}, a.toDense().toDoubleArray());
        }
    }

    @Test
    void binaryFilesRoundTrip(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (Scope s = Scope.open()) {
            double[] d = randomDense(new SplittableRandom(3), 13, 9, 0.3);
            Csr csr = Csr.fromDense(Tensor.of(d, DType.F32, 13, 9));
            SparseMatrix[] all = {csr, csr.toCoo(), csr.toCsc(), csr.toBsr(4, 2)};
            for (SparseMatrix m : all) {
                java.nio.file.Path f = dir.resolve("m.s4j");
                SparseFiles.write(f, m);
                SparseMatrix back = SparseFiles.read(f);
                assertEquals(m.getClass(), back.getClass());
                assertArrayEquals(d, back.toDense().toDoubleArray(), m.toString());
            }
        }
    }
}
