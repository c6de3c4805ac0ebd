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
import org.sparse4j.ops.ActivationSparse;

/**
 * Decoding-time GEMVs on a 4096x11008 (down-projection) weight: activation-sparse GEMV at a given
 * fraction of active inputs against oneDNN dense GEMV, in one run. The sparse4j weight is stored as
 * fp32, fp16 or bf16 (fp32 accumulation); the oneDNN C API has no 16-bit GEMM, so the peer is its fp32
 * GEMV in every case: a 16-bit weight halves the bytes sparse4j reads against the same baseline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx12g"})
public class GemvBenchmark {
    static final int M = 4096;
    static final int K = 11008;

    @Param({"0.05", "0.1", "0.25", "0.5", "0.9"})
    double active;

    @Param({"f32", "f16", "bf16"})
    String weights;

    private Context ctx;
    private Tensor w;
    private ActivationSparse.Weights prepared;
    private Tensor x;
    private Tensor xColumn;
    private Tensor y;
    private Tensor yColumn;

    @Setup(Level.Trial)
    public void setUp() {
        ctx = Context.cpu();
        w = Problems.denseTensor(M, K, 1);
        DType dt = DType.valueOf(weights.toUpperCase(java.util.Locale.ROOT));
        SplittableRandom rng = new SplittableRandom(3);
        float[] xv = new float[K];
        for (int j = 0; j < K; j++) {
            xv[j] = rng.nextDouble() < active ? (float) rng.nextDouble(0.5, 1) : (float) rng.nextDouble(-0.01, 0.01);
        }
        xColumn = Tensor.of(xv, K, 1);
        try (Tensor wt = dt == DType.F32 ? null : w.to(dt); Tensor x32 = Tensor.of(xv)) {
            prepared = ActivationSparse.prepare(wt == null ? w : wt);
            x = dt == DType.F32 ? x32.copy() : x32.to(dt);
        }
        y = Tensor.zeros(dt, M);
        yColumn = Tensor.zeros(DType.F32, M, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Problems.closeAll(prepared, w, x, xColumn, y, yColumn, ctx);
    }

    /** Inputs below 0.05 in magnitude are treated as zero (TEAL-style thresholding). */
    @Benchmark
    public Tensor sparse4jActivationSparse() {
        ActivationSparse.gemvInto(ctx, y, prepared, x, 0.05f, 0);
        return y;
    }

    @Benchmark
    public Tensor onednnDenseGemv() {
        Peers.onednnGemm(w, xColumn, yColumn);
        return yColumn;
    }
}
