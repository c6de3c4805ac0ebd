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
import org.sparse4j.Tensor;
import org.sparse4j.format.Bsr;
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

    private Workload work;
    private Bsr bsr;

    @Setup(Level.Trial)
    public void setUp() {
        int[] d = Workload.dims(shape);
        work = new Workload(Problems.blockSparse(d[0], d[1], block, block, sparsity, 42), n);
        bsr = work.w.toBsr(block, block);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bsr.close();
        work.close();
    }

    @Benchmark
    public Tensor sparse4jBsr() {
        Spmm.mulInto(work.ctx, work.y, 1f, bsr, work.x, 0f);
        return work.y;
    }

    @Benchmark
    public Tensor sparse4jCsr() {
        Spmm.mulInto(work.ctx, work.y, 1f, work.w, work.x, 0f, false);
        return work.y;
    }

    @Benchmark
    public Tensor onednnDense() {
        Peers.onednnGemm(work.wDense, work.x, work.y);
        return work.y;
    }
}
