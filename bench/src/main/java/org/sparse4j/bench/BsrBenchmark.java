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
import org.sparse4j.format.Bsr;
import org.sparse4j.format.Csr;
import org.sparse4j.ops.Spmm;

/**
 * Block-pruned weights (whole blocks zero) × dense activations: sparse4j BSR and CSR on the same
 * matrix against oneDNN dense sgemm, in one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx12g"})
public class BsrBenchmark {
    @Param({"4096x4096"})
    String shape;

    @Param({"128"})
    int n;

    @Param({"16"})
    int block;

    @Param({"0.7", "0.9", "0.95"})
    double sparsity;

    private Context ctx;
    private Csr csr;
    private Bsr bsr;
    private Tensor x;
    private Tensor y;
    private Tensor wDense;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        int rows = Integer.parseInt(p[0]), cols = Integer.parseInt(p[1]);
        Problems.CsrArrays arrays = Problems.blockSparse(rows, cols, block, block, sparsity, 42);
        ctx = Context.cpu();
        csr = arrays.toCsr();
        bsr = csr.toBsr(block, block);
        x = Problems.denseTensor(cols, n, 7);
        y = Tensor.zeros(DType.F32, rows, n);
        wDense = Tensor.of(arrays.toDense(), rows, cols);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Problems.closeAll(csr, bsr, x, y, wDense, ctx);
    }

    @Benchmark
    public Tensor sparse4jBsr() {
        Spmm.mulInto(ctx, y, 1f, bsr, x, 0f);
        return y;
    }

    @Benchmark
    public Tensor sparse4jCsr() {
        Spmm.mulInto(ctx, y, 1f, csr, x, 0f, false);
        return y;
    }

    @Benchmark
    public Tensor onednnDense() {
        Peers.onednnGemm(wDense, x, y);
        return y;
    }
}
