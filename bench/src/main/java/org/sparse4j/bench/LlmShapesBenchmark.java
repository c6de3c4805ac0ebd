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

    private Workload work;

    @Setup(Level.Trial)
    public void setUp() {
        int[] d = Workload.dims(shape);
        work = new Workload(Problems.sparse(d[0], d[1], sparsity, "uniform", 42), n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        work.close();
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
