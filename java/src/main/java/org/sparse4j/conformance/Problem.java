package org.sparse4j.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Inputs of a case drawn from its seed, as plain Java arrays (before rounding to the dtype). */
final class Problem {
    private Problem() {}

    /** A sparse structure with values, as CSR arrays. */
    record SparseArrays(long rows, long cols, long[] rowPtr, long[] colIdx, double[] values) {
        double[] toDense() {
            double[] d = new double[Math.toIntExact(rows * cols)];
            for (int i = 0; i < rows; i++) {
                for (long p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
                    d[(int) (i * cols + colIdx[(int) p])] = values[(int) p];
                }
            }
            return d;
        }
    }

    static SparseArrays sparse(long rows, long cols, double density, Pattern pattern, SplittableRandom rng) {
        long[] rowPtr = new long[Math.toIntExact(rows + 1)];
        List<Long> cols_ = new ArrayList<>();
        List<Double> vals = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            double p = switch (pattern) {
                case EMPTY_ROWS -> (i % 2 == 1) ? 0 : density;
                case LONG_ROW -> i == 0 ? 1 : density;
                case POWER_LAW -> Math.min(1, density * 0.25 / Math.pow(rng.nextDouble() + 1e-3, 1.1));
                default -> density;
            };
            for (long j = 0; j < cols; j++) {
                if (pattern == Pattern.BLOCK_DIAGONAL && i / 16 != j / 16) {
                    continue;
                }
                if (p > 0 && rng.nextDouble() < p) {
                    cols_.add(j);
                    vals.add(pattern == Pattern.ZERO_VALUES ? 0.0 : nonzero(rng));
                }
            }
            rowPtr[i + 1] = cols_.size();
        }
        long[] ci = new long[cols_.size()];
        double[] v = new double[vals.size()];
        for (int i = 0; i < ci.length; i++) {
            ci[i] = cols_.get(i);
            v[i] = vals.get(i);
        }
        return new SparseArrays(rows, cols, rowPtr, ci, v);
    }

    static double[] dense(long rows, long cols, SplittableRandom rng) {
        double[] d = new double[Math.toIntExact(rows * cols)];
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextDouble(-1, 1);
        }
        return d;
    }

    /** A length-n vector with about density·n nonzeros (the active inputs), the rest exactly zero. */
    static double[] sparseVector(long n, double density, SplittableRandom rng) {
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextDouble() < density ? nonzero(rng) : 0.0;
        }
        return v;
    }

    /** A value in ±[0.5, 1): never zero, so dense and sparse views agree on the structure. */
    static double nonzero(SplittableRandom rng) {
        double v = 0.5 + 0.5 * rng.nextDouble();
        return rng.nextBoolean() ? v : -v;
    }
}
