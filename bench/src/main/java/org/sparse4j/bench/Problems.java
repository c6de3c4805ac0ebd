package org.sparse4j.bench;

import java.util.SplittableRandom;
import org.sparse4j.Tensor;
import org.sparse4j.format.Csr;

/** Deterministic benchmark inputs: sparse weights with uniform or power-law rows, dense activations. */
final class Problems {
    private Problems() {}

    /** CSR arrays in plain Java, so every peer starts from the same matrix. */
    record CsrArrays(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        Csr toCsr() {
            return Csr.of(rows, cols, rowPtr, colIdx, values);
        }

        float[] toDense() {
            float[] d = new float[rows * cols];
            for (int i = 0; i < rows; i++) {
                for (int p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
                    d[i * cols + colIdx[p]] = values[p];
                }
            }
            return d;
        }

        long nnz() {
            return rowPtr[rows];
        }
    }

    /**
     * A rows×cols matrix with the given sparsity. "uniform": every entry kept with probability
     * 1 − sparsity; "powerlaw": row densities drawn from a Pareto-like law with the same mean.
     */
    static CsrArrays sparse(int rows, int cols, double sparsity, String pattern, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double density = 1 - sparsity;
        int[] rowPtr = new int[rows + 1];
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, (long) (rows * (double) cols * density * 1.3) + cols + 16);
        int[] colIdx = new int[capacity];
        float[] values = new float[capacity];
        int nnz = 0;
        for (int i = 0; i < rows; i++) {
            double p = density;
            if (pattern.equals("powerlaw")) {
                // Mean of u^(-1/2) over (0, 1] is 2: halve it so the expected density stays the same.
                p = Math.min(1, density * 0.5 / Math.sqrt(rng.nextDouble() + 1e-9));
            }
            for (int j = 0; j < cols; j++) {
                if (rng.nextDouble() < p) {
                    if (nnz == colIdx.length) {
                        colIdx = java.util.Arrays.copyOf(colIdx, nnz * 2);
                        values = java.util.Arrays.copyOf(values, nnz * 2);
                    }
                    colIdx[nnz] = j;
                    values[nnz++] = (float) rng.nextDouble(-1, 1);
                }
            }
            rowPtr[i + 1] = nnz;
        }
        return new CsrArrays(rows, cols, rowPtr, java.util.Arrays.copyOf(colIdx, nnz), java.util.Arrays.copyOf(values, nnz));
    }

    /**
     * Block-structured sparsity: whole br×bc blocks kept with probability 1 − sparsity (values dense
     * inside), as left by block pruning; returned as CSR arrays.
     */
    static CsrArrays blockSparse(int rows, int cols, int br, int bc, double sparsity, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int brows = (rows + br - 1) / br, bcols = (cols + bc - 1) / bc;
        boolean[] keep = new boolean[brows * bcols];
        long kept = 0;
        for (int i = 0; i < keep.length; i++) {
            keep[i] = rng.nextDouble() >= sparsity;
            kept += keep[i] ? 1 : 0;
        }
        int[] rowPtr = new int[rows + 1];
        int[] colIdx = new int[(int) Math.min(Integer.MAX_VALUE - 8, kept * br * bc)];
        float[] values = new float[colIdx.length];
        int nnz = 0;
        for (int i = 0; i < rows; i++) {
            for (int bj = 0; bj < bcols; bj++) {
                if (keep[(i / br) * bcols + bj]) {
                    for (int j = bj * bc; j < Math.min(cols, (bj + 1) * bc); j++) {
                        colIdx[nnz] = j;
                        values[nnz++] = (float) rng.nextDouble(-1, 1);
                    }
                }
            }
            rowPtr[i + 1] = nnz;
        }
        return new CsrArrays(rows, cols, rowPtr, java.util.Arrays.copyOf(colIdx, nnz), java.util.Arrays.copyOf(values, nnz));
    }

    /** Closes benchmark state in a tear-down; a failure to close is a failed benchmark. */
    static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable c : resources) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static float[] dense(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) rng.nextDouble(-1, 1);
        }
        return d;
    }

    static Tensor denseTensor(int rows, int cols, long seed) {
        return Tensor.of(dense(rows * cols, seed), rows, cols);
    }
}
