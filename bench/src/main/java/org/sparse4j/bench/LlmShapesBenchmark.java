package org.sparse4j.bench;

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

/** Pruned LLM layers (q/o: 4096x4096, up/gate: 11008x4096, down: 4096x11008) at batch N, sparse4j CSR against oneDNN dense. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx12g"})
public class LlmShapesBenchmark {
    @Param({"4096x4096", "11008x4096", "4096x11008"})
    String shape;

    @Param({"1", "8", "128", "512"})
    int n;

    @Param({"0.7", "0.9"})
    double sparsity;

    private Context ctx;
    private Csr w;
    private Tensor x;
    private Tensor y;
    private Tensor wDense;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        int rows = Integer.parseInt(p[0]), cols = Integer.parseInt(p[1]);
        Problems.CsrArrays arrays = Problems.sparse(rows, cols, sparsity, "uniform", 42);
        ctx = Context.cpu();
        w = arrays.toCsr();
        x = Problems.denseTensor(cols, n, 7);
        y = Tensor.zeros(DType.F32, rows, n);
        wDense = Tensor.of(arrays.toDense(), rows, cols);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Problems.closeAll(w, x, y, wDense, ctx);
    }

    @Benchmark
    public Tensor sparse4jCsr() {
        Spmm.mulInto(ctx, y, 1f, w, x, 0f, false);
        return y;
    }

    @Benchmark
    public Tensor onednnDense() {
        Peers.onednnGemm(wDense, x, y);
        return y;
    }
}
