package org.sparse4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sparse4j.Context;
import org.sparse4j.DType;
import org.sparse4j.Tensor;
import org.sparse4j.format.Csr;
import org.sparse4j.ops.Spmm;

/**
 * CSR × dense through sparse4j (the best implementation the dispatch table has here) against a
 * plain Java CSR loop over the same data, in one run. Run with
 * {@code java -jar bench/target/benchmarks.jar SpmmBenchmark -rf json}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SpmmBenchmark {
    @Param({"512"})
    int m;

    @Param({"512"})
    int k;

    @Param({"64"})
    int n;

    @Param({"0.9", "0.99"})
    double sparsity;

    private Context ctx;
    private Csr a;
    private Tensor b;
    private Tensor c;
    private int[] rowPtr;
    private int[] colIdx;
    private float[] values;
    private float[] bArray;
    private float[] cArray;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(42);
        float[] dense = new float[m * k];
        for (int i = 0; i < dense.length; i++) {
            if (rng.nextDouble() >= sparsity) {
                dense[i] = (float) rng.nextDouble(-1, 1);
            }
        }
        ctx = Context.cpu();
        try (Tensor d = Tensor.of(dense, m, k)) {
            a = Csr.fromDense(d, DType.I32);
        }
        bArray = new float[k * n];
        for (int i = 0; i < bArray.length; i++) {
            bArray[i] = (float) rng.nextDouble(-1, 1);
        }
        b = Tensor.of(bArray, k, n);
        c = Tensor.zeros(DType.F32, m, n);
        rowPtr = a.rowPtr().toIntArray();
        colIdx = a.colIdx().toIntArray();
        values = a.values().toFloatArray();
        cArray = new float[m * n];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        c.close();
        b.close();
        a.close();
        ctx.close();
    }

    @Benchmark
    public Tensor sparse4j() {
        Spmm.mulInto(ctx, c, 1f, a, b, 0f, false);
        return c;
    }

    @Benchmark
    public float[] plainJavaCsr() {
        java.util.Arrays.fill(cArray, 0f);
        for (int i = 0; i < m; i++) {
            for (int p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
                float v = values[p];
                int bo = colIdx[p] * n, co = i * n;
                for (int j = 0; j < n; j++) {
                    cArray[co + j] += v * bArray[bo + j];
                }
            }
        }
        return cArray;
    }
}
